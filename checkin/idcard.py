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

from sqlite_utils import Database

from checkin.errors import CheckinError
from checkin.i18n import tr

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
    if re.search(r"[^0-9X]|X.", text):
        # letters in it: a passport or permit number on a row typed (or defaulting to) 居民身份证
        raise CheckinError("id.characters")
    if len(text) == 15 and text.isdigit():
        raise CheckinError("id.old_15")
    if len(text) != 18:
        raise CheckinError("id.length", length=len(text))
    if not _SHAPE.match(text):
        raise CheckinError("id.characters")
    if text[:2] not in PROVINCE_CODES or (text[2:6] == "0000" and text[:6] not in _PERMIT_AREAS):
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


# ---------------------------------------------------------------- other identity documents
#
# Registration forms ask 证件类型 + 证件号码. Every document is validated as far as its format
# allows, then hashed (the same HMAC over the normalised number, so the door can match any of
# them typed or read) and masked to the last four like the ID number.

RESIDENT_ID = "resident_id"
DOCUMENT_TYPES = (
    RESIDENT_ID,  # 居民身份证
    "hmt_residence_permit",  # 港澳台居民居住证 (18 digits, area 810000/820000/830000)
    # 外国人永久居留身份证: 2023 format, 18 characters starting with 9; 2017 card, 3 letters + 12 digits
    "foreign_permanent",
    "passport",  # 护照
    "hk_macao_permit",  # 港澳居民来往内地通行证
    "taiwan_permit",  # 台湾居民来往大陆通行证
)
# documents whose number carries the birth date (the 2017 foreign card does not: Document.birth_date
# is None and the 出生日期 column is needed); the others need an 出生日期 column
CARRIES_BIRTH_DATE = frozenset({RESIDENT_ID, "hmt_residence_permit", "foreign_permanent"})

_PERMIT_AREAS = ("810000", "820000", "830000")
_FOREIGN_SHAPE = re.compile(r"^9[0-9]{16}[0-9X]$")
_FOREIGN_OLD_SHAPE = re.compile(r"^[A-Z]{3}[0-9]{12}$")
_PASSPORT_SHAPE = re.compile(r"^[A-Z0-9]{5,17}$")
_HK_MACAO_SHAPE = re.compile(r"^[HM][0-9]{8}([0-9]{2})?$")
_TAIWAN_SHAPE = re.compile(r"^[0-9]{8}([0-9]{2})?$")


@dataclass(frozen=True)
class Document:
    """A validated identity document: its type, the normalised number and, if it carries one,
    the birth date. Keep it only as long as needed to hash and mask it."""

    doc_type: str
    number: str
    birth_date: dt.date | None

    @property
    def masked(self) -> str:
        return mask_id(self.number)

    def age_on(self, day: dt.date) -> int | None:
        return age_on(self.birth_date, day) if self.birth_date else None


def _birth_from(text: str, start: int, today: dt.date) -> dt.date:
    try:
        birth = dt.date(
            int(text[start : start + 4]), int(text[start + 4 : start + 6]), int(text[start + 6 : start + 8])
        )
    except ValueError:
        raise CheckinError("id.birth_date") from None
    if birth.year < 1900 or birth > today:
        raise CheckinError("id.birth_date")
    return birth


def parse_document(raw: str, doc_type: str = RESIDENT_ID, today: dt.date | None = None) -> Document:
    """Validate a document number of the given type; raise CheckinError (key `id.*`) otherwise."""
    today = today or dt.date.today()
    if doc_type in (RESIDENT_ID, "hmt_residence_permit"):
        try:
            resident = parse_id(raw, today=today)
        except CheckinError as exc:
            if doc_type != RESIDENT_ID and exc.key == "id.check_digit":
                raise CheckinError("id.check_digit_of", type=tr(f"idtype.{doc_type}")) from None
            raise
        is_permit = resident.number[:6] in _PERMIT_AREAS
        if doc_type == "hmt_residence_permit" and not is_permit:
            raise CheckinError("id.permit_area")
        # a permit number on a row typed 居民身份证 is still the same card family: accept it as a permit
        return Document(
            "hmt_residence_permit" if is_permit else RESIDENT_ID, resident.number, resident.birth_date
        )
    text = normalise_id(raw)
    if not text:
        raise CheckinError("id.missing")
    if _EXCEL_NUMBER.match(text):
        raise CheckinError("id.excel_number" if doc_type == "foreign_permanent" else "id.excel_number_other")
    if doc_type == "foreign_permanent":
        if len(text) == 15:
            # the 2017 card, still valid beside the 2023 one: 3 letters (nationality) and 12 digits;
            # no check digit to verify and no birth date to read, so 出生日期 is asked for
            if not _FOREIGN_OLD_SHAPE.match(text):
                raise CheckinError("id.foreign_old_shape")
            return Document(doc_type, text, None)
        if len(text) != 18:
            raise CheckinError("id.foreign_length", length=len(text))
        if not _FOREIGN_SHAPE.match(text):
            raise CheckinError("id.foreign_shape")
        if text[1:3] not in PROVINCE_CODES:
            raise CheckinError("id.area")
        birth = _birth_from(text, 6, today)
        if check_char(text[:17]) != text[17]:
            raise CheckinError("id.check_digit_of", type=tr(f"idtype.{doc_type}"))
        return Document(doc_type, text, birth)
    text = text.replace("-", "")
    shapes = {"passport": _PASSPORT_SHAPE, "hk_macao_permit": _HK_MACAO_SHAPE, "taiwan_permit": _TAIWAN_SHAPE}
    shape = shapes.get(doc_type)
    if shape is None:
        raise CheckinError("id.unknown_type", value=doc_type)
    if not shape.match(text):
        raise CheckinError(f"id.{doc_type}_shape")
    # a travel permit keeps its number when reissued; only the two-digit issue count changes
    base = {"hk_macao_permit": 9, "taiwan_permit": 8}.get(doc_type)
    return Document(doc_type, text[:base] if base else text, None)


def document_candidates(text: str) -> list[str]:
    """The normalised numbers a scanned or typed text may stand for (for matching at the door):
    the text itself, and for a travel permit also without the two-digit issue count."""
    number = normalise_id(text).replace("-", "")
    if not re.fullmatch(r"[A-Z0-9]{5,18}", number):
        return []
    found = [number]
    if _HK_MACAO_SHAPE.match(number) and len(number) == 11:
        found.append(number[:9])
    if _TAIWAN_SHAPE.match(number) and len(number) == 10:
        found.append(number[:8])
    return found


# an 18-character number inside a card reader's line (a foreign permanent residence ID card)
_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Z])[0-9]{17}[0-9X](?![0-9A-Z])")


def match_document(db: Database, secret: bytes, text: str) -> tuple[str, str] | None:
    """(person's number, document number) for a document of any type typed alone, or an
    18-character number in a card reader's line; None when it is nobody's. Only hashes are
    compared; nothing is stored or logged."""
    upper = unicodedata.normalize("NFKC", text).upper()
    numbers = document_candidates(text)
    numbers += [m for m in _NUMBER_IN_TEXT.findall(upper) if m not in numbers]
    for number in numbers:
        row = db.execute("SELECT number FROM people WHERE id_hash = ?", [id_hash(secret, number)]).fetchone()
        if row is not None:
            return str(row[0]), number
    return None


def find_by_document(db: Database, text: str) -> str | None:
    """The number (A001…) of the person whose identity document is `text` (any type, typed or
    read by a scanner), or None."""
    from checkin.event import id_secret

    found = match_document(db, id_secret(db), text)
    return found[0] if found else None


def document_matches(secret: bytes, typed: str, stored_hash: str) -> bool:
    """Whether a typed or scanned document number is the one stored as `stored_hash` (any type)."""
    return any(hmac.compare_digest(id_hash(secret, n), stored_hash) for n in document_candidates(typed))
