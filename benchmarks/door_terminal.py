"""The door in a real terminal (tmux 120×40), against a bare Textual app measured the same way.

- scan → verdict on screen: a 130-character invitation token sent as keys plus Enter in one
  tmux command (a USB scanner's burst), the pane polled until the guest's name shows. The
  desk does its real work (verify the signature, commit the check-in durably) under the
  scanner recogniser; the baseline is a bare Textual app with one Input that shows the name
  on Enter. Both run side by side and take turns, so they see the same machine. Target:
  desk ≤ 1.5× bare at the median and at p95.
- start-up to ready-to-scan (the door's status line shows the event, and the scan box takes
  a scan) against a bare 4-widget Textual app (Header, Static, Input, Footer) started and
  polled the same way on the same terminal. Target ≤ 1.5×. The door finishes opening just
  after its first paint (sqlite-utils, the keys): a scan sent the moment the screen shows
  waits in line for it, so the row after it times exactly that — start, a scan sent as soon
  as the ready mark shows, until the guest's name shows — against the bare app doing the
  same (its Input shows the name on Enter). Measured twice:
  installed (the modules' bytecode compiled, as `pip install` and any earlier start leave
  it: both programs started once, untimed, to write it into a cache of this run), and with
  no bytecode cache at all (PYTHONDONTWRITEBYTECODE=1 on a checkout: every start compiles
  the app's sources, while Textual's, installed by pip, are compiled already — an unequal
  comparison, shown for what it is).

Needs tmux; skipped (with a note in the table) where there is none.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from fractions import Fraction
from pathlib import Path

from benchmarks.common import emit, signup_csv
from checkin.event import Event, create_event
from checkin.importer import import_file
from checkin.keys import issue_token
from checkin.selection import select
from checkin.storage import open_db

TMUX = shutil.which("tmux")
PEOPLE = 1000
SCANS = int(os.environ.get("BENCH_SCANS", "40"))
STARTS = int(os.environ.get("BENCH_STARTS", "5"))

BARE_SCAN = """
import json, sys
from textual.app import App
from textual.widgets import Input, Static

NAMES = json.load(open(sys.argv[1], encoding="utf-8"))

class Bare(App):
    def compose(self):
        yield Static("ready", id="out")
        yield Input(id="box")

    def on_input_submitted(self, event):
        self.query_one("#out", Static).update(NAMES.get(event.value.strip(), "?"))
        event.input.value = ""

Bare().run()
"""

BARE_START = """
import json, sys
from textual.app import App
from textual.widgets import Footer, Header, Input, Static

NAMES = json.load(open(sys.argv[1], encoding="utf-8"))

class Bare(App):
    def compose(self):
        yield Header()
        yield Static("ready-marker", id="out")
        yield Input()
        yield Footer()

    def on_input_submitted(self, event):
        self.query_one("#out", Static).update(NAMES.get(event.value.strip(), "?"))

Bare().run()
"""


class Pane:
    def __init__(self, command: list[str], env_extra: dict[str, str] | None = None) -> None:
        self.socket = f"bench-{uuid.uuid4().hex[:8]}"
        env = {**os.environ, "LANG": "C.UTF-8", "TERM": "xterm-256color", **(env_extra or {})}
        if env_extra and "PYTHONPYCACHEPREFIX" in env_extra:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.started = time.perf_counter()
        subprocess.run(
            [TMUX or "tmux", "-L", self.socket, "new-session", "-d", "-s", "b", "-x", "120", "-y", "40",
             " ".join(command)],
            check=True, env=env,
        )  # fmt: skip

    def text(self) -> str:
        return subprocess.run(
            [TMUX or "tmux", "-L", self.socket, "capture-pane", "-p", "-t", "b"],
            capture_output=True, text=True, check=False,
        ).stdout  # fmt: skip

    def wait(self, needle: str, timeout: float = 30.0) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if needle in self.text():
                return time.perf_counter()
        raise RuntimeError(f"{needle!r} never showed")

    def scan(self, token: str) -> None:
        subprocess.run(
            [TMUX or "tmux", "-L", self.socket, "send-keys", "-t", "b", "-l", token, ";",
             "send-keys", "-t", "b", "Enter"],
            check=True,
        )  # fmt: skip

    def close(self) -> None:
        subprocess.run([TMUX or "tmux", "-L", self.socket, "kill-server"], check=False)


def build(folder: Path) -> tuple[Path, list[tuple[str, str]]]:
    path = folder / "event.db"
    with open_db(path, create=True) as db:
        event = Event(title="终端基准", date=dt.date(2026, 12, 18), capacity=PEOPLE, checks="none")
        event.min_citizen_share = Fraction(0)
        create_event(db, event)
        import_file(db, signup_csv(folder / "s.csv", PEOPLE))
        select(db)
        rows = db.execute(
            "SELECT number, name FROM people WHERE status = 'invited' AND length(name) = 5 ORDER BY seq LIMIT ?",
            [2 * SCANS + 4 * STARTS + 20],
        ).fetchall()  # 测试100 … 测试999: no name is part of another
        pairs = [(issue_token(db, number).token, name) for number, name in rows]
    return path, pairs


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def scan_latency(path: Path, pairs: list[tuple[str, str]], folder: Path) -> tuple[list[float], list[float]]:
    names = folder / "names.json"
    names.write_text(json.dumps(dict(pairs), ensure_ascii=False), encoding="utf-8")
    bare_script = folder / "bare_scan.py"
    bare_script.write_text(BARE_SCAN, encoding="utf-8")
    checkin = Path(sys.executable).parent / "checkin"
    desk = Pane(
        [str(checkin), "--lang", "zh", "run", "--db", str(path), "--station", "东门", "--operator", "小王"]
    )
    bare = Pane([sys.executable, str(bare_script), str(names)])
    desk_times: list[float] = []
    bare_times: list[float] = []
    try:
        desk.wait("已到 0/")
        bare.wait("ready")
        time.sleep(1.0)  # both idle
        tokens = iter(pairs)
        for _ in range(SCANS):
            for pane, times in ((bare, bare_times), (desk, desk_times)):
                token, name = next(tokens)
                start = time.perf_counter()
                pane.scan(token)
                times.append(pane.wait(name) - start)
                time.sleep(0.25)  # the next guest steps up
    finally:
        desk.close()
        bare.close()
    return desk_times, bare_times


def start_up(
    path: Path, pairs: list[tuple[str, str]], folder: Path, *, compiled: bool
) -> tuple[float, float, float, float]:
    """Median seconds to ready and to the first verdict (a scan sent the moment the ready
    mark shows, until the guest's name shows): the desk's, the bare app's. `compiled`: with
    a bytecode cache (written by one untimed start of each, in a folder of this run's own)."""
    names = folder / "names.json"
    names.write_text(json.dumps(dict(pairs), ensure_ascii=False), encoding="utf-8")
    bare_script = folder / "bare_start.py"
    bare_script.write_text(BARE_START, encoding="utf-8")
    checkin = Path(sys.executable).parent / "checkin"
    env = {"PYTHONPYCACHEPREFIX": str(folder / "bytecode")} if compiled else {"PYTHONDONTWRITEBYTECODE": "1"}
    ready: dict[str, list[float]] = {"desk": [], "bare": []}
    first: dict[str, list[float]] = {"desk": [], "bare": []}
    tokens = iter(pairs)
    for turn in range(STARTS + (1 if compiled else 0)):
        for who, command, marker in (
            ("bare", [sys.executable, str(bare_script), str(names)], "ready-marker"),
            ("desk", [str(checkin), "--lang", "zh", "run", "--db", str(path), "--station", "东门", "--operator", "小王"],
             "已到 "),
        ):  # fmt: skip
            token, name = next(tokens)
            pane = Pane(command, env)
            try:
                shown = pane.wait(marker) - pane.started
                pane.scan(token)
                judged = pane.wait(name) - pane.started
            finally:
                pane.close()
            if not compiled or turn > 0:  # the first start of each wrote the cache: not counted
                ready[who].append(shown)
                first[who].append(judged)
            time.sleep(0.3)
    med = statistics.median
    return med(ready["desk"]), med(ready["bare"]), med(first["desk"]), med(first["bare"])


def main() -> None:
    if TMUX is None:
        emit("door in tmux: scan → verdict", 0.0, "ms", "≤ 1.5× bare", None, "skipped: no tmux here")
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path, pairs = build(folder)
        desk, bare = scan_latency(path, pairs, folder)
        emit("door in tmux: scan → name, median", statistics.median(desk) * 1000, "ms", "≤ 1.5× bare",
             statistics.median(bare) * 1000, f"bare Textual app with one Input; {SCANS} scans each")  # fmt: skip
        emit("door in tmux: scan → name, p95", percentile(desk, 0.95) * 1000, "ms", "≤ 1.5× bare",
             percentile(bare, 0.95) * 1000, "same run, turns taken")  # fmt: skip
        rest = pairs[2 * SCANS :]
        ready, bare_ready, first, bare_first = start_up(path, rest, folder, compiled=True)
        emit("door in tmux: start-up to ready", ready, "s", "≤ 1.5× bare", bare_ready,
             f"installed (bytecode compiled); bare 4-widget Textual app; median of {STARTS}")  # fmt: skip
        emit("door in tmux: start → first verdict", first, "s", "—", bare_first,
             "a scan sent as the ready mark shows, until the name shows; same starts")  # fmt: skip
        ready, bare_ready, _, _ = start_up(path, rest[2 * STARTS + 2 :], folder, compiled=False)
        emit("door in tmux: start-up, no bytecode", ready, "s", "—", bare_ready,
             f"PYTHONDONTWRITEBYTECODE=1: the app's sources compiled at each start; median of {STARTS}")  # fmt: skip


if __name__ == "__main__":
    main()
