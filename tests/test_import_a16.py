"""Sign-up import as a clerk's LibreOffice and Excel files really hold it (a16 adversarial)."""

from __future__ import annotations

import datetime as dt

import pytest

from checkin.importer import parse_signup_time


@pytest.mark.parametrize(
    "value",
    [
        46336.3958333333,  # 2026-11-10 09:30 as Excel 2007 writes it, 15 significant digits
        46336.395833,  # as a program that rounds to six decimals writes it
        dt.datetime(2026, 11, 10, 9, 29, 59, 971000),  # what the reader makes of that date cell
    ],
)
def test_a_date_cell_a_hair_short_of_the_minute_is_that_minute(value: object) -> None:
    # Excel shows 2026/11/10 9:30; the import stored 09:29:59 (the fraction was cut, not rounded)
    assert parse_signup_time(value, dt.date(2026, 12, 18)) == "2026-11-10 09:30:00"
