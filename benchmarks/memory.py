"""Peak memory of the door with 100,000 invitees (import, select, index, 1,000 scans, look-ups).

Baseline in the same run: a process that only imports the same modules.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

from benchmarks.common import emit, peak_rss_mb

INVITEES = 100_000


def workload() -> None:
    from benchmarks.common import signup_csv
    from checkin.door import Door
    from checkin.event import Event, create_event
    from checkin.importer import import_file
    from checkin.keys import issue_token
    from checkin.search import ensure_index, look_up
    from checkin.selection import select
    from checkin.storage import open_db

    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "e.db", create=True)
        event = Event(title="内存基准", date=dt.date(2026, 12, 18), capacity=INVITEES, checks="none")
        event.min_citizen_share = Fraction(0)
        create_event(db, event)
        import_file(db, signup_csv(Path(tmp) / "s.csv", INVITEES))
        select(db)
        ensure_index(db)
        door = Door(db, "mem", "mem")
        for number in [r[0] for r in db.execute("SELECT number FROM people LIMIT 1000")]:
            door.scan(issue_token(db, number).token)
        for query in ("cs", "ceshi1", "5678"):
            look_up(db, query)
    print(json.dumps({"peak": peak_rss_mb()}))


def imports_only() -> None:
    import checkin.door
    import checkin.importer
    import checkin.search
    import checkin.selection  # noqa: F401

    print(json.dumps({"peak": peak_rss_mb()}))


def run(mode: str) -> float:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", mode], capture_output=True, text=True, check=True
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1])["peak"])


def main() -> None:
    baseline = run("imports")
    peak = run("workload")
    emit(
        "memory: peak with 100,000 invitees",
        peak,
        "MB",
        "≤ 200 MB",
        baseline,
        "baseline: the same imports only",
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "workload":
        workload()
    elif len(sys.argv) > 1 and sys.argv[1] == "imports":
        imports_only()
    else:
        main()
