"""The merge checks the three big tables of a bundle (scans, check-ins, check results) column by
column, not row by row; here every column of each is given a value its row validator refuses —
in the LAST row of a bundle of many, among values the column check accepts — and the bundle
must still be refused whole, in words, naming that row and value, the office file unchanged.

Each case asserts both halves: the column check does not pass the table (it is never looser
than the row validator), and the merge refuses. Skipping either check fails these tests.
"""

from __future__ import annotations

import copy
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checkin import sync
from checkin.demo import build_demo
from checkin.door import Door
from checkin.errors import CheckinError
from checkin.keys import issue_token
from checkin.pack import station_pack
from checkin.storage import open_db
from checkin.sync import (
    COLUMNS,
    OFFICE_SEAL_PUBLIC,
    STATION_PRIVATE,
    merge_bundles,
    station_records,
    write_bundle,
)
from tests.helpers import event_day_clock

Tables = dict[str, list[list[Any]]]
GUESTS = 12


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, Tables]]:
    """An office file, its door pack 东门 after 12 admissions, a refused scan and a walk-in,
    and the pack's tables with a check result for every admission (id card seen)."""
    folder = tmp_path_factory.mktemp("columns")
    office = folder / "office.db"
    db, _, _ = build_demo(office)
    db.execute("UPDATE event SET checks = 'none'")
    numbers = [r[0] for r in db.execute("SELECT number FROM people WHERE status = 'invited' ORDER BY seq")]
    tokens = [issue_token(db, n).token for n in numbers[:GUESTS]]
    db.conn.close()
    pack = station_pack(office, "东门", folder / "east.db")
    clock = event_day_clock(10)
    with open_db(pack) as station:
        door = Door(station, "东门", "小王", clock=clock)
        for i, token in enumerate(tokens):
            clock.tick = i
            assert door.scan(token).admitted
        clock.tick = 99
        door.scan("not an invitation")
    _, _, _, tables = station_records(pack)
    by_number = {row[1]: row[0] for row in tables["checkins"]}
    tables["check_results"] = [
        [scan[0], by_number[scan[7]], scan[7], "id_card", "seen", 1]
        for scan in tables["scans"]
        if scan[7] in by_number
    ]
    assert len(tables["scans"]) == GUESTS + 1 and len(tables["check_results"]) == GUESTS
    yield office, pack, tables


def digest(office: Path) -> str:
    h = hashlib.sha256()
    for part in (office, office.with_name(office.name + "-wal")):
        if part.exists():
            h.update(part.read_bytes())
    return h.hexdigest()


def bundle_of(pack: Path, tables: Tables, out: Path) -> Path:
    event_id, station, secrets, _ = station_records(pack)
    return write_bundle(out, event_id, station, tables, secrets[STATION_PRIVATE], secrets[OFFICE_SEAL_PUBLIC])


def column_checks_pass(office: Path, tables: Tables, upto: str) -> bool:
    """The column checks of scans, check-ins and check results, in the merge's order, up to `upto`."""
    ctx = sync._Context(sync._read_office(office), "东门")
    for table in ("scans", "checkins", "check_results"):
        if not sync._fast_fine(table, tables[table], ctx):
            return False
        if table == upto:
            return True
    raise AssertionError(upto)


def test_a_good_bundle_passes_the_column_checks_and_merges(
    made: tuple[Path, Path, Tables], tmp_path: Path
) -> None:
    """The control: the cases below differ from this bundle in one value only."""
    office_template, pack, tables = made
    office = tmp_path / "office.db"
    shutil.copy(office_template, office)
    assert column_checks_pass(office, tables, "check_results")
    [report] = merge_bundles(office, [bundle_of(pack, tables, tmp_path / "good.sqlite")])
    assert (report.added["scans"], report.added["checkins"], report.added["check_results"]) == (
        GUESTS + 1,
        GUESTS,
        GUESTS,
    )


LONG = "长" * 51  # operators: at most 50
# (table, column, bad value, the field the refusal names)
CASES: list[tuple[str, str, Any, str]] = [
    ("scans", "uid", "X" * 32, "uid"),
    ("scans", "uid", "a" * 31, "uid"),
    ("scans", "uid", 12345, "uid"),
    ("scans", "at", "2026-12-17T10:00:00.000", "at"),
    ("scans", "at", "2026-12-18T10:00:00+08:00", "at"),
    ("scans", "at", "2026-12-18T25:00:00", "at"),
    ("scans", "at", "yesterday", "at"),
    ("scans", "at", None, "at"),
    ("scans", "station", "西门", "station"),
    ("scans", "operator", "小\x00王", "operator"),
    ("scans", "operator", "\x1b]52;c;ZXZpbA==\x07", "operator"),
    ("scans", "operator", LONG, "operator"),
    ("scans", "operator", 7, "operator"),
    ("scans", "method", "teleport", "method"),
    ("scans", "method", None, "method"),
    ("scans", "verdict", "'); DROP TABLE people; --", "verdict"),
    ("scans", "reason", "because", "reason"),
    ("scans", "number", "A999999", "number"),
    ("scans", "number", 1, "number"),
    ("scans", "token_seq", -1, "token_seq"),
    ("scans", "token_seq", 2**32, "token_seq"),
    ("scans", "token_seq", True, "token_seq"),
    ("scans", "token_seq", 1.0, "token_seq"),
    ("scans", "token_seq", "1", "token_seq"),
    ("scans", "token_counter", 2**16, "token_counter"),
    ("scans", "token_key", -3, "token_key"),
    ("checkins", "uid", "g" * 32, "uid"),
    ("checkins", "number", "A999999", "number"),
    ("checkins", "number", None, "number"),
    ("checkins", "at", "2099-12-18T10:00:00.000", "at"),
    ("checkins", "at", 20261218, "at"),
    ("checkins", "station", "西门", "station"),
    ("checkins", "operator", "小\n王", "operator"),
    ("checkins", "operator", None, "operator"),
    ("checkins", "method", "magic", "method"),
    ("checkins", "override_reason", "\x07", "reason"),
    ("checkins", "annulled_at", "2026-12-18T09:00:00.000", "annulled_at"),
    ("checkins", "annulled_by", "小王", "annulled_by"),
    ("check_results", "scan_uid", "d" * 32, "scan_uid"),
    ("check_results", "scan_uid", None, "scan_uid"),
    ("check_results", "checkin_uid", "e" * 32, "checkin_uid"),
    ("check_results", "number", "A999999", "number"),
    ("check_results", "name", "n" * 51, "value"),
    ("check_results", "value", "seen\x1b[2J", "value"),
    ("check_results", "value", None, "value"),
    ("check_results", "passed", 2, "passed"),
    ("check_results", "passed", True, "passed"),
    ("check_results", "passed", 1.0, "passed"),
    ("check_results", "passed", None, "passed"),
]


def case_id(case: tuple[str, str, Any, str]) -> str:
    return f"{case[0]}.{case[1]}={case[2]!r}"[:60]


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_one_bad_value_in_the_last_row_refuses_the_bundle(
    made: tuple[Path, Path, Tables], tmp_path: Path, case: tuple[str, str, Any, str]
) -> None:
    office_template, pack, tables = made
    table, column, value, field = case
    office = tmp_path / "office.db"
    shutil.copy(office_template, office)
    bad = copy.deepcopy(tables)
    rows = bad[table]
    last = len(rows) - 1
    if table == "scans" and column == "number":
        last = next(i for i in reversed(range(len(rows))) if rows[i][7] is not None)  # an admission
    rows[last][COLUMNS[table].index(column)] = value
    assert not column_checks_pass(office, bad, table)
    path = bundle_of(pack, bad, tmp_path / "bad.sqlite")
    good = bundle_of(pack, tables, tmp_path / "good.sqlite")
    before = digest(office)
    with pytest.raises(CheckinError) as info:
        merge_bundles(office, [good, path])
    assert digest(office) == before
    assert info.value.key == "sync14.invalid", info.value.message()
    assert (info.value.params["row"], info.value.params["field"]) == (last + 1, field)
    assert str(last + 1) in info.value.message()


def test_a_true_hidden_among_ones_is_still_refused(made: tuple[Path, Path, Tables], tmp_path: Path) -> None:
    """`{1, True}` is one value to a set: the column check looks at every value's type."""
    office_template, pack, tables = made
    office = tmp_path / "office.db"
    shutil.copy(office_template, office)
    bad = copy.deepcopy(tables)
    bad["check_results"][3][5] = True
    assert {row[5] for row in bad["check_results"]} == {1}
    assert not column_checks_pass(office, bad, "check_results")
    with pytest.raises(CheckinError) as info:
        merge_bundles(office, [bundle_of(pack, bad, tmp_path / "bad.sqlite")])
    assert (info.value.params["row"], info.value.params["field"]) == (4, "passed")


def test_merged_again_only_what_is_new_is_added_and_counted(
    made: tuple[Path, Path, Tables], tmp_path: Path
) -> None:
    """An early bundle of the door (without its last three admissions), then the full one, then
    both again: each row is written once, and each report counts what it added and what was there."""
    office_template, pack, tables = made
    office = tmp_path / "office.db"
    shutil.copy(office_template, office)
    late = {row[1] for row in tables["checkins"][-3:]}
    early = copy.deepcopy(tables)
    early["scans"] = [r for r in early["scans"] if r[7] not in late]
    early["checkins"] = [r for r in early["checkins"] if r[1] not in late]
    early["check_results"] = [r for r in early["check_results"] if r[2] not in late]
    first, full = (
        bundle_of(pack, early, tmp_path / "early.sqlite"),
        bundle_of(pack, tables, tmp_path / "full.sqlite"),
    )
    merge_bundles(office, [first])
    [report] = merge_bundles(office, [full])
    big = ("scans", "checkins", "check_results")
    assert [report.added[t] for t in big] == [3, 3, 3]
    assert [report.already[t] for t in big] == [len(tables[t]) - 3 for t in big]
    again = merge_bundles(office, [first, full])
    assert all(
        r.added[t] == 0 and r.already[t] == len(b[t])
        for r, b in zip(again, (early, tables), strict=True)
        for t in big
    )
    with open_db(office) as db:
        counts = [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in big]
    assert counts == [GUESTS + 1, GUESTS, GUESTS]
