"""Shared fixtures: a fresh event database per test and helpers to invent valid ID numbers."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from checkin.event import Event, create_event
from checkin.i18n import set_language
from checkin.idcard import make_id
from checkin.storage import memory_db, open_db

EVENT_DATE = dt.date(2026, 12, 18)


def valid_id(n: int, birth: dt.date = dt.date(1990, 1, 1), area: str = "320102") -> str:
    """A distinct valid ID number for each n (0–999)."""
    return make_id(f"{area}{birth:%Y%m%d}{n:03d}")


@pytest.fixture(autouse=True)
def _english_by_default() -> Iterator[None]:
    """Tests read English messages unless they switch; the language is reset after each."""
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def event() -> Event:
    return Event(title="Test open day", date=EVENT_DATE, capacity=6)


@pytest.fixture
def db(event: Event) -> Database:
    database = memory_db()
    create_event(database, event)
    return database


@pytest.fixture
def file_db(tmp_path: Path, event: Event) -> Path:
    path = tmp_path / "event.db"
    database = open_db(path, create=True)
    create_event(database, event, supervisor_pin="246813")
    database.conn.close()
    return path


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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--long", action="store_true", help="run the long reliability versions")
    parser.addoption(
        "--sim", action="store_true", help="run the scanner simulator (tests/test_scanner_sim.py)"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "simulator: the scanner simulator; runs with --sim or --long")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--sim") or config.getoption("--long"):
        return
    skip = pytest.mark.skip(reason="the scanner simulator runs with --sim or --long")
    for item in items:
        if "simulator" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def long_run(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--long"))


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """The demo event (40 sign-ups, selection done) as a file; modules may build on it."""
    from checkin.demo import build_demo

    path = tmp_path / "demo.db"
    database, _, _ = build_demo(path)
    database.conn.close()
    return path


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


# ------------------------------------------------------------ the event file's two guards (issue 12)


@pytest.fixture(autouse=True)
def _event_files_closed_and_never_opened_outside_sqlite(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test: (1) no connection open_db made during the test is left open at its end;
    (2) nothing opens, with open()/os.open(), a file that has a live SQLite connection in this
    process (closing such a descriptor drops SQLite's POSIX locks: the WAL can vanish)."""
    import builtins
    import gc
    import io
    import os

    from checkin.storage import live_files, open_connections

    before = {id(conn) for conn in open_connections()}

    def guard(real: Any) -> Any:
        def guarded(file: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(file, (str, bytes, os.PathLike)):
                target = os.path.abspath(os.fsdecode(file))
                if target in live_files():
                    raise AssertionError(f"{target} opened outside SQLite while a connection to it is open")
            return real(file, *args, **kwargs)

        return guarded

    monkeypatch.setattr(builtins, "open", guard(builtins.open))
    monkeypatch.setattr(io, "open", guard(io.open))
    monkeypatch.setattr(os, "open", guard(os.open))
    yield
    gc.collect()  # a connection nothing refers to any more was closed by Python itself
    leaked = [conn for conn in open_connections() if id(conn) not in before]
    for conn in leaked:
        conn.close()
    if leaked:
        where = "".join(leaked[0].opened_at)
        pytest.fail(f"{len(leaked)} event-file connection(s) left open; the first was opened at:\n{where}")


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
