"""Proof under stress: crashes, two processes, fuzzed input, disk faults, privacy of every file.

Short versions run in the normal suite; `pytest --long` runs the long ones.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkin.demo import build_demo, demo_rows
from checkin.door import Door, normalise_scan
from checkin.errors import CheckinError
from checkin.keys import issue_token
from checkin.storage import open_db
from tests.helpers import event_day_clock

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("crash_driver.py")
READER = Path(__file__).with_name("reader_driver.py")


def prepare(tmp_path: Path, checks: str = "none") -> tuple[Path, Path, list[str]]:
    path = tmp_path / "event.db"
    db, _, _ = build_demo(path)
    db.execute("UPDATE event SET checks = ?", [checks])
    numbers = [
        r[0] for r in db.execute("SELECT number FROM people WHERE status = 'invited' ORDER BY queue_pos")
    ]
    tokens = [issue_token(db, n).token for n in numbers]
    db.conn.close()
    tokens_file = tmp_path / "tokens.txt"
    tokens_file.write_text("\n".join(tokens))
    return path, tokens_file, numbers


def driver(db: Path, tokens: Path, station: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(DRIVER), str(db), str(tokens), station],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def prepare_large(tmp_path: Path, invitees: int) -> tuple[Path, Path, list[str]]:
    """An event with `invitees` invited and their tokens: long enough to be killed mid-scan."""
    import datetime as dt
    from fractions import Fraction

    from benchmarks.common import signup_csv
    from checkin.event import Event, create_event
    from checkin.importer import import_file
    from checkin.selection import select

    path = tmp_path / "large.db"
    db = open_db(path, create=True)
    event = Event(title="crash", date=dt.date(2026, 12, 18), capacity=invitees, checks="none")
    event.min_citizen_share = Fraction(0)
    create_event(db, event)
    import_file(db, signup_csv(tmp_path / "s.csv", invitees))
    select(db)
    numbers = [r[0] for r in db.execute("SELECT number FROM people ORDER BY seq")]
    tokens = [issue_token(db, n).token for n in numbers]
    db.conn.close()
    tokens_file = tmp_path / "tokens.txt"
    tokens_file.write_text("\n".join(tokens))
    return path, tokens_file, numbers


def live_checkins(db_path: Path) -> list[str]:
    conn = sqlite3.connect(db_path)
    try:
        return [
            r[0]
            for r in conn.execute(
                "SELECT number FROM checkins WHERE annulled_at IS NULL AND duplicate_of IS NULL"
            )
        ]
    finally:
        conn.close()


# ------------------------------------------------------------ crash


def reader(db: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(READER), str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def test_sigkill_at_random_moments_loses_and_doubles_nothing(tmp_path: Path, long_run: bool) -> None:
    db_path, tokens, numbers = prepare_large(tmp_path, 4000 if long_run else 1500)
    rng = random.Random(8)
    kills = 40 if long_run else 6
    reported: list[str] = []
    interrupted = 0
    # a reader process opens, reads and closes the file the whole time: killed writers and
    # its closes overlap (a close must never take the WAL away from the others)
    watcher = reader(db_path)
    for _ in range(kills):
        child = driver(db_path, tokens, "east")
        time.sleep(rng.uniform(0.3, 1.2))  # start-up takes ~0.2 s: kill while it scans
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        interrupted += "DONE" not in out
        reported += [line for line in out.split() if line != "DONE"]
        conn = sqlite3.connect(db_path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
        live = live_checkins(db_path)
        assert set(reported) <= set(live), "an admission shown on screen was lost"
        assert len(live) == len(set(live)), "someone admitted twice"
    assert interrupted >= kills // 2, "the kills must land mid-scan to prove anything"
    watcher.terminate()
    seen, errors = watcher.communicate(timeout=60)
    assert "Traceback" not in errors, errors
    counts = [int(line) for line in seen.split("\n") if line.strip().isdigit()]
    assert len(counts) > kills, "the reader must overlap the killed writers"
    assert counts == sorted(counts), "a reader saw committed check-ins disappear"
    final = driver(db_path, tokens, "east")
    out, err = final.communicate(timeout=60)
    assert "DONE" in out, err
    live = live_checkins(db_path)
    assert sorted(live) == sorted(numbers)
    conn = sqlite3.connect(db_path)
    admitted = Counter(r[0] for r in conn.execute("SELECT number FROM scans WHERE verdict = 'admitted'"))
    assert max(admitted.values()) == 1


# ------------------------------------------------------------ two processes


def test_two_processes_scanning_overlapping_invitations(tmp_path: Path, long_run: bool) -> None:
    db_path, tokens, numbers = prepare(tmp_path)
    rounds = 5 if long_run else 1
    for _ in range(rounds):
        children = [driver(db_path, tokens, "east"), driver(db_path, tokens, "west")]
        outputs = [c.communicate(timeout=120) for c in children]
        for out, err in outputs:
            assert "DONE" in out, err
        admitted = [line for out, _ in outputs for line in out.split() if line != "DONE"]
        assert len(admitted) == len(set(admitted))
    assert sorted(live_checkins(db_path)) == sorted(numbers)


# ------------------------------------------------------------ fuzz


@pytest.fixture(scope="module")
def fuzz_door(tmp_path_factory: pytest.TempPathFactory) -> tuple[Door, str]:
    path = tmp_path_factory.mktemp("fuzz") / "event.db"
    db, _, _ = build_demo(path)
    number = db.execute("SELECT number FROM people WHERE status = 'invited' LIMIT 1").fetchone()[0]
    return Door(db, "fuzz", "fuzz"), issue_token(db, number).token


scanner_text = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), max_size=50),
    st.integers(1_000, 200_000).map(lambda n: "A" * n),
    st.sampled_from(["", " ", "\r\n", "\t", "\x00", "A007", "https://example.org/?id=1"]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=scanner_text)
def test_scanner_garbage_is_refused_with_a_reason(fuzz_door: tuple[Door, str], text: str) -> None:
    from checkin.door import find_id_number, looks_like_number

    door, _ = fuzz_door
    verdict = door.scan(text)
    if looks_like_number(text) or find_id_number(text):
        # a typed number (A001) or an ID number finds a person, as in the scan box
        assert verdict.verdict in ("admitted", "already", "needs_checks", "refused")
    else:
        assert verdict.verdict == "refused"
    assert verdict.verdict != "refused" or verdict.reason_text()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_near_valid_tokens_never_crash(fuzz_door: tuple[Door, str], data: st.DataObject) -> None:
    door, token = fuzz_door
    position = data.draw(st.integers(0, len(token) - 1))
    replacement = data.draw(st.text(min_size=0, max_size=3))
    mutated = token[:position] + replacement + token[position + 1 :]
    verdict = door.scan(mutated)
    # the desk reads what a scanner types after NFKC, as the scan box does: '²' is '2', 'º'
    # is 'o' (then upper case), so such a change leaves the same signed invitation
    if normalise_scan(mutated).upper() == token:
        assert verdict.verdict in ("admitted", "already", "needs_checks")
    else:
        assert verdict.verdict == "refused" and verdict.reason_text()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 100_000), flips=st.lists(st.integers(0, 100_000), max_size=5))
def test_damaged_bundles_are_refused_cleanly(
    tmp_path_factory: pytest.TempPathFactory, cut: int, flips: list[int]
) -> None:
    from checkin.pack import station_pack
    from checkin.sync import export_bundle, merge_bundles

    folder = tmp_path_factory.mktemp("bundle")
    office = folder / "office.db"
    db, _, _ = build_demo(office)
    db.conn.close()
    east = station_pack(office, "east", folder / "east.db")
    good = export_bundle(east, folder / "good.sqlite").read_bytes()
    damaged = bytearray(good[: cut % max(len(good), 1)] if cut % 3 else good)
    for flip in flips:
        if damaged:
            damaged[flip % len(damaged)] ^= 0xFF
    bad = folder / "bad.sqlite"
    bad.write_bytes(bytes(damaged))
    before = b"".join(p.read_bytes() for p in sorted(folder.glob("office.db*")))
    try:
        merge_bundles(office, [bad])
    except CheckinError as exc:
        assert exc.message()
        assert b"".join(p.read_bytes() for p in sorted(folder.glob("office.db*"))) == before
    else:
        # damage SQLite cannot see (e.g. in free space) merges like the original bundle
        merged = sqlite3.connect(office).execute("SELECT COUNT(*) FROM merged_bundles").fetchone()[0]
        assert merged == 1


# ------------------------------------------------------------ faults


@pytest.fixture
def door_and_tokens(tmp_path: Path) -> Iterator[tuple[Door, list[str], Path]]:
    db_path, tokens_file, _ = prepare(tmp_path)
    with open_db(db_path) as db:
        door = Door(db, "east", "op")
        door.db.execute("PRAGMA busy_timeout = 50")
        yield door, tokens_file.read_text().split(), db_path


def test_locked_database_gives_a_clear_message_and_recovers(door_and_tokens: tuple) -> None:
    door, tokens, db_path = door_and_tokens
    assert door.scan(tokens[0]).admitted
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    with pytest.raises(CheckinError) as info:
        door.scan(tokens[1])
    assert info.value.key == "storage.locked"
    blocker.execute("ROLLBACK")
    blocker.close()
    assert door.scan(tokens[1]).admitted
    assert len(live_checkins(db_path)) == 2


def test_full_disk_gives_a_clear_message_and_recovers(door_and_tokens: tuple) -> None:
    door, tokens, db_path = door_and_tokens
    assert door.scan(tokens[0]).admitted
    pages = door.db.execute("PRAGMA page_count").fetchone()[0]
    door.db.execute(f"PRAGMA max_page_count = {pages}")
    refused = None
    for attempt in range(5000):  # every scan is recorded, so the file must grow
        try:
            door.scan(f"NOT A TOKEN {attempt}")
        except CheckinError as exc:
            refused = exc
            break
    assert refused is not None and refused.key == "storage.disk_full"
    assert "磁盘" in refused.message() or "disk" in refused.message()
    saved = live_checkins(db_path)
    assert len(saved) == 1
    door.db.execute("PRAGMA max_page_count = 1073741823")
    assert door.scan(tokens[1]).admitted
    assert set(saved) < set(live_checkins(db_path))


def test_read_only_file_gives_a_clear_message_and_recovers(door_and_tokens: tuple) -> None:
    door, tokens, db_path = door_and_tokens
    assert door.scan(tokens[0]).admitted
    door.db.execute("PRAGMA query_only = ON")
    with pytest.raises(CheckinError) as info:
        door.scan(tokens[1])
    assert info.value.key == "storage.read_only"
    door.db.execute("PRAGMA query_only = OFF")
    assert door.scan(tokens[1]).admitted
    assert len(live_checkins(db_path)) == 2


# ------------------------------------------------------------ privacy


def all_file_bytes(folder: Path) -> list[tuple[Path, bytes]]:
    """Every file under the folder, with zip containers (xlsx, docx) opened up."""
    found = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        found.append((path, data))
        if data[:2] == b"PK":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    found.append((path / member, archive.read(member)))
    return found


def test_no_file_the_program_writes_holds_a_full_id_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checkin.exports import export_attendance, export_ledger
    from checkin.forms_pdf import render_forms
    from checkin.invitations import render_invitations
    from checkin.ledger import add_suggestion, import_from_surveys
    from checkin.pack import station_pack
    from checkin.report import write_report
    from checkin.survey import add_entry
    from checkin.sync import export_bundle, merge_bundles
    from tests.helpers import FONT

    work = tmp_path / "out"
    work.mkdir()
    office = work / "office.db"
    db, _, _ = build_demo(office)
    ids = [row[2] for row in demo_rows()[1:]]
    render_invitations(db, work / "invitations", font=FONT)
    render_forms(db, work / "forms.pdf", 3, font=FONT)
    db.conn.close()
    east = station_pack(office, "east", work / "east.db")
    # door records travel in bundles only when made on the event's day
    door = Door(open_db(east), "east", "op", clock=event_day_clock(9, 30))
    numbers = [r[0] for r in door.db.execute("SELECT number FROM people WHERE status = 'invited' LIMIT 4")]
    name = door.db.execute("SELECT name FROM people WHERE number = ?", [numbers[0]]).fetchone()[0]
    real_id = next(r[2] for r in demo_rows()[1:] if r[0] == name)
    door.judge(numbers[0], {"id_card": real_id})  # an ID number typed at the door
    door.judge(numbers[1], {"id_card": ids[5]})  # a wrong one typed at the door
    door.register_walk_in("路人甲", "11010519491231002X", "13900000000", "群众代表", "246813")
    add_entry(door.db, 1, [1, 1, 1, 1, 1], "很好")
    door.db.conn.close()
    merge_bundles(office, [export_bundle(east, work / "results-east.sqlite")])
    db = open_db(office)
    import_from_surveys(db)
    add_suggestion(db, "增加停车位")
    export_attendance(db, work / "attendance.csv")
    export_attendance(db, work / "attendance.xlsx")
    export_ledger(db, work / "ledger.xlsx")
    write_report(db, work / "report.docx", font=FONT)
    write_report(db, work / "report.html", font=FONT)
    db.conn.close()
    files = all_file_bytes(work)
    assert len(files) > 40
    for number in [*ids, "11010519491231002X"]:
        for path, data in files:
            assert number.encode() not in data, f"{number[-4:]} found in {path}"
            assert number.encode("utf-16-le") not in data, path
