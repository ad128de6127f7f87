"""Door-laptop packs: a copy of the event that can verify invitations but never issue them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from checkin.errors import CheckinError
from checkin.keys import require_office
from checkin.search import ensure_index
from checkin.storage import new_file, open_db, write_transaction


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
    with open_db(db_path) as source:
        require_office(source)
        target = new_file(out)
        try:
            source.conn.backup(target)
            target.execute("PRAGMA secure_delete = ON")
            with write_transaction(target):
                target.execute("UPDATE signing_keys SET private_key = NULL")
                target.execute("DELETE FROM station_info")
                target.execute(
                    "INSERT INTO station_info (name, packed_at) VALUES (?, ?)",
                    [station, dt.datetime.now().isoformat(timespec="seconds")],
                )
            target.execute("VACUUM")
        except BaseException:
            target.close()
            out.unlink(missing_ok=True)
            raise
        target.close()
    with open_db(out) as packed:
        ensure_index(packed)  # look-up ready the moment the door laptop starts
    return out
