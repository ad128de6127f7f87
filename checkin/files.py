"""The packs and bundles an event file made or merged, recorded when made, for `purge`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlite_utils import Database

from checkin.storage import open_db, write_transaction


def _record(db: Database, kind: str, path: Path, station: str | None) -> None:
    db.execute(
        "INSERT INTO issued_files (kind, path, station, recorded_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (kind, path) DO UPDATE SET recorded_at = excluded.recorded_at, purged_at = NULL",
        [kind, str(Path(path).resolve()), station, dt.datetime.now().isoformat(timespec="seconds")],
    )


def record_file(db: Database | str | Path, kind: str, path: str | Path, station: str | None) -> None:
    """Remember a pack made, a bundle exported or a bundle merged (its absolute path)."""
    if isinstance(db, Database):
        with write_transaction(db):
            _record(db, kind, Path(path), station)
        return
    with open_db(db) as opened, write_transaction(opened):
        _record(opened, kind, Path(path), station)


def issued_files(db: Database) -> list[dict[str, str | None]]:
    return [
        {"kind": r[0], "path": r[1], "station": r[2], "recorded_at": r[3], "purged_at": r[4]}
        for r in db.execute(
            "SELECT kind, path, station, recorded_at, purged_at FROM issued_files ORDER BY id"
        ).fetchall()
    ]
