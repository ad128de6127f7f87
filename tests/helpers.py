"""Helpers shared by the test modules (fixtures live in conftest.py; no test module imports another)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass
class ManualClock:
    """A `checkin.clock.Clock` the test sets: `start`, plus `tick` seconds (`advance` moves it on)."""

    start: dt.datetime
    tick: int = 0

    def now(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=self.tick)

    def advance(self, seconds: int) -> None:
        self.tick += seconds


def event_day_clock(hour: int, minute: int = 0, second: int = 0) -> ManualClock:
    """A clock on the demo event's day (2026-12-18) at the given time."""
    return ManualClock(dt.datetime(2026, 12, 18, hour, minute, second))
