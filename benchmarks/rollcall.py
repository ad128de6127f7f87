"""Roll call on the bus: one status (what the screen reads after every mark and every 5 s) and
one mark, for 1,000 guests on 10 buses with 5 stops, 4 of them already called (4,000 marks).

Target: a status within 50 ms, so marking never lags the scanner. Baseline in the same run:
reading the same rows (every invited person with their bus, every mark) with bare SELECTs.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from fractions import Fraction
from pathlib import Path

from benchmarks.common import emit, signup_csv
from checkin.event import Event, create_event
from checkin.importer import import_file
from checkin.itinerary import Bus, Stop, assign_buses
from checkin.rollcall import RollCall
from checkin.selection import select
from checkin.storage import open_db

GUESTS = 1_000
BUSES = 10
STOPS = [Stop(f"第{i + 1}站", f"{13 + i}:00", 45, "visit") for i in range(5)]
REPEAT = 20


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "event.db"
        with open_db(path, create=True) as db:
            buses = [Bus(f"{i + 1}号车", GUESTS // BUSES) for i in range(BUSES)]
            event = Event(title="点名基准", date=dt.date(2026, 12, 18), capacity=GUESTS, checks="none",
                          stops=STOPS, buses=buses)  # fmt: skip
            event.min_citizen_share = Fraction(0)
            create_event(db, event)
            import_file(db, signup_csv(folder / "s.csv", GUESTS))
            select(db)
            assign_buses(db, "even")
            roll = RollCall(db, "bench", "op")
            numbers = [str(r[0]) for r in db.execute("SELECT number FROM people WHERE status = 'invited'")]
            for stop in STOPS[:4]:
                for number in numbers:
                    roll._insert_mark(stop, None, number, "present", None, "key")  # bulk set-up
            last = STOPS[4].name

            start = time.perf_counter()
            for _ in range(REPEAT):
                db.execute(
                    "SELECT p.number, p.name, p.phone, r.bus FROM people p LEFT JOIN bus_riders r "
                    "ON r.number = p.number WHERE p.status = 'invited'"
                ).fetchall()
                db.execute("SELECT stop, bus, number, mark, reason, at FROM roll_marks").fetchall()
            baseline = (time.perf_counter() - start) / REPEAT

            start = time.perf_counter()
            for _ in range(REPEAT):
                status = roll.status(last, "1号车")
            seconds = (time.perf_counter() - start) / REPEAT
            emit("roll call: status of one bus", seconds * 1000, "ms", "≤ 50 ms", baseline * 1000,
                 f"{GUESTS:,} guests, {len(STOPS)} stops, {4 * GUESTS:,} marks; {status.expected} expected; "
                 "baseline: bare SELECT of the same rows")  # fmt: skip

            riders = [r.number for r in status.missing]
            start = time.perf_counter()
            for number in riders[:REPEAT]:
                roll.mark_present(last, "1号车", number)
            mark = (time.perf_counter() - start) / REPEAT
            emit("roll call: one mark (committed)", mark * 1000, "ms", "≤ 100 ms", None,
                 "status read, then one row written with BEGIN IMMEDIATE and synchronous=FULL")  # fmt: skip


if __name__ == "__main__":
    main()
