"""Merging 10 station bundles of 10,000 scans each into the office file (target ≤ 5 s).

Baseline in the same run: inserting the same rows with a bare executemany into empty
tables (what moving the rows costs, with no signature, seal or validation).
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import tempfile
import time
import uuid
from fractions import Fraction
from pathlib import Path

from benchmarks.common import emit, signup_csv
from checkin.event import Event, create_event
from checkin.importer import import_file
from checkin.pack import station_pack
from checkin.selection import select
from checkin.storage import open_db
from checkin.sync import COLUMNS, export_bundle, merge_bundles, station_records

STATIONS = 10
SCANS = 10_000
INVITEES = 90_000


def fill_station(path: Path, station: int, numbers: list[str]) -> None:
    """10,000 admitted scans at this door; every tenth guest also came through another door."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    base = dt.datetime(2026, 12, 18, 13, 30)
    rows = []
    for i in range(SCANS):
        index = station * SCANS + i if i % 10 else ((station + 1) % STATIONS) * SCANS + i
        number = numbers[index % len(numbers)]
        at = (base + dt.timedelta(milliseconds=37 * i + station)).isoformat(timespec="milliseconds")
        rows.append((uuid.uuid4().hex, uuid.uuid4().hex, number, at, f"door{station}"))
    conn.executemany(
        "INSERT INTO scans (uid, at, station, operator, method, verdict, number) VALUES (?, ?, ?, 'op', 'scan', 'admitted', ?)",
        [(s, at, st, n) for s, _, n, at, st in rows],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO checkins (uid, number, at, station, operator, method) VALUES (?, ?, ?, ?, 'op', 'scan')",
        [(c, n, at, st) for _, c, n, at, st in rows],
    )
    conn.executemany(
        "INSERT INTO check_results (scan_uid, checkin_uid, number, name, value, passed) VALUES (?, ?, ?, 'id_card', 'seen', 1)",
        [(s, c, n) for s, c, n, _, _ in rows],
    )
    conn.execute("COMMIT")
    conn.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        office = folder / "office.db"
        db = open_db(office, create=True)
        event = Event(title="合并基准", date=dt.date(2026, 12, 18), capacity=INVITEES, checks="none")
        event.min_citizen_share = Fraction(0)
        create_event(db, event)
        import_file(db, signup_csv(folder / "s.csv", INVITEES))
        select(db)
        numbers = [r[0] for r in db.execute("SELECT number FROM people ORDER BY seq")]
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.conn.close()
        bundles = []
        rows_per_bundle = []
        for station in range(STATIONS):
            path = station_pack(office, f"door{station}", folder / f"door{station}.db")
            fill_station(path, station, numbers)
            rows_per_bundle.append(station_records(path)[3])
            bundles.append(export_bundle(path, folder / f"results-door{station}.sqlite"))

        floor = sqlite3.connect(folder / "floor.db", isolation_level=None)
        for table in ("scans", "checkins", "check_results"):
            columns = ", ".join(COLUMNS[table])
            floor.execute(f"CREATE TABLE {table} ({columns})")
        start, cpu = time.perf_counter(), time.process_time()
        for tables in rows_per_bundle:
            floor.execute("BEGIN")
            for table in ("scans", "checkins", "check_results"):
                marks = ", ".join("?" for _ in COLUMNS[table])
                floor.executemany(f"INSERT INTO {table} VALUES ({marks})", tables[table])
            floor.execute("COMMIT")
        baseline, baseline_cpu = time.perf_counter() - start, time.process_time() - cpu
        floor.close()

        # CPU time beside the wall clock: on a shared 2-core machine the wall clock of both
        # the merge and its baseline stretch with the load; the process's own CPU time less so
        start, cpu = time.perf_counter(), time.process_time()
        reports = merge_bundles(office, bundles)
        seconds, merge_cpu = time.perf_counter() - start, time.process_time() - cpu
        doubles = sum(len(r.double_checkins) for r in reports)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        emit(f"merge: {STATIONS} bundles × {SCANS:,} scans", seconds, "s", "≤ 5 s", baseline,
             f"baseline: bare INSERT of the same rows; {doubles:,} guests seen at two doors; "
             f"CPU {merge_cpu:.2f} s against {baseline_cpu:.2f} s; load {load:.1f}")  # fmt: skip
        start, cpu = time.perf_counter(), time.process_time()
        merge_bundles(office, bundles)
        emit("merge: the same bundles again (no-op)", time.perf_counter() - start, "s", "—", None,
             f"idempotent; CPU {time.process_time() - cpu:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
