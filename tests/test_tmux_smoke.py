"""Smoke test of the real program in a real terminal: tmux types a token at scanner speed.

Needs tmux (present on the project's Linux machines and CI); elsewhere it is reported as
skipped, never as passed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from checkin.demo import build_demo
from checkin.keys import issue_token
from checkin.storage import open_db

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")


def capture(socket: str, session: str) -> str:
    return subprocess.run(
        [TMUX or "tmux", "-L", socket, "capture-pane", "-p", "-t", session],
        capture_output=True,
        text=True,
        check=False,
    ).stdout


def wait_for(socket: str, session: str, needle: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = capture(socket, session)
        if needle in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} never appeared; the screen was:\n{screen}")


def test_scanner_speed_token_in_the_real_app(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    db, _, _ = build_demo(path)
    number = db.execute(
        "SELECT number FROM people WHERE status = 'invited' AND category = 'citizen' LIMIT 1"
    ).fetchone()[0]
    token = issue_token(db, number).token
    db.conn.close()
    checkin = Path(sys.executable).parent / "checkin"
    socket, session = f"checkin-test-{uuid.uuid4().hex[:8]}", "door"
    command = f"{checkin} --lang zh run --db {path} --station 东门 --operator 小王"
    env = {**os.environ, "LANG": "C.UTF-8", "TERM": "xterm-256color"}
    subprocess.run(
        [TMUX or "tmux", "-L", socket, "new-session", "-d", "-s", session, "-x", "120", "-y", "40", command],
        check=True,
        env=env,
    )
    try:
        wait_for(socket, session, "请扫描邀请函")
        subprocess.run([TMUX or "tmux", "-L", socket, "send-keys", "-t", session, "-l", token], check=True)
        subprocess.run([TMUX or "tmux", "-L", socket, "send-keys", "-t", session, "Enter"], check=True)
        wait_for(socket, session, "请查验")
        time.sleep(0.3)  # a person reacts: an Enter right after a scan is the scanner's own
        subprocess.run([TMUX or "tmux", "-L", socket, "send-keys", "-t", session, "Enter"], check=True)
        screen = wait_for(socket, session, "准予入场")
        assert number in screen
        # The status line is redrawn after the verdict panel: on a busy machine, a moment later.
        wait_for(socket, session, "已到 1/32")
    finally:
        subprocess.run([TMUX or "tmux", "-L", socket, "kill-server"], check=False)
    check = open_db(path)
    assert check.execute("SELECT number, station, operator FROM checkins").fetchall() == [
        (number, "东门", "小王")
    ]
