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


def _is_bundle(path: Path) -> bool:
    """A results bundle (read by SQLite itself, not opened by path), never an event file."""
    import sqlite3

    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return False
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return "bundle_info" in names and "people" not in names


def purge_files(db: Database, given: list[Path]) -> tuple[list[str], list[dict[str, str | None]]]:
    """Delete the bundles given (after checking they are bundles); return them, and every pack or
    bundle this file recorded that still exists on disk and must be deleted by hand."""
    from checkin.errors import CheckinError

    deleted: list[str] = []
    for path in given:
        if not path.is_file():
            raise CheckinError("sync.missing", path=str(path))
        if not _is_bundle(path):
            raise CheckinError("purge14.not_a_bundle", path=str(path))
    for path in given:
        path.unlink()
        deleted.append(str(path))
    now = dt.datetime.now().isoformat(timespec="seconds")
    with write_transaction(db):
        for path in given:
            db.execute(
                "UPDATE issued_files SET purged_at = ? WHERE path = ? AND kind IN ('bundle', 'merged')",
                [now, str(path.resolve())],
            )
    remaining = [f for f in issued_files(db) if f["purged_at"] is None and Path(str(f["path"])).exists()]
    return deleted, remaining
