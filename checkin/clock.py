"""The time, passed in: the door, the ledger and the merge take a `Clock` (the system's by
default), so tests set the time they need instead of patching a private function."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The local time now (naive, as every stored time is)."""
        ...


class SystemClock:
    """The computer's own clock."""

    def now(self) -> dt.datetime:
        return dt.datetime.now()


SYSTEM_CLOCK: Clock = SystemClock()


def stamp(clock: Clock, timespec: str = "seconds") -> str:
    """The clock's time as stored: ISO 8601, to the second (or `timespec`)."""
    return clock.now().isoformat(timespec=timespec)
