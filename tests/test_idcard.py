"""GB 11643-1999 ID numbers: check digit, area code, birth date, masking, hashing."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checkin.errors import CheckinError
from checkin.idcard import (
    age_on,
    check_char,
    id_hash,
    mask_id,
    parse_id,
)

# The worked example of GB 11643-1999.
KNOWN_GOOD = ["11010519491231002X"]


@pytest.mark.parametrize("number", KNOWN_GOOD)
def test_known_good_numbers_pass(number: str) -> None:
    assert parse_id(number).number == number


def test_lower_case_x_is_accepted_and_upper_cased() -> None:
    assert parse_id("11010519491231002x").number == "11010519491231002X"


def test_full_width_digits_and_spaces_are_normalised() -> None:
    assert parse_id(" １１０１０５１９４９１２３１００２Ｘ ").number == "11010519491231002X"


def test_check_char_of_standard_example_is_x() -> None:
    assert check_char("11010519491231002") == "X"


def test_check_char_hand_computed() -> None:
    # 3*7+2*9+0*10+1*5+0*8+2*4+1*2+9*1+9*6+0*3+0*7+1*9+0*10+1*5+0*8+0*4+1*2 = 133; 133 % 11 = 1 → "0"
    assert check_char("32010219900101001") == "0"


def test_non_ascii_digits_are_refused() -> None:
    with pytest.raises(CheckinError):
        parse_id("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X")


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("", "id.missing"),
        ("1101051949123100", "id.length"),
        ("11010519491231002Y", "id.characters"),
        ("99010519491231002X", "id.area"),
        ("110000194912310029", "id.area"),
        ("110105194902300021", "id.birth_date"),
        ("110105203001010021", "id.birth_date"),
        ("110105194912310021", "id.check_digit"),
        ("1.10101199001011E+17", "id.excel_number"),
    ],
)
def test_rejections_name_their_reason(raw: str, key: str) -> None:
    with pytest.raises(CheckinError) as info:
        parse_id(raw, today=dt.date(2026, 1, 1))
    assert info.value.key == key


@given(
    st.from_regex(r"\A(11|32|44)0[1-9]0[1-9](19[5-9][0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}\Z")
)
def test_any_number_with_computed_check_char_passes(first17: str) -> None:
    number = first17 + check_char(first17)
    assert parse_id(number, today=dt.date(2026, 1, 1)).number == number


@given(
    st.from_regex(r"\A320102(19[5-9][0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}\Z"),
    st.sampled_from("0123456789X"),
)
def test_a_wrong_check_char_always_fails(first17: str, wrong: str) -> None:
    if wrong == check_char(first17):
        wrong = "0" if wrong != "0" else "1"
    with pytest.raises(CheckinError) as info:
        parse_id(first17 + wrong, today=dt.date(2026, 1, 1))
    assert info.value.key == "id.check_digit"


def test_mask_keeps_only_last_four() -> None:
    assert mask_id("11010519491231002X") == "**************002X"
    assert len(mask_id("11010519491231002X")) == 18


def test_age_counts_birthday_on_event_day() -> None:
    birth = dt.date(2008, 12, 18)
    assert age_on(birth, dt.date(2026, 12, 17)) == 17
    assert age_on(birth, dt.date(2026, 12, 18)) == 18


def test_hash_depends_on_secret_and_ignores_case_of_x() -> None:
    a = id_hash(b"one", "11010519491231002X")
    assert a == id_hash(b"one", "11010519491231002x")
    assert a != id_hash(b"two", "11010519491231002X")
    assert "11010519491231002X" not in a
