"""Several programs on one event file at once: the proof behind "nothing admitted is lost".

The real desk (the app's scan screen, driven by a Pilot in a child process) scans guests
while other processes, in a loop, run `checkin people`, `checkin export attendance`,
`checkin invites`, a plain `sqlite3` read and `checkin scan` at a second station. Afterwards
every admission either screen showed is in the file, nobody was admitted twice, the desk's
WAL was never deleted or replaced while it ran, and the file passes `PRAGMA integrity_check`.

(Before issue 12, open_db read the file's header with Python's open(); closing that
descriptor dropped SQLite's POSIX locks, so the next program to close believed it was the
last, checkpointed and deleted the WAL under the running desk.)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest

from checkin.event import Event, create_event
from checkin.importer import import_file
from checkin.keys import issue_token
from checkin.selection import select
from checkin.storage import open_db

ROOT = Path(__file__).resolve().parents[2]
DESK = Path(__file__).with_name("desk_driver.py")
SQLITE3 = shutil.which("sqlite3")
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8"}

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the lock-dropping bug is POSIX's")


def prepare(tmp_path: Path, invitees: int) -> tuple[Path, list[str], list[str]]:
    from benchmarks.common import signup_csv

    path = tmp_path / "event.db"
    with open_db(path, create=True) as db:
        event = Event(title="many programs", date=dt.date(2026, 12, 18), capacity=invitees, checks="none")
        event.min_citizen_share = Fraction(0)
        create_event(db, event)
        import_file(db, signup_csv(tmp_path / "s.csv", invitees))
        select(db)
        numbers = [
            r[0] for r in db.execute("SELECT number FROM people WHERE status = 'invited' ORDER BY seq")
        ]
        tokens = [issue_token(db, n).token for n in numbers]
    return path, numbers, tokens


def checkin(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "screens.main", "--lang", "en", *args],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=ROOT,
        timeout=120,
    )


class Loop(threading.Thread):
    """Runs one program again and again until told to stop; keeps every failure."""

    def __init__(self, name: str, step) -> None:  # type: ignore[no-untyped-def]
        super().__init__(name=name, daemon=True)
        self.step = step
        self.stop = threading.Event()
        self.runs = 0
        self.failures: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            failure = self.step(self.runs)
            if failure:
                self.failures.append(failure)
            self.runs += 1


def live_checkins(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [
            r[0]
            for r in conn.execute(
                "SELECT number FROM checkins WHERE annulled_at IS NULL AND duplicate_of IS NULL"
            )
        ]
    finally:
        conn.close()


def traceback_in(result: subprocess.CompletedProcess[str]) -> str | None:
    if "Traceback" in result.stderr:
        return result.stderr[-2000:]
    return None


def test_desk_and_five_other_programs_on_one_file(tmp_path: Path, long_run: bool) -> None:
    invitees = 240 if long_run else 90
    path, numbers, tokens = prepare(tmp_path, invitees)
    desk_tokens = tmp_path / "desk.txt"
    desk_tokens.write_text("\n".join(tokens))
    station_admitted: list[str] = []

    def people(_: int) -> str | None:
        result = checkin("people", "--db", str(path))
        return traceback_in(result) or (None if result.returncode == 0 else result.stderr)

    def export(i: int) -> str | None:
        result = checkin("export", "attendance", "--db", str(path), "--out", str(tmp_path / f"att{i}.csv"))
        return traceback_in(result) or (None if result.returncode == 0 else result.stderr)

    def invites(i: int) -> str | None:
        out = tmp_path / f"inv{i}"
        result = checkin("invites", "--db", str(path), "--out", str(out), "--only", numbers[i % 5])
        return traceback_in(result) or (None if result.returncode == 0 else result.stderr)

    def plain_read(_: int) -> str | None:
        query = "SELECT count(*) FROM checkins"
        if SQLITE3:
            command = [SQLITE3, "-cmd", ".timeout 5000", str(path), query]  # a patient user
            result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        else:
            code = (
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=5); "
                f"print(c.execute({query!r}).fetchone()); c.close()"
            )
            result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True)
        time.sleep(0.05)
        return None if result.returncode == 0 else result.stderr

    def second_station(i: int) -> str | None:
        # from the other end of the list: the two doors meet in the middle and overlap
        token = tokens[-1 - (i % len(tokens))]
        result = checkin("scan", "--db", str(path), "--station", "west", "--operator", "w", "--json", token)
        failure = traceback_in(result)
        if failure:
            return failure
        if result.returncode == 2:  # a clear refusal such as "file in use": allowed, scanned again
            return None if "Error" in result.stderr else result.stderr
        verdict = json.loads(result.stdout)
        if verdict["verdict"] == "admitted":
            station_admitted.append(verdict["invitee"]["number"])
        return None

    loops = [
        Loop("people", people),
        Loop("export attendance", export),
        Loop("invites", invites),
        Loop("sqlite3 read", plain_read),
        Loop("scan at a second station", second_station),
    ]
    desk = subprocess.Popen(
        [sys.executable, str(DESK), str(path), str(desk_tokens), "east"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        cwd=ROOT,
    )
    assert desk.stdout is not None
    ready = desk.stdout.readline()
    assert ready.strip() == "READY", desk.communicate(timeout=60)
    for loop in loops:
        loop.start()
    out, err = desk.communicate(timeout=600)
    for loop in loops:
        loop.stop.set()
    for loop in loops:
        loop.join(timeout=180)
    lines = out.split()
    assert "DONE" in lines, err[-3000:]
    assert "WAL-GONE" not in lines and "WAL-REPLACED" not in lines, "the desk's WAL was deleted while it ran"
    for loop in loops:
        assert not loop.failures, f"{loop.name}: {loop.failures[0]}"
        assert loop.runs >= 2, f"{loop.name} ran {loop.runs} times: it did not overlap the desk"
    desk_admitted = [line for line in lines if line not in ("DONE", "RETRY", "WAL-GONE", "WAL-REPLACED")]
    assert desk_admitted, "the desk admitted nobody: the test proves nothing"
    assert station_admitted, "the second station admitted nobody: the test proves nothing"

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        admitted_scans = Counter(
            r[0] for r in conn.execute("SELECT number FROM scans WHERE verdict = 'admitted'")
        )
    finally:
        conn.close()
    live = live_checkins(path)
    shown = desk_admitted + station_admitted
    missing = set(shown) - set(live)
    assert not missing, f"{len(missing)} admissions shown on a screen are not in the file"
    assert len(shown) == len(set(shown)), "a guest was admitted twice (once at each door)"
    assert len(live) == len(set(live))
    assert max(admitted_scans.values()) == 1, "the file records a second admission"
    assert set(live) == set(shown)
