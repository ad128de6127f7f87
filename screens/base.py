"""What every screen of the desk shares: the header, key descriptions in the user's language,
and ONE way to work on the event file.

`run_in_file(fn, done)` (the way Datasette runs `fn(conn)` on a connection of its own): a
worker thread opens the event file, runs `fn(db)`, closes the file, and `done(result)` runs
back on the screen. Nothing reads or writes the file on the UI thread. A refusal — a
`CheckinError`, a busy or locked file (said "the event file is busy"), any other failure —
comes back as one message, `FileFailed`, to the call's `failed` or else to the screen's
`file_failed`. Screens that keep a connection open (the door, the roll call) use
`run_on(held, lock, fn, done)`, the same thing on what they hold, one piece of work at a time.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual import events, on
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Header
from textual.worker import Worker

from checkin.errors import CheckinError
from checkin.i18n import tr
from screens.bindings import localise_bindings

if TYPE_CHECKING:
    from sqlite_utils import Database

T = TypeVar("T")
H = TypeVar("H")
R = TypeVar("R")


@dataclass
class FileDone(Message):
    """A worker's result, handed to `done` on the screen's own thread."""

    result: Any
    done: Callable[[Any], object] | None


@dataclass
class FileFailed(Message):
    """A worker was refused: the message is in the user's language."""

    message: str
    failed: Callable[[str], None] | None


def refusal(exc: BaseException) -> str:
    """Any failure of work on the file, in words a volunteer understands (never a traceback)."""
    if isinstance(exc, CheckinError):
        return exc.message()
    if isinstance(exc, sqlite3.Error):
        from checkin.storage import storage_error

        return storage_error(exc).message()  # busy or locked: "the event file is busy"
    return tr("app.door_error", error=str(exc))


class FileWork:
    """The worker helpers, for any screen or dialog that works on a file (mixed in before
    Screen/ModalScreen). `open_file()` is the event file unless a screen says otherwise."""

    db_path: Path

    def open_file(self) -> AbstractContextManager[Database]:
        from checkin.storage import open_db

        return open_db(self.db_path)

    def run_in_file(
        self,
        fn: Callable[[Database], T],
        done: Callable[[T], object] | None = None,
        *,
        failed: Callable[[str], None] | None = None,
        group: str = "file",
        exclusive: bool = False,
        description: str = "",
    ) -> Worker[None]:
        """Open the file in a worker thread, run `fn(db)`, close it; `done(result)` on the screen."""
        opener = self.open_file

        def in_file() -> T:
            with opener() as db:
                return fn(db)

        return self.run_in_thread(
            in_file, done, failed=failed, group=group, exclusive=exclusive, description=description
        )

    def run_in_thread(
        self,
        fn: Callable[[], T],
        done: Callable[[T], object] | None = None,
        *,
        failed: Callable[[str], None] | None = None,
        group: str = "file",
        exclusive: bool = False,
        description: str = "",
    ) -> Worker[None]:
        """Run `fn()` in a worker thread; `done(result)` or the refusal come back as messages."""
        screen = cast("Screen[Any]", self)

        def work() -> None:
            try:
                result = fn()
            except Exception as exc:  # a refusal, a busy file, a full disk: said, never raised
                screen.post_message(FileFailed(refusal(exc), failed))
                return
            screen.post_message(FileDone(result, done))

        return screen.run_worker(
            work, thread=True, group=group, exclusive=exclusive, exit_on_error=False, description=description
        )

    def run_on(
        self,
        held: Callable[[], H | None],
        lock: threading.Lock,
        fn: Callable[[H], T],
        done: Callable[[T], object] | None = None,
        *,
        failed: Callable[[str], None] | None = None,
        group: str = "file",
        exclusive: bool = False,
        description: str = "",
    ) -> Worker[None]:
        """`fn(obj)` in a worker on what the screen keeps open (the door, the roll call), one
        piece of work at a time under `lock`; not open yet: refused as "not ready"."""

        def on_held() -> T:
            obj = held()
            if obj is None:
                raise CheckinError("app.door_not_ready")
            with lock:
                return fn(obj)

        return self.run_in_thread(
            on_held, done, failed=failed, group=group, exclusive=exclusive, description=description
        )

    def on_file_done(self, message: FileDone) -> None:
        message.stop()
        if message.done is not None:
            message.done(message.result)

    def on_file_failed(self, message: FileFailed) -> None:
        message.stop()
        if message.failed is not None:
            message.failed(message.message)
        else:
            self.file_failed(message.message)

    def file_failed(self, message: str) -> None:
        """What a screen does with a refusal nobody asked for in particular: say it."""
        cast("Screen[Any]", self).notify(message, severity="error")


class DeskDialog(ModalScreen[R]):
    """A dialog of the desk: its key descriptions in the user's language when it opens."""

    @on(events.Mount)
    def _localise_bindings(self) -> None:
        localise_bindings(self)


class DeskScreen(FileWork, Screen[None]):
    """A screen of the desk. Subclasses set `db_path`; `relabel()` follows a language switch."""

    db_path: Path

    @property
    def still(self) -> bool:
        """No header clock and no blinking cursor (snapshot tests start the app still)."""
        return bool(getattr(self.app, "still", False))

    def header(self) -> Header:
        return Header(show_clock=not self.still)

    @on(events.Mount)
    def _localise_bindings(self) -> None:
        localise_bindings(self)

    def relabel(self) -> None:
        """Redraw what is in words after a language switch (subclasses add their own)."""
        localise_bindings(self)
