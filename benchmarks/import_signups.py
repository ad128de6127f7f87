"""Import a generated 100,000-row GB18030 CSV; baseline: decoding and parsing the same CSV."""

from __future__ import annotations

import csv
import io
import sys
import tempfile
from pathlib import Path

from benchmarks.common import emit, peak_rss_mb, signup_csv, timed
from checkin.event import Event, create_event
from checkin.importer import import_file
from checkin.storage import open_db


def main(rows: int = 100_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = signup_csv(Path(tmp) / "signups.csv", rows)

        def bare_parse() -> int:
            text = path.read_bytes().decode("gb18030")
            return sum(1 for _ in csv.reader(io.StringIO(text)))

        baseline, _ = timed(bare_parse)
        db = open_db(Path(tmp) / "event.db", create=True)
        create_event(db, Event(title="bench", date=__import__("datetime").date(2026, 12, 18)))
        seconds, result = timed(lambda: import_file(db, path))
        assert result.imported == rows, (result.imported, result.rejected[:3])
        emit(
            "import: 100k-row CSV",
            seconds,
            "s",
            "≤ 10 s",
            baseline,
            f"{rows / seconds:,.0f} rows/s",
        )
        emit("import: peak memory", peak_rss_mb(), "MB", "≤ 200 MB", None, "whole process")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
