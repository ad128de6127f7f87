"""Each rule has one home: who is in (the live_checkins view), the citizen share (on Fraction),
the door's and the board's counts of who is inside."""

from __future__ import annotations

import re
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
from sqlite_utils import Database

from checkin.board import build_board
from checkin.categories import citizen_share, share_met
from checkin.door import Door
from checkin.storage import open_db

ROOT = Path(__file__).resolve().parent.parent
LIVE_RULE = re.compile(
    r"annulled_at\s+IS\s+NULL\s+(AND|\"\s*\")\s*\"?\s*(c\.)?duplicate_of\s+IS\s+NULL", re.I
)


@pytest.fixture
def db(demo: Path) -> Iterator[Database]:
    with open_db(demo) as database:
        database.execute("UPDATE event SET checks = 'none'")
        yield database


def test_the_live_rule_is_written_only_in_the_schema() -> None:
    found = []
    for folder in ("checkin", "screens"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name == "storage.py":
                continue  # the migrations: the unique index, the attendance view, live_checkins
            text = re.sub(r'"\s*\n\s*"', "", path.read_text(encoding="utf-8"))  # join split SQL
            found += [f"{path.relative_to(ROOT)}" for _ in LIVE_RULE.finditer(text)]
    assert found == []


def test_live_checkins_is_who_is_in_and_keeps_the_index(db: Database) -> None:
    numbers = [r[0] for r in db.execute("SELECT number FROM people WHERE status = 'invited' LIMIT 3")]
    door = Door(db, "东门", "小王")
    for number in numbers:
        assert door.judge(number).admitted
    door.db.execute("UPDATE checkins SET duplicate_of = 'x' WHERE number = ?", [numbers[1]])
    door.annul(numbers[2], "scanned by mistake", "246813")
    live = {r[0] for r in db.execute("SELECT number FROM live_checkins")}
    assert live == {numbers[0]}
    query = "EXPLAIN QUERY PLAN SELECT at FROM live_checkins WHERE number = ?"
    plan = " ".join(str(r[3]) for r in db.execute(query, ["A001"]))
    assert "checkins_one_live" in plan


def test_the_citizen_share_is_exact() -> None:
    assert citizen_share(1, 3) == Fraction(1, 3)
    assert citizen_share(0, 0) is None
    assert share_met(1, 3, Fraction(1, 3))  # a float would make 1/3 of 3 fall short or not by rounding
    assert not share_met(33, 100, Fraction(1, 3))
    assert share_met(0, 0, Fraction(1, 3))
    for share in (Fraction(0), Fraction(1, 3), Fraction(34, 100), Fraction(1)):
        for counted in range(13):
            for citizens in range(counted + 1):
                exact = citizen_share(citizens, counted)
                assert share_met(citizens, counted, share) == (exact is None or exact >= share)


def test_door_and_board_count_the_same_people_inside(db: Database) -> None:
    door = Door(db, "东门", "小王")
    for (number,) in db.execute("SELECT number FROM people WHERE status = 'invited' LIMIT 5").fetchall():
        door.judge(number)
    board = build_board(db)
    assert door.present_counts() == (board.counted_present, board.citizens_present)
    assert door.present_counts()[0] >= 1


def _sources() -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for folder in ("checkin", "screens")
        for path in sorted((ROOT / folder).rglob("*.py"))
    }


def test_people_enter_the_file_one_way() -> None:
    # import, walk-ins at the door and walk-ins merged from a bundle all go through people.add_people
    adding = re.compile(
        r"INSERT\s+(OR\s+\w+\s+)?INTO\s+people\b|table\(\s*\"people\"\s*\)\.(insert|upsert)|MAX\(seq\)"
    )
    found = sorted(name for name, text in _sources().items() if adding.search(text))
    # packseal: the sealed pack's trigger that writes the temp people back into the file
    assert found == ["checkin/packseal.py", "checkin/people.py"]


def test_suggestions_are_numbered_one_way() -> None:
    numbering = re.compile(r"f\"S\{")
    assert sorted(name for name, text in _sources().items() if numbering.search(text)) == [
        "checkin/ledger.py"
    ]


def test_who_was_turned_away_is_decided_in_one_place() -> None:
    # came, refused and never admitted (到场未入场): board.turned_away, which the report, the
    # results file and the attendance export read — none of them counts refusals itself
    refusals = re.compile(r"verdict\s*=\s*'refused'")
    assert sorted(name for name, text in _sources().items() if refusals.search(text)) == ["checkin/board.py"]


def test_no_test_module_imports_another() -> None:
    # shared helpers live in tests/helpers.py (fixtures in conftest.py), never in a test module
    importing = re.compile(
        r"^\s*(from\s+tests(\.reliability)?\.test_\w+\s+import|import\s+tests(\.reliability)?\.test_)", re.M
    )
    found = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*.py")
        if importing.search(path.read_text(encoding="utf-8"))
    )
    assert found == []


def test_the_readme_layout_lists_every_module() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    modules = [
        f"{folder}/{path.name}"
        for folder in ("checkin", "screens", "benchmarks")
        for path in sorted((ROOT / folder).glob("*.py"))
    ]
    assert [m for m in modules if f"`{m}`" not in layout] == []
