"""Door-laptop packs: what one door needs to verify invitations — and nothing to issue them.

A pack holds the invited people (the waiting list only when asked), the public invitation
keys and revocation list, the check profile, the ID-matching secret, and this station's own
signing key with the office's public sealing key (for its results bundle). The office keeps
the public half of the station key (`station_keys`), so `merge` accepts only bundles signed
by a station it issued, and `checkin station revoke NAME` refuses that station from then on.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from checkin.errors import CheckinError
from checkin.event import ID_SECRET
from checkin.keys import require_office
from checkin.packseal import remember, seal_pack
from checkin.seal import new_sealing_pair, new_signing_pair
from checkin.storage import new_file, open_db, write_transaction
from checkin.sync import OFFICE_SEAL_PRIVATE, OFFICE_SEAL_PUBLIC, STATION_PRIVATE
from checkin.textcheck import check_text
from checkin.vocab import PersonStatus


class PackPath(type(Path())):  # type: ignore[misc]
    """The new pack's path, with the passphrase to show once (never stored anywhere)."""

    passphrase: str = ""


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _office_seal_public(db: Database) -> bytes:
    """The office's X25519 public key, made on first use; the private half never leaves the office."""
    rows = dict(db.execute("SELECT name, value FROM secret").fetchall())
    if OFFICE_SEAL_PUBLIC in rows and OFFICE_SEAL_PRIVATE in rows:
        return bytes(rows[OFFICE_SEAL_PUBLIC])
    private, public = new_sealing_pair()
    db.execute("DELETE FROM secret WHERE name IN (?, ?)", [OFFICE_SEAL_PRIVATE, OFFICE_SEAL_PUBLIC])
    db.execute("INSERT INTO secret (name, value) VALUES (?, ?)", [OFFICE_SEAL_PRIVATE, private])
    db.execute("INSERT INTO secret (name, value) VALUES (?, ?)", [OFFICE_SEAL_PUBLIC, public])
    return public


def station_pack(
    db_path: str | Path, station: str, out: str | Path, *, with_waiting: bool = False
) -> PackPath:
    """Copy what a door laptop needs into a new pack, with a fresh station key pair.

    The file is vacuumed with secure_delete on, so removed rows and keys are not left
    behind in free pages.
    """
    station = station.strip()
    if not station:
        raise CheckinError("pack.no_station")
    check_text(station, "station")
    out = Path(out)
    if out.exists():
        raise CheckinError("pack.exists", path=str(out))
    with open_db(db_path) as source:
        require_office(source)
        station_private, station_public = new_signing_pair()
        with write_transaction(source):
            office_public = _office_seal_public(source)
            source.execute(
                "INSERT INTO station_keys (station, public_key, pack, issued_at) VALUES (?, ?, ?, ?)",
                [station, station_public, str(out.resolve()), _now()],
            )
            source.execute(
                "INSERT INTO issued_files (kind, path, station, recorded_at) VALUES ('pack', ?, ?, ?) "
                "ON CONFLICT (kind, path) DO UPDATE SET recorded_at = excluded.recorded_at, purged_at = NULL",
                [str(out.resolve()), station, _now()],
            )
        target = new_file(out)
        try:
            source.conn.backup(target)
            target.execute("PRAGMA secure_delete = ON")
            with write_transaction(target):
                _strip(target, with_waiting)
                target.execute("DELETE FROM secret WHERE name <> ?", [ID_SECRET])
                target.executemany(
                    "INSERT INTO secret (name, value) VALUES (?, ?)",
                    [(STATION_PRIVATE, station_private), (OFFICE_SEAL_PUBLIC, office_public)],
                )
                target.execute("INSERT INTO station_info (name, packed_at) VALUES (?, ?)", [station, _now()])
                passphrase = seal_pack(target)
            target.execute("VACUUM")
        except BaseException:
            target.close()
            out.unlink(missing_ok=True)
            raise
        target.close()
    remember(out, passphrase)
    made = PackPath(out)
    made.passphrase = passphrase
    return made


def _strip(target: sqlite3.Connection, with_waiting: bool) -> None:
    """Only what the door needs: no signing private keys, no other stations, no ledger, no
    one the door will never see, no sign-up details."""
    statuses = (
        (PersonStatus.INVITED.value, PersonStatus.WAITING.value)
        if with_waiting
        else (PersonStatus.INVITED.value,)
    )
    marks = ", ".join("?" for _ in statuses)
    target.execute("UPDATE signing_keys SET private_key = NULL")
    target.execute("DELETE FROM station_info")
    target.execute("DELETE FROM station_keys")
    target.execute("DELETE FROM issued_files")
    target.execute(
        f"DELETE FROM people WHERE status NOT IN ({marks}) AND number NOT IN (SELECT number FROM checkins)",
        statuses,
    )
    target.execute(
        "UPDATE people SET organization = NULL, signed_up_at = NULL, source = NULL WHERE walk_in = 0"
    )
    # e-mail, residence evidence and review notes are not sealed and not needed at the door
    target.execute(
        "UPDATE people SET email = NULL, residence_evidence = NULL, review_reason = NULL, reviewed_by = NULL"
    )
    target.execute("DELETE FROM groups")  # contact names, phones, e-mail of group applications
    target.execute("DELETE FROM notices")  # the letters sent, with names and addresses
    target.execute("DELETE FROM people_search")
    target.execute("DELETE FROM imports")
    target.execute("DELETE FROM activity")
    target.execute("DELETE FROM suggestion_history")
    target.execute("DELETE FROM suggestions")
    target.execute("DELETE FROM merge_conflicts")


def revoke_station(db: Database, station: str) -> int:
    """Refuse every bundle of that station's keys from now on (a lost door laptop)."""
    require_office(db)
    with write_transaction(db):
        changed = db.execute(
            "UPDATE station_keys SET revoked_at = ? WHERE station = ? AND revoked_at IS NULL",
            [_now(), station.strip()],
        ).rowcount
    if not changed:
        raise CheckinError("pack14.unknown_station", station=station)
    return int(changed)
