"""The scanner simulator: many scans, of every kind, on every screen, checked one by one.

A seeded scenario mixes invitations (upper and lower case), ID-card reads (bare and with
the reader's other fields), double reads, web-address and payment QR codes, ID numbers of
strangers, re-scans of guests already inside, scans on People, Board and Calls and in the
look-up dialog, and a next guest's scan while the check form of the one before is still
open; terminators are Enter, Tab, nothing, or two of them. The scenario says what must be
recorded for every scan; the run passes when the scans table says exactly that, in that
order (0 wrong verdicts, 0 lost), and nothing else changed (0 misrouted: no call marked,
no text left in a box, every scan landed on the scan screen).

These are timing-heavy end-to-end runs: they take minutes and, on a machine shared by many
busy processes, the terminal's own stalls show up as failures. So they run only when asked:
`pytest --sim tests/test_scanner_sim.py` (60 scans in the Pilot, 30 in tmux) or with
`--long` (1,000 scans each). The routing rules themselves are tested one by one in the
normal suite (tests/test_scanner.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import pytest

from benchmarks.common import signup_csv
from checkin.event import Event, create_event
from checkin.idcard import make_id
from checkin.importer import import_file
from checkin.keys import issue_token
from checkin.selection import select
from checkin.storage import open_db
from tests.conftest import send_burst, settle, valid_id

SHORT, LONG = 60, 1000
TERMINATORS = ("enter", "tab", None)


@dataclass
class Guest:
    number: str
    token: str
    id_number: str


@dataclass
class Step:
    """One thing the volunteer's scanner sends, where, and what must be recorded for it."""

    payload: str
    end: str | None
    twice_end: bool = False
    double: bool = False  # the scanner sends the same payload again at once
    context: str = "scan"  # scan, people, board, calls, lookup
    expect: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    form_for: str | None = None  # the guest whose check form this scan opens
    mid_form: bool = False  # sent while the previous guest's form is still open


def build_event(tmp_path: Path, people: int) -> tuple[Path, list[Guest]]:
    path = tmp_path / "sim.db"
    db = open_db(path, create=True)
    event = Event(title="模拟", date=dt.date(2026, 12, 18), capacity=people, checks="id-only")
    event.min_citizen_share = Fraction(0)
    create_event(db, event)
    import_file(db, signup_csv(tmp_path / "s.csv", people))
    select(db)
    guests = []
    start = dt.date(1960, 1, 1)
    for number, name in db.execute("SELECT number, name FROM people WHERE status = 'invited' ORDER BY seq"):
        i = int(name.removeprefix("测试"))
        birth = start + dt.timedelta(days=i % 14000)
        guests.append(
            Guest(number, issue_token(db, number).token, make_id(f"320102{birth:%Y%m%d}{i // 14000:03d}"))
        )
    db.conn.close()
    return path, guests


def scenario(guests: list[Guest], scans: int, seed: int = 13) -> list[Step]:
    rng = random.Random(seed)
    fresh = list(guests)
    rng.shuffle(fresh)
    rescannable: list[tuple[Guest, str]] = []  # a guest inside and a code of theirs not yet sent
    steps: list[Step] = []
    serial = iter(range(10**6))
    while len(steps) < scans:
        kind = rng.choices(
            ["token", "lower", "id", "id_fields", "url", "payment", "stranger", "rescan", "midform"],
            weights=[25, 10, 12, 6, 8, 5, 6, 8, 10],
        )[0]
        end = rng.choice(TERMINATORS)
        twice = end is not None and rng.random() < 0.2
        double = rng.random() < 0.15
        context = rng.choices(["scan", "people", "board", "calls", "lookup"], weights=[70, 7, 7, 8, 8])[0]
        if kind in ("token", "lower", "id", "id_fields", "midform") and not fresh:
            kind = "url"
        if kind == "rescan" and not rescannable:
            kind = "payment"
        if kind == "midform" and (not steps or steps[-1].form_for is None or steps[-1].mid_form):
            kind = "token"
        if kind in ("token", "lower", "midform"):
            guest = fresh.pop()
            text = guest.token.lower() if kind == "lower" else guest.token
            mid = kind == "midform"
            step = Step(
                text, end, twice, double, "scan" if mid else context, form_for=guest.number, mid_form=mid
            )
            step.expect = [("needs_checks", None, guest.number), ("admitted", None, guest.number)]
            rescannable.append((guest, guest.id_number))
        elif kind in ("id", "id_fields"):
            guest = fresh.pop()
            text = guest.id_number if kind == "id" else f"NAME:CESHI SEX:1 ID:{guest.id_number} ORG:X"
            step = Step(text, end, twice, double, context)
            step.expect = [("admitted", None, guest.number)]
            rescannable.append((guest, guest.token))
        elif kind == "url":
            n = next(serial)
            text = rng.choice(
                [f"https://u.wechat.com/abc{n}", f"HTTP://WEIXIN.QQ.COM/R/A-{n}", f"www.gov.cn/{n}"]
            )
            step = Step(text, end, twice, double, context)
            step.expect = [("refused", "web_address", None)]
        elif kind == "payment":
            step = Step(f"28{next(serial):016d}", end, twice, double, context)
            step.expect = [("refused", "not_token", None)]
        elif kind == "stranger":
            step = Step(valid_id(next(serial) % 1000, birth=dt.date(1985, 5, 5), area="110101"), end, twice,
                        double, context)  # fmt: skip
            step.expect = [("refused", "not_on_list", None)]
            if any(s.payload == step.payload for s in steps[-40:]):
                continue
        else:  # a guest inside, scanned again with their other code (never sent before)
            guest, code = rescannable.pop(rng.randrange(len(rescannable)))
            step = Step(code, end, twice, double, context)
            step.expect = [("already", "already", guest.number)]
        steps.append(step)
    return steps


def recorded(path: Path) -> list[tuple[str, str | None, str | None]]:
    conn = sqlite3.connect(path)
    try:
        return [tuple(r) for r in conn.execute("SELECT verdict, reason, number FROM scans ORDER BY id")]
    finally:
        conn.close()


def side_effects(path: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(path)
    try:
        marked = conn.execute("SELECT COUNT(*) FROM people WHERE confirmation IS NOT NULL").fetchone()[0]
        calls = conn.execute(
            "SELECT COUNT(*) FROM activity WHERE action IN ('confirm', 'moved_up')"
        ).fetchone()[0]
        inside = conn.execute("SELECT COUNT(*) FROM checkins WHERE annulled_at IS NULL").fetchone()[0]
    finally:
        conn.close()
    return int(marked), int(calls), int(inside)


def expected_order(steps: list[Step]) -> list[tuple[str, str | None, str | None]]:
    """Records in the order the desk makes them: a scan sent mid-form waits for the guest
    before it (their admission comes first)."""
    return [record for chunk in expected_chunks(steps) for record in chunk]


def expected_chunks(steps: list[Step]) -> list[list[tuple[str, str | None, str | None]]]:
    """The records each step adds once it has been dealt with."""
    chunks = []
    for index, step in enumerate(steps):
        out: list[tuple[str, str | None, str | None]] = []
        chunks.append(out)
        nxt = steps[index + 1] if index + 1 < len(steps) else None
        if step.form_for and nxt is not None and nxt.mid_form:
            out.append(step.expect[0])  # needs_checks; the admission is recorded after Enter,
            continue  # which the volunteer presses once the next scan has been sent
        if step.mid_form:
            out.append(steps[index - 1].expect[1])
        out += step.expect
    return chunks


# ---------------------------------------------------------------- the Pilot driver


async def until(pilot: object, check: object, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        await pilot.pause(0.005)  # type: ignore[attr-defined]
    return False


async def run_in_pilot(path: Path, steps: list[Step]) -> dict[str, int]:
    """Keys go in as the terminal delivers them; the driver waits for what a person would
    see (the verdict recorded, the form open, the waiting note) rather than for idleness."""
    from textual import events

    from screens.app import make_app
    from screens.dialogs import LookupDialog
    from screens.scan import ScanScreen

    keys = {"people": "f3", "board": "f4", "calls": "f5"}
    misrouted = 0
    marks = list(itertools.accumulate(len(chunk) for chunk in expected_chunks(steps)))
    count = lambda: len(recorded(path))  # noqa: E731

    def press(key: str, char: str | None = None) -> None:
        app.post_message(events.Key(key, char))

    async def react(since: float) -> None:
        """A person reacts: an Enter within 0.25 s of a burst is taken as the scanner's own."""
        await pilot.pause(max(0.0, 0.3 - (time.monotonic() - since)))

    app = make_app(path, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ScanScreen)
        for index, step in enumerate(steps):
            nxt = steps[index + 1] if index + 1 < len(steps) else None
            if step.context in keys:
                press(keys[step.context])
                misrouted += not await until(pilot, lambda m=step.context: app.current_mode == m)
            elif step.context == "lookup":
                press("slash", "/")
                misrouted += not await until(pilot, lambda: isinstance(app.screen, LookupDialog))
            send_burst(app, step.payload, end=step.end, repeat_end=2 if step.twice_end else 1)
            if step.double:
                await pilot.pause(0.05)
                send_burst(app, step.payload, end=step.end)
            sent = time.monotonic()
            if step.mid_form:
                ok = await until(pilot, lambda: len(screen.waiting) >= 1 and screen.current is not None)
                misrouted += not ok
                await react(sent)
                press("enter", "\r")  # the guest before: own ID card seen; their verdict stays
                misrouted += not await until(pilot, lambda: screen.holding)
                await pilot.pause(0.3)
                press("enter", "\r")  # the volunteer moves on to the guest who scanned meanwhile
                await until(
                    pilot,
                    lambda p=steps[index - 1].form_for: (
                        screen.current is not None and screen.current.number != p
                    ),
                )
            if step.form_for is not None:
                opened = await until(
                    pilot, lambda n=step.form_for: screen.current is not None and screen.current.number == n
                )
                misrouted += not opened
                if not (nxt is not None and nxt.mid_form):
                    await react(sent)
                    press("enter", "\r")
            await until(pilot, lambda n=marks[index]: count() >= n and not screen.in_flight)
            await pilot.pause(0.02)
            misrouted += app.screen is not screen
            misrouted += screen.query_one("#scan").value != ""  # type: ignore[attr-defined]
        await settle(app, pilot)
    return {"misrouted": misrouted}


@pytest.mark.parametrize("scans", [SHORT])
@pytest.mark.simulator
async def test_scanner_simulator_in_the_pilot(tmp_path: Path, long_run: bool, scans: int) -> None:
    scans = LONG if long_run else scans
    path, guests = build_event(tmp_path, scans + 20)
    steps = scenario(guests, scans)
    outcome = await run_in_pilot(path, steps)
    got, want = recorded(path), expected_order(steps)
    wrong = sum(1 for g, w in zip(got, want, strict=False) if g != w) + abs(len(got) - len(want))
    marked, calls, inside = side_effects(path)
    assert outcome["misrouted"] == 0
    assert (marked, calls) == (0, 0)
    assert wrong == 0, [(i, g, w) for i, (g, w) in enumerate(zip(got, want, strict=False)) if g != w][:5]
    assert inside == sum(1 for s in steps if s.expect[-1][0] == "admitted")


# ---------------------------------------------------------------- a real terminal (tmux)

TMUX = shutil.which("tmux")


class Terminal:
    def __init__(self, command: str) -> None:
        self.socket, self.session = f"sim-{uuid.uuid4().hex[:8]}", "door"
        env = {**os.environ, "LANG": "C.UTF-8", "TERM": "xterm-256color"}
        self._tmux("new-session", "-d", "-s", self.session, "-x", "120", "-y", "40", command, env=env)

    def _tmux(self, *args: str, env: dict[str, str] | None = None) -> str:
        return subprocess.run(
            [TMUX or "tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False, env=env
        ).stdout

    def burst(self, text: str, end: str | None, twice: bool = False) -> None:
        """One tmux command: the payload and its terminator(s) arrive as one burst."""
        args = ["send-keys", "-t", self.session, "-l", text]
        for _ in range(2 if twice else 1 if end else 0):
            args += [";", "send-keys", "-t", self.session, {"enter": "Enter", "tab": "Tab"}[end or "enter"]]
        self._tmux(*args)

    def key(self, name: str) -> None:
        self._tmux("send-keys", "-t", self.session, name)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", self.session)

    def form_open(self, number: str) -> bool:
        """The check form of this guest is on the screen, asking for the ID card."""
        lines = self.screen().splitlines()
        return any("入场查验：" in line and number in line for line in lines) and any(
            "▶ 本人身份证" in line for line in lines
        )

    def close(self) -> None:
        self._tmux("kill-server")


def react(sent: float, seen: float) -> None:
    """A person reacts: 0.3 s after the screen showed what they react to, and never within
    0.3 s of the burst (an Enter within 0.25 s of one is taken as the scanner's own). On a
    loaded machine the screen can show it late: reacting 0.3 s after sending alone then
    meant an Enter the instant the message appeared, within the desk's 0.25 s of the burst
    it had just read — no person is that quick, and the desk took it as the scanner's."""
    time.sleep(max(0.0, 0.3 - (time.monotonic() - max(sent, seen))))


def wait_until(check: object, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
@pytest.mark.simulator
def test_scanner_simulator_in_a_real_terminal(tmp_path: Path, long_run: bool) -> None:
    scans = LONG if long_run else 30
    path, guests = build_event(tmp_path, scans + 20)
    steps = scenario(guests, scans, seed=19)
    want = expected_order(steps)
    checkin = Path(sys.executable).parent / "checkin"
    term = Terminal(f"{checkin} --lang zh run --db {path} --station 东门 --operator 小王")
    keys = {"people": "F3", "board": "F4", "calls": "F5"}
    misrouted = 0
    marks = list(itertools.accumulate(len(chunk) for chunk in expected_chunks(steps)))
    try:
        assert wait_until(lambda: "请扫描" in term.screen())
        done = 0  # records expected so far
        stage = ""  # what the volunteer waited for last (said when the run stops)
        for index, step in enumerate(steps):
            nxt = steps[index + 1] if index + 1 < len(steps) else None
            if step.context in keys:
                term.key(keys[step.context])
                time.sleep(0.3)
            elif step.context == "lookup":
                term.key("/")
                misrouted += not wait_until(lambda: "姓名、拼音" in term.screen(), 5)
            sent = time.monotonic()
            term.burst(step.payload, step.end, step.twice_end)
            if step.double:
                time.sleep(0.05)
                term.burst(step.payload, step.end)
                sent = time.monotonic()
            mine = marks[index]
            if step.mid_form:
                # this scan waits behind the guest whose form is open; the screen says so
                stage = "请先完成"
                if not wait_until(lambda n=steps[index - 1].form_for: f"请先完成 {n}" in term.screen()):
                    break
                react(sent, time.monotonic())
                term.key("Enter")  # that guest's own ID card seen: their verdict stays in view
                stage = "按回车接待下一位"
                if not wait_until(lambda: "按回车接待下一位" in term.screen()):
                    break
                react(sent, time.monotonic())
                term.key("Enter")  # the volunteer moves on: this guest's form opens
                stage = "the form, after the waiting note"
                if not wait_until(lambda n=step.form_for: term.form_open(n)):
                    break
                term.key("Enter")
            elif step.form_for is not None:
                stage = "the form"
                if not wait_until(lambda n=step.form_for: term.form_open(n)):
                    break
                if not (nxt is not None and nxt.mid_form):
                    react(sent, time.monotonic())
                    term.key("Enter")  # like a person: once the form is on the screen
            stage = f"{mine} records"
            if not wait_until(lambda n=mine: len(recorded(path)) >= n):
                break
            done = mine
        time.sleep(0.5)
        final = term.screen()
    finally:
        term.close()
    got = recorded(path)
    wrong = sum(1 for g, w in zip(got, want, strict=False) if g != w) + abs(len(got) - len(want))
    marked, calls, _ = side_effects(path)
    if done != len(want):
        report = tmp_path.parent / "sim-failure.txt"
        report.write_text(
            f"{index} (waited for {stage})\n{steps[max(0, index - 2) : index + 1]}\n{got[done - 4 :]}\n{want[done - 4 : done + 4]}\n{final}"
        )
    assert done == len(want), f"step {index}: waited for {stage} in vain (see sim-failure.txt)"
    assert misrouted == 0 and (marked, calls) == (0, 0)
    assert wrong == 0, [(i, g, w) for i, (g, w) in enumerate(zip(got, want, strict=False)) if g != w][:5]
    assert "东门" in final
