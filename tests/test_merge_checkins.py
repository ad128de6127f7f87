"""Who is in after a merge: the earliest live check-in of each person (time, then uid); every
other live one points to it (`duplicate_of`); annulled ones stay as they were. The same end
state whatever the order of the bundles, however often one is merged, and whether the earlier
check-in was in the office file already or arrives in a bundle."""

from __future__ import annotations

import copy
import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checkin.demo import build_demo
from checkin.door import Door
from checkin.keys import issue_token
from checkin.pack import station_pack
from checkin.storage import open_db
from checkin.sync import (
    OFFICE_SEAL_PUBLIC,
    STATION_PRIVATE,
    export_bundle,
    merge_bundles,
    station_records,
    write_bundle,
)
from tests.helpers import ManualClock, event_day_clock

CLOCK = event_day_clock(11)


@pytest.fixture(autouse=True)
def clock() -> ManualClock:
    CLOCK.tick = 0
    return CLOCK


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[str], list[str]]]:
    folder = tmp_path_factory.mktemp("winners")
    office = folder / "office.db"
    db, _, _ = build_demo(office)
    db.execute("UPDATE event SET checks = 'none'")
    numbers = [r[0] for r in db.execute("SELECT number FROM people WHERE status = 'invited' ORDER BY seq")]
    tokens = [issue_token(db, n).token for n in numbers[:8]]
    db.conn.close()
    yield office, numbers[:8], tokens


@pytest.fixture
def office(template: tuple[Path, list[str], list[str]], tmp_path: Path) -> Path:
    path = tmp_path / "office.db"
    shutil.copy(template[0], path)
    return path


def scan(pack: Path, station: str, token: str, tick: int) -> None:
    CLOCK.tick = tick
    with open_db(pack) as db:
        assert Door(db, station, "x", clock=CLOCK).scan(token).admitted


def checkins(office: Path) -> list[tuple[Any, ...]]:
    with open_db(office) as db:
        return db.execute(
            "SELECT uid, number, at, station, annulled_at, duplicate_of FROM checkins ORDER BY uid"
        ).fetchall()


def assert_earliest_wins(rows: list[tuple[Any, ...]]) -> None:
    """Each person with a live check-in: exactly the earliest (at, uid) is in, the others point to it."""
    live: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        if row[4] is None:
            live.setdefault(row[1], []).append(row)
    for entries in live.values():
        winner = min(entries, key=lambda r: (r[2], r[0]))
        assert winner[5] is None
        assert all(r[5] == winner[0] for r in entries if r is not winner)


def test_any_order_any_repeat_the_same_check_ins(office: Path, template: tuple, tmp_path: Path) -> None:
    _, numbers, tokens = template
    east, west, north = (station_pack(office, s, tmp_path / f"{s}.db") for s in ("东门", "西门", "北门"))
    scan(east, "东门", tokens[0], 5)
    scan(west, "西门", tokens[0], 3)  # guest 0 at three doors: the west door was first
    scan(north, "北门", tokens[0], 9)
    scan(east, "东门", tokens[1], 1)
    with open_db(east) as db:
        Door(db, "东门", "x", clock=CLOCK).annul(numbers[1], "wrong person", "246813")
    scan(west, "西门", tokens[1], 4)  # guest 1: the east check-in was annulled, the west one counts
    scan(east, "东门", tokens[2], 6)
    scan(west, "西门", tokens[2], 6)  # guest 2: the same second at two doors; the uid decides
    scan(north, "北门", tokens[3], 2)
    bundles = [export_bundle(p, p.with_suffix(".sqlite")) for p in (east, west, north)]
    results = []
    for order in itertools.permutations(bundles):
        master = tmp_path / "master.db"
        for part in tmp_path.glob("master.db*"):
            part.unlink()
        shutil.copy(office, master)
        merge_bundles(master, [*order, order[0]])
        merge_bundles(master, list(reversed(order)))
        results.append(checkins(master))
    assert all(r == results[0] for r in results)
    rows = results[0]
    assert len(rows) == 8
    assert_earliest_wins(rows)
    live = {r[1]: r[3] for r in rows if r[4] is None and r[5] is None}
    _, first_uid_station = min((r[0], r[3]) for r in rows if r[1] == numbers[2])
    assert live == {numbers[0]: "西门", numbers[1]: "西门", numbers[2]: first_uid_station, numbers[3]: "北门"}


def test_an_earlier_check_in_in_a_bundle_takes_over_from_the_office_door(
    office: Path, template: tuple, tmp_path: Path
) -> None:
    """The office's own door let guest 4 in at :07; the east door's bundle has her at :02. The
    office's check-in must step back BEFORE the bundle's is written (one live check-in per person
    is a unique index): she is in once, from :02, and the report says so."""
    _, numbers, tokens = template
    east = station_pack(office, "东门", tmp_path / "east.db")
    scan(east, "东门", tokens[4], 2)
    scan(office, "办公室", tokens[4], 7)
    scan(office, "办公室", tokens[5], 1)  # guest 5: the office door was first
    scan(east, "东门", tokens[5], 8)
    [report] = merge_bundles(office, [export_bundle(east, tmp_path / "east.sqlite")])
    rows = checkins(office)
    assert_earliest_wins(rows)
    live = {r[1]: r[3] for r in rows if r[4] is None and r[5] is None}
    assert live[numbers[4]] == "东门" and live[numbers[5]] == "办公室"
    doubles = {(d["number"], d["kept"]["station"], d["also"]["station"]) for d in report.double_checkins}
    assert doubles == {(numbers[4], "东门", "办公室"), (numbers[5], "办公室", "东门")}
    assert report.added["checkins"] == 2


def test_an_annulment_merged_later_lets_the_next_check_in_count(
    office: Path, template: tuple, tmp_path: Path
) -> None:
    """East admitted guest 6 first and west later; merged, east's counts. East then annuls its
    check-in and its bundle is merged again: west's check-in, written long before, is now the one."""
    _, numbers, tokens = template
    east, west = (
        station_pack(office, "东门", tmp_path / "east.db"),
        station_pack(office, "西门", tmp_path / "west.db"),
    )
    scan(east, "东门", tokens[6], 1)
    scan(west, "西门", tokens[6], 3)
    merge_bundles(
        office, [export_bundle(east, tmp_path / "e1.sqlite"), export_bundle(west, tmp_path / "w.sqlite")]
    )
    assert {r[3] for r in checkins(office) if r[4] is None and r[5] is None} == {"东门"}
    CLOCK.tick = 20
    with open_db(east) as db:
        Door(db, "东门", "x", clock=CLOCK).annul(numbers[6], "wrong person", "246813")
    [report] = merge_bundles(office, [export_bundle(east, tmp_path / "e2.sqlite")])
    rows = checkins(office)
    assert_earliest_wins(rows)
    assert [(r[3], r[4] is None, r[5]) for r in rows if r[1] == numbers[6] and r[4] is None] == [
        ("西门", True, None)
    ]
    assert report.added["checkins"] == 0 and report.already["checkins"] == 1


def test_a_check_in_twice_in_one_bundle_counts_once_as_first_written(
    office: Path, template: tuple, tmp_path: Path
) -> None:
    _, numbers, tokens = template
    east = station_pack(office, "东门", tmp_path / "east.db")
    scan(east, "东门", tokens[7], 4)
    event_id, station, secrets, tables = station_records(east)
    again = copy.deepcopy(tables["checkins"][0])
    again[2] = "2026-12-18T11:00:01.000"
    tables["checkins"].append(again)
    out = write_bundle(
        tmp_path / "twice.sqlite",
        event_id,
        station,
        tables,
        secrets[STATION_PRIVATE],
        secrets[OFFICE_SEAL_PUBLIC],
    )
    [report] = merge_bundles(office, [out])
    assert (report.added["checkins"], report.already["checkins"]) == (1, 1)
    assert [(r[1], r[2]) for r in checkins(office)] == [(numbers[7], "2026-12-18T11:00:04.000")]
