"""Helpers shared by the test modules: fixtures live in conftest.py, everything else here, so
that no test module imports another."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from checkin.demo import demo_rows
from checkin.door import Door
from checkin.idcard import make_id
from checkin.keys import issue_token
from checkin.ledger import add_suggestion, import_from_surveys, set_status
from checkin.storage import open_db, write_transaction
from checkin.survey import add_entry, allocate_forms

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from screens.app import CheckinApp
    from screens.scan import ScanScreen


def cjk_font_path() -> Path:
    """The Noto Sans CJK face the test requirements install."""
    import cvttf_NotoSansCJK_Regular as package

    return next(Path(package.__file__).parent.glob("*.otf"))


FONT = cjk_font_path()  # a CJK font for the PDFs and reports the tests draw


@dataclass
class ManualClock:
    """A `checkin.clock.Clock` the test sets: `start`, plus `tick` seconds (`advance` moves it on)."""

    start: dt.datetime
    tick: int = 0

    def now(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=self.tick)

    def advance(self, seconds: int) -> None:
        self.tick += seconds

    def at(self, time: str) -> None:
        """Set the clock to HH:MM on its day."""
        hours, minutes = (int(part) for part in time.split(":"))
        self.start, self.tick = self.start.replace(hour=hours, minute=minutes, second=0), 0


def event_day_clock(hour: int, minute: int = 0, second: int = 0) -> ManualClock:
    """A clock on the demo event's day (2026-12-18) at the given time."""
    return ManualClock(dt.datetime(2026, 12, 18, hour, minute, second))


EVENT_DATE = dt.date(2026, 12, 18)


def valid_id(n: int, birth: dt.date = dt.date(1990, 1, 1), area: str = "320102") -> str:
    """A distinct valid ID number for each n (0–999)."""
    return make_id(f"{area}{birth:%Y%m%d}{n:03d}")


HEADER_ZH = ["姓名", "性别", "身份证号", "联系电话", "工作单位", "类别", "报名时间", "邀请方式"]


def write_csv(
    path: Path, rows: list[list[str]], encoding: str = "utf-8", header: list[str] | None = None
) -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(header or HEADER_ZH)
        writer.writerows(rows)
    return path


def person_row(
    n: int,
    name: str | None = None,
    category: str = "群众代表",
    at: str = "",
    invitation: str = "报名",
    phone: str = "13812345678",
) -> list[str]:
    return [name or f"张{n:03d}", "男", valid_id(n), phone, "单位", category, at, invitation]


async def settle(app: Any, pilot: Any) -> None:
    """Let the app's workers and messages finish before asserting.

    The keyboard is taken to have gone quiet first: keys the scanner recogniser is still
    holding (waiting to see whether a burst follows) are handed on as they would be after
    the pause (see screens/scanner.py)."""
    await pilot.pause()
    silence = getattr(app, "scanner_silence", None)
    if silence is not None:
        await silence()
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


def raw_bytes(*paths: Path) -> bytes:
    """The bytes of files that may have a live SQLite connection in this process, read by a
    child process (reading them here would drop this process's SQLite locks)."""
    import subprocess
    import sys

    code = "import sys\nfor p in sys.argv[1:]:\n    sys.stdout.buffer.write(open(p, 'rb').read())"
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, paths)], capture_output=True, check=True
    ).stdout


async def type_keys(app: Any, pilot: Any, *keys: str) -> None:
    """A person typing: a pause after each key, so no run of keys looks like a scanner burst."""
    for key in keys:
        await pilot.press(key)
        await app.scanner_silence()


def send_burst(app: Any, text: str, end: str | None = "enter", repeat_end: int = 1) -> None:
    """A USB scanner: every key of the payload at once (as tmux or the terminal delivers a
    scanner's burst), then Enter, Tab or nothing (`end=None`), sometimes twice."""
    from textual import events
    from textual.keys import _character_to_key

    for ch in text:
        key = ch if ch.isalnum() and ch.isascii() else _character_to_key(ch)
        app.post_message(events.Key(key, ch))
    if end is not None:
        for _ in range(repeat_end):
            app.post_message(events.Key(end, {"enter": "\r", "tab": "\t"}.get(end)))


# ------------------------------------------------------------ the people of the demo event


def _with_db(source: Database | Path, work: Any) -> Any:
    """Run `work(db)` on a Database, or on a file opened and closed for it."""
    if isinstance(source, Database):
        return work(source)
    with open_db(source) as db:
        return work(db)


def invited(source: Database | Path, n: int = 0, category: str = "citizen") -> str:
    """The n-th invited person of `category` in the invited order (an event file or an open one)."""
    return str(
        _with_db(
            source,
            lambda db: db.execute(
                "SELECT number FROM people WHERE status = 'invited' AND category = ? "
                "ORDER BY queue_pos LIMIT 1 OFFSET ?",
                [category, n],
            ).fetchone()[0],
        )
    )


def token(source: Database | Path, number: str) -> str:
    """The person's invitation code (issued if it was not yet)."""
    return str(_with_db(source, lambda db: issue_token(db, number).token))


def set_checks(source: Database | Path, profile: str) -> None:
    """The event's entry-check profile (none, id-only, epidemic-2022 …)."""
    _with_db(source, lambda db: db.execute("UPDATE event SET checks = ?", [profile]))


def set_event(db: Database, **values: object) -> None:
    with write_transaction(db):
        for key, value in values.items():
            db.execute(f"UPDATE event SET {key} = ?", [value])


def live_checkins(path: Path) -> list[tuple[str, str, str]]:
    with open_db(path) as db:
        rows = db.execute("SELECT number, station, operator FROM live_checkins").fetchall()
    return [tuple(r) for r in rows]


# ------------------------------------------------------------ the scan screen


async def ready(app: CheckinApp, pilot: Pilot[None]) -> ScanScreen:
    from screens.scan import ScanScreen

    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, ScanScreen)
    assert screen.door is not None
    return screen


def panel(app: CheckinApp) -> str:
    from textual.widgets import Static

    return str(app.screen.query_one("#verdict", Static).render())


def panel_classes(app: CheckinApp) -> set[str]:
    from textual.widgets import Static

    return set(app.screen.query_one("#verdict", Static).classes)


# ------------------------------------------------------------ a day of the event, for the report


def simulate_day(demo: Path) -> Path:
    """The hand-computed day of the module docstring, on the demo event file at `demo`."""
    db = open_db(demo)
    set_event(db, date="2026-11-27", title='"政府开放日"活动', organizer="科技局")
    invited = [
        r[0]
        for r in db.execute(
            "SELECT number FROM people WHERE status = 'invited' AND category = 'citizen' ORDER BY queue_pos"
        )
    ]
    waiting = db.execute("SELECT number FROM people WHERE status = 'waiting' LIMIT 1").fetchone()[0]
    door = Door(db, "东门", "小王")
    for number in invited[:3]:
        assert door.judge(number, {"id_card": "seen"}).verdict == "admitted"
    late = invited[3]
    assert door.judge(late, {"id_card": "110101199001010011"}).verdict == "refused"
    assert door.judge(late, {"id_card": "seen"}).verdict == "admitted"
    mismatch = invited[4]
    for _ in range(2):
        assert door.judge(mismatch, {"id_card": "110101199001010011"}).verdict == "refused"
    for _ in range(2):
        assert door.judge(waiting).verdict == "refused"
    for _ in range(4):
        assert door.scan("HELLO").reason == "not_token"
    allocate_forms(db, 6)
    for form in range(1, 6):
        add_entry(db, form, [1, 2, 1, 1, 1], "希望增加停车位。" if form == 1 else "")
    import_from_surveys(db)
    number = add_suggestion(db, "建议周末也开放办税服务厅", source="forum")
    set_status(db, number, "assigned", department="办公室")
    db.conn.close()
    return demo


def paragraphs(path: Path) -> list[str]:
    """The paragraphs of a .docx, as text."""
    from docx import Document

    return [p.text for p in Document(str(path)).paragraphs]


def drawn(app: Any) -> str:
    """The characters on the terminal now (the top screen, dialogs over it, notifications)."""
    update = app.screen._compositor.render_full_update()
    return "\n".join("".join(segment.text for strip in line for segment in strip) for line in update.strips)


def cli_parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every parser of the command line with its command words ('' for the top, 'review list')."""
    yield " ".join(path), parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from cli_parsers(sub, (*path, name))


def run_cli(*args: str) -> tuple[int, str]:
    """Run the whole program (`checkin ARGS…`) in this process: its exit code and what it wrote."""
    from screens.main import main as checkin

    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = checkin(list(args))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue() + err.getvalue()


# ---------------------------------------------------------------- a clerk's files, made as a clerk makes them


def checkin_says(*argv: Any, lang: str = "zh") -> int:
    """The whole program in the clerk's language (`checkin --lang zh ARGV…`): its exit code;
    what it printed is left for capsys."""
    from screens.main import main as checkin

    return checkin(["--lang", lang, *[str(a) for a in argv]])


def event_from_toml(tmp: Path, name: str, body: str) -> Path:
    """An event file `NAME.db` made with `checkin init --from NAME.toml` whose [event] is `body`."""
    toml = tmp / f"{name}.toml"
    toml.write_text(f"[event]\n{body}\n", encoding="utf-8")
    db = tmp / f"{name}.db"
    assert checkin_says("init", "--db", db, "--from", toml) == 0
    return db


def county_with_units(tmp: Path, units_csv: str, *more: Any, year: int = 2026) -> Path:
    """A county file `county.db` made with `checkin county init` from a units list (CSV text)."""
    units = tmp / "单位.csv"
    units.write_text(units_csv, encoding="utf-8")
    county = tmp / "county.db"
    assert checkin_says("county", "init", "--db", county, "--year", year, "--units", units, *more) == 0
    return county


def import_sign_ups(db: Database, tmp: Path, count: int, *, timed: bool = True, phones: bool = False) -> None:
    """`count` sign-ups A001… imported from 报名表.csv: a minute apart from 09:01 on 20 November
    (`timed`), each with a phone number of their own, 139123456NN (`phones`)."""
    from checkin.importer import import_file

    rows = [
        person_row(
            i,
            at=f"2026-11-20 09:{i:02d}" if timed else "",
            **({"phone": f"139123456{i + 70:02d}"} if phones else {}),
        )
        for i in range(1, count + 1)
    ]
    import_file(db, write_csv(tmp / "报名表.csv", rows))


def event_with_sign_ups(
    tmp: Path, count: int, *, capacity: int, review: bool = False, timed: bool = True, phones: bool = False
) -> Path:
    """An event file `e.db` (开放日, on EVENT_DATE, no citizen share asked) with `count` sign-ups."""
    from checkin.event import Event, create_event

    path = tmp / "e.db"
    with open_db(path, create=True) as db:
        create_event(
            db, Event(title="开放日", date=EVENT_DATE, capacity=capacity, min_citizen_share=0, review=review)
        )
        import_sign_ups(db, tmp, count, timed=timed, phones=phones)
    return path


def demo_id(path: Path, number: str) -> str:
    """The invented ID number of a demo person (from the seeded sheet)."""
    db = open_db(path)
    name = db.execute("SELECT name FROM people WHERE number = ?", [number]).fetchone()[0]
    db.conn.close()
    rows = [r for r in demo_rows()[1:] if r[0] == name]
    assert len(rows) == 1
    return rows[0][2]
