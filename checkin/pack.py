"""Door-laptop packs: a copy of the event that can verify invitations but never issue them."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

from checkin.errors import CheckinError
from checkin.keys import require_office
from checkin.search import ensure_index
from checkin.storage import open_db


def station_pack(db_path: str | Path, station: str, out: str | Path) -> Path:
    """Copy the event for a door laptop: invitees, public keys, revocation list, checks.

    The private signing key is removed and the file vacuumed with secure_delete on, so
    its bytes are not left behind in free pages.
    """
    station = station.strip()
    if not station:
        raise CheckinError("pack.no_station")
    out = Path(out)
    if out.exists():
        raise CheckinError("pack.exists", path=str(out))
    source = open_db(db_path)
    require_office(source)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    os.close(fd)
    target = sqlite3.connect(str(out), isolation_level=None)
    try:
        source.conn.backup(target)
        target.execute("PRAGMA secure_delete = ON")
        target.execute("BEGIN")
        target.execute("UPDATE signing_keys SET private_key = NULL")
        target.execute("DELETE FROM station_info")
        target.execute(
            "INSERT INTO station_info (name, packed_at) VALUES (?, ?)",
            [station, dt.datetime.now().isoformat(timespec="seconds")],
        )
        target.execute("COMMIT")
        target.execute("VACUUM")
    except BaseException:
        target.close()
        out.unlink(missing_ok=True)
        raise
    finally:
        source.conn.close()
    target.close()
    packed = open_db(out)
    try:
        ensure_index(packed)  # look-up ready the moment the door laptop starts
    finally:
        packed.conn.close()
    return out
