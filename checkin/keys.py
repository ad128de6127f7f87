"""The event's signing keys and issued invitations (with their revocation list).

The office file holds the private key; a door laptop's pack holds only public keys and
cannot issue anything.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from sqlite_utils import Database

from checkin.errors import CheckinError
from checkin.i18n import tr
from checkin.storage import write_transaction
from checkin.tokens import (
    TokenClaims,
    TokenError,
    encode_token,
    event_id_bytes,
    key_id_of,
    parse_token,
    verify_token,
)
from checkin.vocab import PersonStatus, Reason


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def create_signing_key(db: Database) -> int:
    """A new Ed25519 key pair; it signs every invitation issued from now on."""
    require_office(db)
    private = Ed25519PrivateKey.generate()
    public = private.public_key()
    key_id = key_id_of(public)
    if not db.conn.in_transaction:
        db.execute("PRAGMA secure_delete = ON")  # destroyed keys leave no bytes in free pages
    with write_transaction(db):
        # a retired key verifies what it signed but signs nothing more: its private half goes
        db.execute(
            "UPDATE signing_keys SET retired_at = COALESCE(retired_at, ?), private_key = NULL "
            "WHERE retired_at IS NULL OR private_key IS NOT NULL",
            [_now()],
        )
        db.table("signing_keys").insert(
            {
                "key_id": key_id,
                "public_key": public.public_bytes(Encoding.Raw, PublicFormat.Raw),
                "private_key": private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()),
                "created_at": _now(),
                "retired_at": None,
            }
        )
    return key_id


def is_station_pack(db: Database) -> bool:
    return bool(db.execute("SELECT COUNT(*) FROM station_info").fetchone()[0])


def packed_station(db: Database) -> str | None:
    """The station a door pack was made for; None in the office file."""
    row = db.execute("SELECT name FROM station_info").fetchone()
    return str(row[0]) if row else None


def station_for(db: Database, given: str) -> tuple[str, str | None]:
    """The station a door or roll call records under, and a note when that is not `given`.

    On a door pack it is always the pack's own station (its results bundle carries that
    station's rows, and merge checks them against it): another name given on the command
    line is told, never used."""
    packed = packed_station(db)
    given = given.strip()
    if packed is None or packed == given:
        return (packed or given), None
    return packed, tr("station_i13.pack_wins", station=packed, given=given)


def signing_keys(db: Database) -> list[dict[str, Any]]:
    """Every signing key, oldest first: id, created, retired, revoked, and whether this file can sign."""
    return list(
        db.query(
            "SELECT key_id, created_at, retired_at, revoked_at, private_key IS NOT NULL AS can_sign "
            "FROM signing_keys ORDER BY id"
        )
    )


def require_office(db: Database) -> None:
    """Issuing needs the office file; a door laptop's pack has no private key."""
    if is_station_pack(db):
        row = db.execute("SELECT name FROM station_info").fetchone()
        raise CheckinError("keys.station_pack", station=row[0] if row else "")


def current_private_key(db: Database) -> Ed25519PrivateKey:
    require_office(db)
    row = db.execute(
        "SELECT private_key FROM signing_keys WHERE retired_at IS NULL AND private_key IS NOT NULL "
        "ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        raise CheckinError("keys.none")
    return Ed25519PrivateKey.from_private_bytes(bytes(row[0]))


def revoke_key(db: Database, key_id: str) -> int | None:
    """Refuse every token signed by that key from now on; its private half is destroyed. If it
    was the signing key, a new one takes over (print the invitations again to reissue them).
    Returns the new key's id, if one was made."""
    require_office(db)
    try:
        wanted = int(key_id.strip(), 16)
    except ValueError:
        raise CheckinError("keys14.unknown", key_id=key_id) from None
    rows = db.execute(
        "SELECT id, retired_at FROM signing_keys WHERE key_id = ? AND revoked_at IS NULL", [wanted]
    ).fetchall()
    if not rows:
        raise CheckinError("keys14.unknown", key_id=key_id)
    was_current = any(r[1] is None for r in rows)
    if not db.conn.in_transaction:
        db.execute("PRAGMA secure_delete = ON")
    with write_transaction(db):
        db.execute(
            "UPDATE signing_keys SET revoked_at = ?, retired_at = COALESCE(retired_at, ?), "
            "private_key = NULL WHERE key_id = ? AND revoked_at IS NULL",
            [_now(), _now(), wanted],
        )
    return create_signing_key(db) if was_current else None


def revoked_key_ids(db: Database) -> set[int]:
    columns = {r[1] for r in db.execute("PRAGMA table_info(signing_keys)")}
    if "revoked_at" not in columns:
        return set()
    return {int(r[0]) for r in db.execute("SELECT key_id FROM signing_keys WHERE revoked_at IS NOT NULL")}


def public_keys(db: Database) -> dict[int, list[Ed25519PublicKey]]:
    keys: dict[int, list[Ed25519PublicKey]] = defaultdict(list)
    revoked = revoked_key_ids(db)
    for key_id, raw in db.execute("SELECT key_id, public_key FROM signing_keys"):
        if int(key_id) in revoked:
            continue
        keys[int(key_id)].append(Ed25519PublicKey.from_public_bytes(bytes(raw)))
    return dict(keys)


@dataclass(frozen=True)
class Issued:
    number: str
    seq: int
    counter: int
    token: str


def _event_bytes(db: Database) -> bytes:
    row = db.execute("SELECT id FROM event").fetchone()
    if row is None:
        raise CheckinError("event.none")
    return event_id_bytes(str(row[0]))


def issue_token(db: Database, number: str) -> Issued:
    """The person's current invitation token, issuing the first one if none exists yet."""
    private = current_private_key(db)
    row = db.execute("SELECT seq, token_counter, status FROM people WHERE number = ?", [number]).fetchone()
    if row is None:
        raise CheckinError("people.unknown_number", number=number)
    seq, counter, status = int(row[0]), int(row[1]), row[2]
    if status != PersonStatus.INVITED:
        raise CheckinError("invites.not_invited", number=number)
    with write_transaction(db):
        revoked = db.execute(
            "SELECT 1 FROM invitations WHERE seq = ? AND counter = ? AND revoked_at IS NOT NULL",
            [seq, counter],
        ).fetchone()
        if revoked:  # invited again after their invitation was taken back (rejected, then approved)
            counter += 1
            db.execute("UPDATE people SET token_counter = ? WHERE seq = ?", [counter, seq])
        db.execute(
            "INSERT OR IGNORE INTO invitations (seq, counter, issued_at) VALUES (?, ?, ?)",
            [seq, counter, _now()],
        )
    token = encode_token(private, _event_bytes(db), seq, counter)
    return Issued(number, seq, counter, token)


def revoke_current(db: Database, number: str, reason: str) -> None:
    """Put the person's current invitation on the revocation list (declined, removed)."""
    db.execute(
        "UPDATE invitations SET revoked_at = ?, reason = ? WHERE revoked_at IS NULL AND seq = "
        "(SELECT seq FROM people WHERE number = ?)",
        [_now(), reason, number],
    )


def reissue(db: Database, number: str) -> Issued:
    """A new token for a lost or leaked invitation; the old one is revoked."""
    require_office(db)
    row = db.execute("SELECT seq FROM people WHERE number = ?", [number]).fetchone()
    if row is None:
        raise CheckinError("people.unknown_number", number=number)
    with write_transaction(db):
        revoke_current(db, number, "reissued")
        db.execute("UPDATE people SET token_counter = token_counter + 1 WHERE number = ?", [number])
        return issue_token(db, number)


@dataclass(frozen=True)
class Verification:
    """What a scanned invitation proved: its person (and the token's claims), or the reason
    it proves nothing. Exactly one of `number` and `reason` is set."""

    number: str | None
    claims: TokenClaims | None = None
    reason: Reason | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None

    @classmethod
    def refused(cls, reason: Reason) -> Verification:
        return cls(None, None, reason)


class Verifier:
    """Verifies scanned invitations for one event; keeps the parsed public keys in memory."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.event_id = _event_bytes(db)
        self.keys = public_keys(db)
        self.revoked = revoked_key_ids(db)

    def _by_revoked_key(self, text: str) -> bool:
        try:
            claims, _, _ = parse_token(text)
        except TokenError:
            return False
        return claims.key_id in self.revoked

    def verify(self, text: str) -> Verification:
        """Whose genuine, unrevoked invitation this is — or why it is not one (not_token,
        other_event, forged, revoked or unknown_person): a refusal is a value, not an error."""
        try:
            claims = verify_token(text, self.keys, self.event_id)
        except TokenError as exc:
            if exc.reason == Reason.FORGED and self._by_revoked_key(text):
                return Verification.refused(Reason.REVOKED)
            return Verification.refused(Reason(exc.reason))
        # one indexed look-up: the person, their current issue, and any revocation
        row = self.db.execute(
            "SELECT number, token_counter, EXISTS (SELECT 1 FROM invitations WHERE seq = ? "
            "AND counter = ? AND revoked_at IS NOT NULL) FROM people WHERE seq = ?",
            [claims.seq, claims.counter, claims.seq],
        ).fetchone()
        if row is None:
            return Verification.refused(Reason.UNKNOWN_PERSON)
        if claims.counter < int(row[1]) or row[2]:
            return Verification.refused(Reason.REVOKED)
        return Verification(str(row[0]), claims)
