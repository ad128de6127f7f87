"""Phone numbers as offices write them: mobiles, and landlines whose area code has 3 or 4 digits."""

from __future__ import annotations

import pytest

from checkin.errors import CheckinError
from checkin.phone import mask_phone, parse_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("025-84561234", "025-84561234"),  # Nanjing: written 0258-4561234 before the fix
        ("02584561234", "025-84561234"),
        ("010 6512 3456", "010-65123456"),
        ("(020)83456789", "020-83456789"),
        ("0371-6789012", "0371-6789012"),
        ("075512345678", "0755-12345678"),
        ("０２５－８４５６１２３４", "025-84561234"),  # full-width, as typed with a Chinese IME
    ],
)
def test_landlines_keep_their_area_code(raw: str, expected: str) -> None:
    assert parse_phone(raw) == expected


def test_a_number_that_is_neither_is_refused_masked() -> None:
    with pytest.raises(CheckinError) as err:
        parse_phone("12345")
    assert "12345" not in str(err.value.params)


def test_masking_keeps_the_area_code_and_the_last_four() -> None:
    assert mask_phone("025-84561234") == "025-****1234"
    assert mask_phone("13812345678") == "138****5678"
