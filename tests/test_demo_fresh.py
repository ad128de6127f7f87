"""`checkin demo --fresh` deletes the demo file and builds it again. Found by the attacker pass on
issue 12: run on the file a desk still had open, it deleted the file (and its -wal) under the
desk, whose next admissions went to a file nobody would ever see; run on a real event file
by mistake, it deleted the event."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from checkin.demo import build_demo
from checkin.errors import CheckinError
from checkin.event import load_event
from checkin.storage import open_db, write_transaction

HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("SELECT count(*) FROM people").fetchone()  # like a desk between two scans
print("ready", flush=True)
sys.stdin.readline()
conn.close()
"""


def _people(path: Path) -> int:
    with open_db(path) as db:
        return int(db.execute("SELECT count(*) FROM people").fetchone()[0])


def test_fresh_refuses_a_demo_file_another_program_has_open(demo: Path) -> None:
    with open_db(demo) as db, write_transaction(db):
        db.execute("UPDATE people SET organization = 'written at the desk' WHERE number = 'A001'")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(demo)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(CheckinError) as refused:
            build_demo(demo)
        assert refused.value.key == "storage.locked"
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=30)
    with open_db(demo) as db:  # the same file, with what the desk wrote
        assert (
            db.execute("SELECT organization FROM people WHERE number = 'A001'").fetchone()[0]
            == "written at the desk"
        )


def test_fresh_refuses_a_demo_file_open_in_this_process(demo: Path) -> None:
    with open_db(demo) as held:
        with pytest.raises(CheckinError) as refused:
            build_demo(demo)
        assert refused.value.key == "storage.locked"
        assert held.execute("SELECT count(*) FROM people").fetchone()[0] == 40
    assert _people(demo) == 40


def test_fresh_refuses_a_real_event_file(file_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from screens.main import main

    assert main(["--lang", "zh", "demo", "--no-app", "--fresh", "--db", str(file_db)]) != 0
    said = capsys.readouterr()
    assert "不是演示活动文件" in said.err + said.out
    assert "删除并重建" not in said.out  # never told it was deleted
    assert "Traceback" not in said.err
    with open_db(file_db) as db:
        assert load_event(db).title == "Test open day"


def test_fresh_refuses_a_file_that_is_not_an_event(tmp_path: Path) -> None:
    other = tmp_path / "demo.db"
    other.write_bytes(b"my own notes, not an event file\n" * 10)
    with pytest.raises(CheckinError):
        build_demo(other)
    assert other.read_bytes().startswith(b"my own notes")


def test_fresh_still_rebuilds_the_demo_when_nobody_has_it_open(demo: Path) -> None:
    db, imported, _ = build_demo(demo)
    db.conn.close()
    assert imported.imported == 40
    assert _people(demo) == 40
