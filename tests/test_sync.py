"""Station bundles and the merge: idempotent, order-free, nothing lost or doubled."""

from __future__ import annotations

import itertools
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkin.cli import main as cli_main
from checkin.demo import build_demo
from checkin.door import Door
from checkin.errors import CheckinError
from checkin.keys import issue_token
from checkin.pack import station_pack
from checkin.storage import open_db
from checkin.survey import add_entry, allocate_forms
from checkin.sync import attendance_fingerprint, export_bundle, merge_bundles
from tests.conftest import valid_id
from tests.helpers import ManualClock, event_day_clock


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], list[str]]:
    """An office file with checks 'none', invitations issued, and two door packs made from it."""
    folder = tmp_path_factory.mktemp("office")
    office = folder / "office.db"
    db, _, _ = build_demo(office)
    db.execute("UPDATE event SET checks = 'none'")
    allocate_forms(db, 5)
    numbers = [
        r[0] for r in db.execute("SELECT number FROM people WHERE status = 'invited' ORDER BY queue_pos")
    ]
    tokens = [issue_token(db, n).token for n in numbers]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return office, numbers, tokens


@pytest.fixture
def office(template: tuple[Path, list[str], list[str]], tmp_path: Path) -> Path:
    path = tmp_path / "office.db"
    shutil.copy(template[0], path)
    return path


def pack(office: Path, name: str) -> Path:
    return station_pack(office, name, office.parent / f"{name}.db")


def bundle(station_db: Path) -> Path:
    return export_bundle(station_db, station_db.with_suffix(".sqlite"))


def all_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))


CLOCK = event_day_clock(13)


@pytest.fixture(autouse=True)
def clock() -> ManualClock:
    """Scan times on the event's day under the test's control: set clock.tick before each scan."""
    CLOCK.tick = 0
    return CLOCK


def test_same_guest_at_two_doors_counts_once_earliest_wins(
    office: Path, template: tuple, clock: ManualClock
) -> None:
    _, numbers, tokens = template
    east, west = pack(office, "东门"), pack(office, "西门")
    clock.tick = 10
    Door(open_db(west), "西门", "b", clock=CLOCK).scan(tokens[0])
    clock.tick = 5
    Door(open_db(east), "东门", "a", clock=CLOCK).scan(tokens[0])
    reports = merge_bundles(office, [bundle(west), bundle(east)])
    db = open_db(office)
    live = db.execute(
        "SELECT station, at FROM checkins WHERE annulled_at IS NULL AND duplicate_of IS NULL"
    ).fetchall()
    assert live == [("东门", "2026-12-18T13:00:05.000")]
    assert db.execute("SELECT COUNT(*) FROM checkins").fetchone()[0] == 2
    assert db.execute("SELECT COUNT(*) FROM scans").fetchone()[0] == 2
    assert reports[1].double_checkins[0]["number"] == numbers[0]
    assert db.execute("SELECT COUNT(*) FROM attendance WHERE checked_in_at IS NOT NULL").fetchone()[0] == 1


def test_merging_twice_changes_nothing(office: Path, template: tuple, clock: ManualClock) -> None:
    _, _, tokens = template
    east = pack(office, "东门")
    door = Door(open_db(east), "东门", "a", clock=CLOCK)
    for i, token in enumerate(tokens[:6]):
        clock.tick = i
        door.scan(token)
    door.scan("garbage")
    result = bundle(east)
    merge_bundles(office, [result])
    db = open_db(office)
    snapshot = [
        db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("scans", "checkins", "people")
    ]
    db.conn.close()
    again = merge_bundles(office, [result, result])
    db = open_db(office)
    assert [
        db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("scans", "checkins", "people")
    ] == snapshot
    assert sum(again[0].added.values()) == 0 and again[0].already["scans"] == 7


def test_same_walk_in_at_two_doors_is_one_person(office: Path, clock: ManualClock) -> None:
    east, west = pack(office, "东门"), pack(office, "西门")
    a = Door(open_db(east), "东门", "a", clock=CLOCK)
    b = Door(open_db(west), "西门", "b", clock=CLOCK)
    number_a = a.register_walk_in("路人甲", valid_id(900), "13900000000", "群众代表", "246813")
    number_b = b.register_walk_in("路人甲", valid_id(900), "13900000000", "群众代表", "246813")
    assert number_a == number_b
    clock.tick = 3
    a.judge(number_a)
    clock.tick = 4
    b.judge(number_b)
    merge_bundles(office, [bundle(east), bundle(west)])
    db = open_db(office)
    assert db.execute("SELECT COUNT(*) FROM people WHERE walk_in = 1").fetchone()[0] == 1
    assert (
        db.execute(
            "SELECT COUNT(*) FROM checkins WHERE number = ? AND annulled_at IS NULL AND duplicate_of IS NULL",
            [number_a],
        ).fetchone()[0]
        == 1
    )


def test_two_different_entries_for_one_form_are_flagged(office: Path) -> None:
    east, west = pack(office, "东门"), pack(office, "西门")
    add_entry(open_db(east), 1, [1, 1, 1, 1, 1], "好")
    add_entry(open_db(west), 1, [3, 3, 3, 3, 3], "差")
    add_entry(open_db(west), 2, [2, 2, 2, 2, 2], "")
    reports = merge_bundles(office, [bundle(east), bundle(west)])
    db = open_db(office)
    assert json.loads(db.execute("SELECT answers FROM survey_entries WHERE form = 1").fetchone()[0]) == [
        1,
        1,
        1,
        1,
        1,
    ]
    assert db.execute("SELECT COUNT(*) FROM survey_entries").fetchone()[0] == 2
    conflict = db.execute("SELECT kind, key, detail FROM merge_conflicts").fetchone()
    assert conflict[:2] == ("survey", "1/1") and json.loads(conflict[2])["answers"] == [3, 3, 3, 3, 3]
    assert reports[1].conflicts == [
        {"kind": "survey", "form": 1, "pass": 1, "station": "西门"}
    ]  # keyed on that laptop


def test_annulment_travels_and_the_next_check_in_wins(
    office: Path, template: tuple, clock: ManualClock
) -> None:
    _, numbers, tokens = template
    east, west = pack(office, "东门"), pack(office, "西门")
    door = Door(open_db(east), "东门", "a", clock=CLOCK)
    clock.tick = 1
    door.scan(tokens[1])
    door.annul(numbers[1], "wrong person", "246813")
    clock.tick = 9
    Door(open_db(west), "西门", "b", clock=CLOCK).scan(tokens[1])
    merge_bundles(office, [bundle(west), bundle(east)])
    db = open_db(office)
    live = db.execute(
        "SELECT station FROM checkins WHERE number = ? AND annulled_at IS NULL AND duplicate_of IS NULL",
        [numbers[1]],
    ).fetchall()
    assert live == [("西门",)]
    assert db.execute("SELECT COUNT(*) FROM activity WHERE action = 'annul'").fetchone()[0] == 1


@pytest.mark.parametrize("damage", ["truncate", "garbage", "other_event", "newer", "missing_table"])
def test_bad_bundles_leave_the_master_byte_for_byte(
    office: Path, template: tuple, tmp_path: Path, damage: str
) -> None:
    _, _, tokens = template
    east = pack(office, "东门")
    Door(open_db(east), "东门", "a", clock=CLOCK).scan(tokens[0])
    good = bundle(east)
    bad = tmp_path / "bad.sqlite"
    if damage == "truncate":
        bad.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    elif damage == "garbage":
        bad.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    else:
        shutil.copy(good, bad)
        conn = sqlite3.connect(bad)
        if damage == "other_event":
            conn.execute("UPDATE bundle_info SET header = replace(header, event_id, 'someone-else')")
        elif damage == "newer":
            conn.execute("UPDATE bundle_info SET format = 99")
        else:
            conn.execute("DROP TABLE bundle_info")
        conn.commit()
        conn.close()
    before = all_bytes(office)
    with pytest.raises(CheckinError) as info:
        merge_bundles(office, [good, bad])  # the good one is not merged either: checked first
    assert info.value.key in ("sync.corrupt", "sync.other_event", "sync.newer_format", "sync14.bad_signature")
    assert all_bytes(office) == before


def test_merge_cli_json(office: Path, template: tuple, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, tokens = template
    east = pack(office, "东门")
    Door(open_db(east), "东门", "a", clock=CLOCK).scan(tokens[2])
    assert cli_main(["station", "export", "--db", str(east), "--out", str(office.parent / "r.sqlite")]) == 0
    capsys.readouterr()
    assert cli_main(["merge", "--db", str(office), str(office.parent / "r.sqlite"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0]["added"]["checkins"] == 1 and out[0]["station"] == "东门"
    assert cli_main(["merge", "--db", str(office), str(office.parent / "missing.sqlite")]) == 2


def test_bundle_is_signed_and_sealed_and_shows_no_personal_data(office: Path, template: tuple) -> None:
    east = pack(office, "东门")
    door = Door(open_db(east), "东门", "a", clock=CLOCK)
    number = door.register_walk_in("路人甲", valid_id(901), "13900000001", "群众代表", "246813")
    door.judge(number)
    path = bundle(east)
    raw = path.read_bytes()
    assert (
        "路人甲".encode() not in raw and b"13900000001" not in raw and valid_id(901)[-4:].encode() not in raw
    )
    conn = sqlite3.connect(path)
    assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} == {
        "bundle_info"
    }
    header = json.loads(conn.execute("SELECT header FROM bundle_info").fetchone()[0])
    conn.close()
    assert header["station"] == "东门" and header["counts"]["walk_ins"] == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    scans=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 2)), min_size=1, max_size=25),
    order=st.lists(st.integers(0, 2), min_size=1, max_size=6),
)
def test_any_split_any_order_same_attendance_as_one_station(
    template: tuple, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
    scans: list[tuple[int, int]], order: list[int],
) -> None:  # fmt: skip
    office_template, _, tokens = template
    folder = tmp_path_factory.mktemp("prop")
    tick = event_day_clock(14)

    single = folder / "single.db"
    shutil.copy(office_template, single)
    one = Door(open_db(single), "only", "x", clock=tick)
    for time_index, (guest, _) in enumerate(scans):
        tick.tick = time_index
        one.scan(tokens[guest])
    expected = attendance_fingerprint(single)

    master = folder / "master.db"
    shutil.copy(office_template, master)
    stations = [station_pack(master, f"door{i}", folder / f"door{i}.db") for i in range(3)]
    doors = [Door(open_db(s), f"door{i}", "x", clock=tick) for i, s in enumerate(stations)]
    for time_index, (guest, station) in enumerate(scans):
        tick.tick = time_index
        doors[station].scan(tokens[guest])
    bundles = [export_bundle(s, s.with_suffix(".sqlite")) for s in stations]
    sequence = [bundles[i] for i in order] + bundles  # some repeated, every one at least once
    merge_bundles(master, sequence)
    assert attendance_fingerprint(master) == expected
    again = list(itertools.chain(reversed(bundles), bundles))
    merge_bundles(master, again)
    assert attendance_fingerprint(master) == expected


@pytest.mark.parametrize("ticket", ["either", "id-card", "invitation"])
def test_a_door_that_refused_web_addresses_strangers_and_wrong_tickets_still_merges(
    office: Path, template: tuple, clock: ManualClock, ticket: str
) -> None:
    """Every refusal a door can record travels: a WeChat code, a stranger's ID card, an
    invitation where only ID cards count and the other way round. The merge knew only some
    of the reasons and refused such a door's whole bundle (its admissions with it)."""
    from checkin.event import set_ticket

    _, _, tokens = template
    with open_db(office) as db:
        set_ticket(db, ticket)
    east = pack(office, "东门")
    with open_db(east) as db:
        door = Door(db, "东门", "a", clock=CLOCK)
        reasons = set()
        for i, text in enumerate(["https://u.wechat.com/abc", valid_id(999), tokens[0], "garbage"]):
            clock.tick = i
            verdict = door.scan(text)
            reasons.add(verdict.reason)
    reports = merge_bundles(office, [bundle(east)])
    with open_db(office) as db:
        kept = {r[0] for r in db.execute("SELECT reason FROM scans WHERE station = '东门'")}
    assert reports[0].added["scans"] == 4
    assert {str(r) for r in reasons if r} <= {str(r) for r in kept}
