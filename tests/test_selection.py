"""Selection by sign-up order with the citizen share, and confirmation moving the list."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from checkin.errors import CheckinError
from checkin.importer import import_file
from checkin.selection import confirm, select
from tests.conftest import person_row, write_csv

CIT, ENT, MEDIA, NPC = "群众代表", "企业代表", "媒体记者", "人大代表"


def load(db: Database, tmp_path: Path, cats: list[str], direct: set[int] | None = None) -> None:
    """One person per category, signing up a minute apart in the order given."""
    rows = [
        person_row(
            i,
            category=c,
            at=f"2026-12-01 09:{i:02d}",
            invitation="定向邀请" if i in (direct or set()) else "报名",
        )
        for i, c in enumerate(cats)
    ]
    import_file(db, write_csv(tmp_path / "s.csv", rows))


def numbers(*seqs: int) -> list[str]:
    return [f"A{s:03d}" for s in seqs]


def test_signup_order_fills_capacity(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, [CIT] * 8)
    result = select(db)
    assert result.invited == numbers(1, 2, 3, 4, 5, 6)
    assert result.waiting == numbers(7, 8)
    assert result.citizen_share == 1


def test_non_citizens_wait_when_they_would_break_the_share(db: Database, tmp_path: Path) -> None:
    # capacity 6, share 1/3 → at least 2 citizens; 5 enterprises sign up first
    load(db, tmp_path, [ENT] * 5 + [CIT] * 3)
    result = select(db)
    assert result.invited == numbers(1, 2, 3, 4, 6, 7)
    assert result.waiting == numbers(5, 8)
    assert result.citizen_share == Fraction(1, 3)
    assert result.warnings == []


def test_exact_share_boundary_with_no_later_citizens(db: Database, tmp_path: Path) -> None:
    # 2 citizens first, then only enterprises: 2/6 is exactly one third → allowed
    load(db, tmp_path, [CIT, CIT] + [ENT] * 6)
    result = select(db)
    assert result.invited == numbers(1, 2, 3, 4, 5, 6)
    assert result.citizen_share == Fraction(1, 3)


def test_too_few_citizens_limits_the_list_and_says_so(db: Database, tmp_path: Path) -> None:
    # one citizen can carry at most 3 places at 1/3
    load(db, tmp_path, [ENT] * 6 + [CIT])
    result = select(db)
    assert sorted(result.invited) == numbers(1, 2, 7)
    assert result.citizen_share == Fraction(1, 3)
    assert [code for code, _ in result.warnings] == ["select.not_full"]


def test_direct_invitees_first_and_share_warning(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, [CIT, NPC, NPC, NPC, NPC, NPC], direct={1, 2, 3, 4, 5})
    result = select(db)
    assert result.invited[:5] == numbers(2, 3, 4, 5, 6)
    assert result.invited[5] == "A001"
    assert result.citizen_share == Fraction(1, 6)
    assert "select.share_not_met" in [code for code, _ in result.warnings]


def test_media_do_not_take_a_place(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, [MEDIA, MEDIA] + [CIT] * 7)
    result = select(db)
    assert result.counted == 6
    assert set(numbers(1, 2)) <= set(result.invited)
    assert len(result.invited) == 8
    assert result.waiting == numbers(9)


def test_zero_share_means_plain_signup_order(db: Database, tmp_path: Path) -> None:
    db.execute("UPDATE event SET min_citizen_share = '0'")
    load(db, tmp_path, [ENT] * 7)
    assert select(db).invited == numbers(1, 2, 3, 4, 5, 6)


def test_decline_moves_next_person_up(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, [CIT] * 8)
    select(db)
    result = confirm(db, "a003", "declined")
    assert result.moved_up == "A007"
    statuses = dict(db.execute("SELECT number, status FROM people").fetchall())
    assert statuses["A003"] == "declined" and statuses["A007"] == "invited"


def test_decline_skips_waiting_non_citizen_that_breaks_share(db: Database, tmp_path: Path) -> None:
    # invited: 4 enterprise + 2 citizens (share 1/3 exactly); waiting: enterprise, citizen
    load(db, tmp_path, [ENT] * 4 + [CIT, CIT, ENT, CIT])
    select(db)
    result = confirm(db, "A005", "declined")  # a citizen declines
    assert result.moved_up == "A008"  # the enterprise A007 would leave 1/6 citizens


def test_decline_with_no_keeper_leaves_place_free(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, [ENT] * 4 + [CIT, CIT, ENT])
    select(db)
    result = confirm(db, "A006", "declined")
    assert result.moved_up is None and result.no_replacement


def test_media_declining_moves_nobody(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, [MEDIA] + [CIT] * 7)
    select(db)
    result = confirm(db, "A001", "declined")
    assert result.moved_up is None and not result.no_replacement


def test_confirmed_people_keep_their_place_on_reselect(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, [CIT] * 8)
    select(db)
    confirm(db, "A006", "confirmed")
    db.execute("UPDATE people SET signed_up_at = '2026-01-01 00:00' WHERE number = 'A008'")
    result = select(db)
    assert "A006" in result.invited and "A008" in result.invited
    assert "A005" in result.waiting


def test_confirm_errors(db: Database, tmp_path: Path) -> None:
    load(db, tmp_path, [CIT] * 8)
    select(db)
    with pytest.raises(CheckinError) as info:
        confirm(db, "A099", "confirmed")
    assert info.value.key == "people.unknown_number"
    with pytest.raises(CheckinError) as info:
        confirm(db, "A008", "confirmed")
    assert info.value.key == "confirm.not_invited"
    confirm(db, "A001", "declined")
    with pytest.raises(CheckinError) as info:
        confirm(db, "A001", "confirmed")
    assert info.value.key == "confirm.already_declined"
    assert confirm(db, "A002", "unreachable").moved_up is None


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    cats=st.lists(st.sampled_from([CIT, ENT, NPC, MEDIA]), min_size=1, max_size=20),
    capacity=st.integers(1, 10),
)
def test_share_always_holds_without_direct_invitees(
    tmp_path_factory: pytest.TempPathFactory, cats: list[str], capacity: int
) -> None:
    from checkin.event import Event, create_event
    from checkin.storage import memory_db
    from tests.conftest import EVENT_DATE

    db = memory_db()
    create_event(db, Event(title="p", date=EVENT_DATE, capacity=capacity))
    load(db, tmp_path_factory.mktemp("s"), cats)
    result = select(db)
    assert result.counted <= capacity
    if result.counted:
        assert result.citizens * 3 >= result.counted
    # nobody in capacity waits while a place is free and taking them keeps the share
    citizens_waiting = db.execute(
        "SELECT COUNT(*) FROM people WHERE status = 'waiting' AND category = 'citizen'"
    ).fetchone()[0]
    assert citizens_waiting == 0 or result.counted == capacity
