"""Selection of 30 places from 100,000 sign-ups with places per category and the citizen share.

Baseline in the same run: the same selection with capacity and share only (no quotas).
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from benchmarks.common import emit, signup_csv, timed
from checkin.event import Event, create_event
from checkin.importer import import_file
from checkin.selection import select
from checkin.storage import open_db


def main(rows: int = 100_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "event.db", create=True)
        create_event(db, Event(title="bench", date=dt.date(2026, 12, 18), capacity=30))
        import_file(db, signup_csv(Path(tmp) / "signups.csv", rows))
        select(db)  # warm the file's pages once for both runs
        baseline, _ = timed(lambda: select(db))
        db.execute("UPDATE event SET quotas = ?", ['{"enterprise": 10, "citizen": 15, "npc_deputy": 1}'])
        seconds, result = timed(lambda: select(db))
        assert result.counted == 30, result.counted
        emit(
            "select: 30 of 100k with quotas",
            seconds,
            "s",
            "≤ 10 s",
            baseline,
            "baseline: the same select without quotas",
        )
        db.conn.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
