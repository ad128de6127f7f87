"""A busy event file (another laptop or program holds it) anywhere: every command and every
screen says "file in use" in plain words and works again once it is free — never a traceback."""

from __future__ import annotations

import argparse
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkin import storage
from checkin.cli import build_parser
from checkin.cli import main as core_main
from checkin.i18n import tr

APP_COMMANDS = {("run",), ("demo",), ("survey",)}  # open the app: covered by the screen test


def leaf_commands(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(((*prefix, name), sub))
                found += leaf_commands(sub, (*prefix, name))
    return found


def argv_for(path: tuple[str, ...], sub: argparse.ArgumentParser, db: Path, tmp: Path) -> list[str]:
    """The command with --db and plausible values for everything it requires."""
    argv = list(path)
    for action in sub._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        if action.dest == "db":
            argv += [action.option_strings[0], str(db)]
            continue
        if action.option_strings and not action.required:
            continue
        if action.choices:
            value = str(next(iter(action.choices)))
        else:
            metavar = str(action.metavar or action.dest)
            suffix = re.search(r"\.([A-Za-z]+)", metavar)
            if suffix or "FILE" in metavar or "DIR" in metavar or "PATH" in metavar:
                value = str(tmp / ("out." + (suffix.group(1) if suffix else "txt")))
            elif "NUMBER" in metavar or "TEXT" in metavar:
                value = "A001"
            else:
                value = "1"
        count = action.nargs if isinstance(action.nargs, int) else 1
        argv += ([action.option_strings[0]] if action.option_strings else []) + [value] * count
    return argv


@pytest.fixture
def busy(demo: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Another program holds the file exclusively (no reader or writer gets in)."""
    monkeypatch.setattr(storage, "BUSY_TIMEOUT_MS", 20)
    blocker = sqlite3.connect(demo, isolation_level=None)
    blocker.execute("PRAGMA locking_mode = EXCLUSIVE")
    blocker.execute("BEGIN EXCLUSIVE")
    blocker.execute("UPDATE event SET title = title")
    try:
        yield demo
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def test_every_command_on_a_busy_file_says_in_use(
    busy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    in_use = tr("storage.locked")
    said_in_use = []
    for path, sub in leaf_commands(build_parser()):
        if path in APP_COMMANDS or any(isinstance(a, argparse._SubParsersAction) for a in sub._actions):
            continue
        if not any(a.dest == "db" for a in sub._actions):
            continue
        argv = argv_for(path, sub, busy, tmp_path)
        try:
            code = core_main(argv)  # an exception escaping here is the traceback a user would see
        except SystemExit as exc:  # argparse refused the made-up arguments: not a storage path
            code = exc.code
        err = capsys.readouterr().err
        assert "Traceback" not in err, (argv, err)
        assert code in (0, 1, 2), (argv, code)
        if in_use in err:
            said_in_use.append(" ".join(path))
    # every command that reached the file said so (the rest stopped at their own arguments)
    assert len(said_in_use) >= 25, said_in_use


def test_a_command_works_again_once_the_file_is_free(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage, "BUSY_TIMEOUT_MS", 20)
    blocker = sqlite3.connect(demo, isolation_level=None)
    blocker.execute("PRAGMA locking_mode = EXCLUSIVE")
    blocker.execute("BEGIN EXCLUSIVE")
    blocker.execute("UPDATE event SET title = title")
    assert core_main(["people", "--db", str(demo)]) == 2
    blocker.execute("ROLLBACK")
    blocker.close()
    assert core_main(["people", "--db", str(demo)]) == 0


SCREENS = ("scan", "people", "board", "calls", "review", "survey", "results", "ledger", "rollcall")


def shown_text(app: object) -> str:
    """Everything on screen and in the notifications."""
    from textual.widgets import Static

    texts = list(app.notices)  # type: ignore[attr-defined]
    for widget in app.screen.query(Static):  # type: ignore[attr-defined]
        texts.append(str(widget.render()))
    return "\n".join(texts)


@pytest.mark.parametrize("mode", SCREENS)
async def test_every_screen_on_a_busy_file_says_in_use(busy: Path, mode: str) -> None:
    from screens.app import CheckinApp
    from tests.conftest import settle

    app = CheckinApp(busy, station="东门", operator="小王", start=mode, still=True)
    async with app.run_test(size=(120, 40)) as pilot:  # an exception in the app fails here
        await settle(app, pilot)
        assert tr("storage.locked") in shown_text(app), shown_text(app)
