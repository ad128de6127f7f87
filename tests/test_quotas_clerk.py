"""Places per category as a clerk reads `select`'s lines (issue 17 audit): the figures of one
line add up — places, chosen, short — whichever pass of the selection chose the people."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from checkin.event import Event, create_event
from checkin.importer import import_file
from checkin.selection import select
from checkin.storage import memory_db
from tests.conftest import EVENT_DATE, person_row, write_csv


def test_a_quota_line_counts_its_own_people_whichever_pass_chose_them(tmp_path: Path) -> None:
    # 30 places, 企业代表 25 of them, citizens at least 1/3: 20 enterprise representatives sign
    # up first, then 20 citizens. The share holds the enterprises back in the first pass; the
    # places the quotas left then go in sign-up order, and all 20 enterprises come in — in
    # their own quota, which had room: 选出 20，差 5, never 差 15 (nor 另从空出名额 10 人).
    db = memory_db()
    create_event(
        db,
        Event(title="开放日", date=EVENT_DATE, capacity=30, min_citizen_share=Fraction(1, 3),
              quotas={"enterprise": 25}),
    )  # fmt: skip
    rows = [person_row(i, category="企业代表", at=f"2026-11-20 09:{i:02d}") for i in range(1, 21)]
    rows += [person_row(i, at=f"2026-11-20 10:{i:02d}") for i in range(21, 41)]
    import_file(db, write_csv(tmp_path / "报名表.csv", rows))
    result = select(db)
    enterprise = next(line for line in result.quotas if line.key == "enterprise")
    invited = db.execute("SELECT COUNT(*) FROM people WHERE status = 'invited' AND category = 'enterprise'")
    assert invited.fetchone()[0] == 20
    assert (enterprise.filled, enterprise.extra) == (20, 0)
    problems = [params for key, params in result.warnings if key == "select.quota_not_filled"]
    assert [(p["filled"], p["short"], p["why"]) for p in problems] == [(20, 5, "few")]
    assert result.citizens == 10 and result.counted == 30


def test_a_number_of_places_in_quotes_is_shown_in_its_quotes(tmp_path: Path) -> None:
    # "群众代表+科技特派员" = "28" (typed by hand): the message said 名额数无效：28（应为0或正整数） —
    # 28 is one; the quotes are what is wrong
    from checkin.errors import CheckinError
    from checkin.event import event_from_toml

    toml = tmp_path / "event.toml"
    toml.write_text(
        '[event]\ntitle = "开放日"\ndate = 2026-12-18\n[event.quotas]\n"群众代表+科技特派员" = "28"\n',
        encoding="utf-8",
    )
    with pytest.raises(CheckinError) as refused:
        event_from_toml(toml)
    assert '"28"' in refused.value.message() and "without quotes" in refused.value.message()
