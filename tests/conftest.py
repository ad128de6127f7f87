"""Shared fixtures: a fresh event database per test and helpers to invent valid ID numbers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from checkin.event import Event, create_event
from checkin.i18n import set_language, take_problems
from checkin.storage import memory_db, open_db

# the helpers moved to tests/helpers.py; still importable from here for older imports
from tests.helpers import (  # noqa: F401
    EVENT_DATE,
    HEADER_ZH,
    person_row,
    raw_bytes,
    send_burst,
    settle,
    type_keys,
    valid_id,
    write_csv,
)


@pytest.fixture(autouse=True)
def _english_by_default(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests read English messages unless they switch; the language is reset after each.
    The program itself is Chinese unless asked for English (a `C` locale gives Chinese):
    the commands tests run (in this process or as children) are asked, by CHECKIN_LANG."""
    monkeypatch.setenv("CHECKIN_LANG", "en")
    set_language("en")
    yield
    set_language("en")


@pytest.fixture(autouse=True)
def _catalogue_complete() -> Iterator[None]:
    """A message key missing from a catalogue, or a message whose placeholders were not all
    filled, fails the test that showed it (checkin.i18n.tr records them; keys built at run
    time, like f"verdict.{v}", are checked by every test that shows one)."""
    take_problems()
    yield
    problems = take_problems()
    assert problems == [], problems


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
