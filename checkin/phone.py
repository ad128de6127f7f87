"""Mainland phone numbers: a mobile (11 digits) or a landline with its area code."""

from __future__ import annotations

import re
import unicodedata

from checkin.errors import CheckinError

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
# Area codes: 010 and 020–029 have three digits (Beijing, Guangzhou, Shanghai, Nanjing …),
# all others four (0371, 0755 …); the local number has 7 or 8 digits.
_LANDLINE = re.compile(r"^(0[12][0-9]|0[3-9][0-9]{2})([0-9]{7,8})$")
_DIGITS = re.compile(r"^[0-9]+$")


def parse_phone(raw: str) -> str:
    """Normalise to `13812345678` or `025-84561234`; spaces, dashes and +86 are accepted."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise CheckinError("phone.missing")
    digits = re.sub(r"[\s\-().]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not _DIGITS.match(digits):
        raise CheckinError("phone.invalid", value=mask_phone(text))
    if _MOBILE.match(digits):
        return digits
    match = _LANDLINE.match(digits)
    if match:
        return f"{match.group(1)}-{match.group(2)}"
    raise CheckinError("phone.invalid", value=mask_phone(text))


def mask_phone(phone: str) -> str:
    """`13812345678` → `138****5678`; landlines keep the area code and the last four."""
    if len(phone) == 11 and _DIGITS.match(phone):
        return f"{phone[:3]}****{phone[-4:]}"
    if "-" in phone:
        area, rest = phone.split("-", 1)
        return f"{area}-{'*' * max(len(rest) - 4, 0)}{rest[-4:]}"
    if len(phone) <= 4:
        return "*" * len(phone)
    return "*" * (len(phone) - 4) + phone[-4:]
