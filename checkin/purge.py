"""Purging personal data after the event (PIPL: keep no more than needed, for no longer).

Removes names, phone numbers, organisations, ID hashes, masked IDs and ages, the
ID-matching secret and free-text reasons typed at the door; keeps the counts (who came,
per category), the anonymous survey answers and the suggestions' text. The file is then
vacuumed with secure_delete so that the old bytes are really gone.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from checkin.errors import CheckinError
from checkin.event import load_event
from checkin.packseal import destroy_seal, sealed_as_is
from checkin.storage import open_db, write_transaction


def purge(db_path: str | Path, *, force: bool = False, today: dt.date | None = None) -> int:
    """Anonymise everyone in the event file; returns how many people were anonymised."""
    # a sealed door pack is purged without its passphrase: the sealed parts are destroyed whole
    with sealed_as_is(), open_db(db_path) as db:
        event = load_event(db)
        today = today or dt.date.today()
        if today <= event.date and not force:
            raise CheckinError("purge.too_early", date=event.date.isoformat())
        conn = db.conn
        conn.execute("PRAGMA secure_delete = ON")
        with write_transaction(db):
            count = conn.execute("SELECT COUNT(*) FROM people").fetchone()[0]
            conn.execute(
                "UPDATE people SET name = '', gender = NULL, id_hash = 'purged:' || seq, id_masked = '', "
                "age = 0, phone = NULL, organization = NULL, signed_up_at = NULL, source = NULL"
            )
            conn.execute(
                "UPDATE people SET email = NULL, residence_evidence = NULL, review_reason = NULL, "
                "reviewed_by = NULL"
            )
            conn.execute(
                "UPDATE groups SET contact_name = '', contact_phone = NULL, contact_email = NULL, "
                "note = NULL, documents = NULL"
            )
            conn.execute("UPDATE notices SET detail = NULL, eml = NULL")  # addresses and file names
            conn.execute("DELETE FROM people_search")
            conn.execute("DELETE FROM secret")
            destroy_seal(conn)
            conn.execute("UPDATE activity SET detail = '{}'")
            conn.execute("UPDATE checkins SET override_reason = NULL, annul_reason = NULL")
            conn.execute("UPDATE imports SET file = ''")
            conn.execute("UPDATE roll_marks SET reason = NULL WHERE reason = 'unwell'")  # health: i19
            conn.execute(
                "INSERT INTO activity (at, action, number, detail) VALUES (?, 'purge', NULL, '{}')",
                [dt.datetime.now().isoformat(timespec="seconds")],
            )
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(count)
