"""Resident ID numbers (居民身份证号码, GB 11643-1999): validation, masking, hashing, age.

The full number is never stored: the database keeps an HMAC for matching at the door,
the masked form (last four characters only) and the age on the event date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass

from checkin.errors import CheckinError

# ISO 7064 MOD 11-2 weights and check characters, GB 11643-1999 §8.2
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

# First two digits: province-level codes of GB/T 2260 (plus 71 Taiwan, 81/82 HK/Macao,
# 83 for residence permits of Taiwan residents).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
    }
)  # fmt: skip

_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_EXCEL_NUMBER = re.compile(r"^[0-9](\.[0-9]+)?E\+?[0-9]+$", re.IGNORECASE)
MASK_KEEP = 4
MASKED_LENGTH = 18


@dataclass(frozen=True)
class ResidentId:
    """A validated ID number; keep it only as long as needed to hash and mask it."""

    number: str
    birth_date: dt.date

    @property
    def masked(self) -> str:
        return mask_id(self.number)

    def age_on(self, day: dt.date) -> int:
        return age_on(self.birth_date, day)

    @property
    def gender(self) -> str:
        """'M' or 'F' from the 17th digit (odd = male), GB 11643 §5.3."""
        return "M" if int(self.number[16]) % 2 else "F"


def normalise_id(raw: str) -> str:
    """Full-width digits to ASCII, spaces dropped, `x` upper-cased."""
    text = unicodedata.normalize("NFKC", raw)
    return re.sub(r"\s+", "", text).upper()


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def age_on(birth: dt.date, day: dt.date) -> int:
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def parse_id(raw: str, today: dt.date | None = None) -> ResidentId:
    """Validate shape, area code, birth date and check digit; raise CheckinError otherwise."""
    text = normalise_id(raw)
    if not text:
        raise CheckinError("id.missing")
    if _EXCEL_NUMBER.match(text):
        raise CheckinError("id.excel_number")
    if len(text) != 18:
        raise CheckinError("id.length", length=len(text))
    if not _SHAPE.match(text):
        raise CheckinError("id.characters")
    if text[:2] not in PROVINCE_CODES or text[2:6] == "0000":
        raise CheckinError("id.area")
    try:
        birth = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise CheckinError("id.birth_date") from None
    today = today or dt.date.today()
    if birth.year < 1900 or birth > today:
        raise CheckinError("id.birth_date")
    if check_char(text[:17]) != text[17]:
        raise CheckinError("id.check_digit")
    return ResidentId(text, birth)


def mask_id(number: str) -> str:
    """Only the last four characters survive: `**************123X`."""
    tail = normalise_id(number)[-MASK_KEEP:]
    return "*" * (MASKED_LENGTH - len(tail)) + tail


def id_hash(secret: bytes, number: str) -> str:
    """Keyed hash (HMAC-SHA256, per-event secret) used to match an ID card at the door."""
    return hmac.new(secret, normalise_id(number).encode("ascii"), hashlib.sha256).hexdigest()


def make_id(first17: str) -> str:
    """Append the check character (used by the demo and tests to invent valid numbers)."""
    return first17 + check_char(first17)
