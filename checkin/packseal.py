"""Sealed door packs: without the passphrase, the file yields no name, phone, ID hash or masked ID.

Mechanism, chosen on evidence (README, "Sealed door packs"): sealed columns in an ordinary
SQLite file, with `cryptography` (scrypt + ChaCha20-Poly1305). Whole-file encryption was
weighed — `apsw-sqlite3mc` and `sqlcipher3-wheels` publish wheels — but both replace
Python's `sqlite3` module, whose connections, error classes and `sqlite-utils` every part of
the program relies on; sealed columns keep the door's durable writes (WAL, one committed
row per admission) exactly as they are.

In a pack, each person's personal fields (name, gender, ID hash, masked ID, age, phone,
organisation, sign-up details) are one ChaCha20-Poly1305 box in `people.sealed`, the plain
columns blanked; the pack's secrets (ID-matching secret, station signing key, office sealing
key) and the supervisor PIN hash are sealed the same way. The key comes from a passphrase
generated at `station pack` (16 characters of a 32-letter alphabet: 80 bits), through
scrypt (n=2**15, r=8, p=1). On opening with the passphrase, the sealed parts are opened into
TEMP tables of that connection (`people`, `secret`, `event`, `people_search`), which SQLite
resolves before the file's own; TEMP triggers seal every change to `people` back into the
file in the same transaction. Scans, check-ins and the audit carry numbers only and are
written to the file as on any event file.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from checkin.errors import CheckinError

if TYPE_CHECKING:
    from sqlite_utils import Database

# the ciphers (cryptography) are imported when a pack is sealed or opened, and secrets and
# getpass when a passphrase is made or asked for: every command passes through here to set
# the passphrase, and the door's start needs none of them

ENV = "CHECKIN_PASSPHRASE"
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # 31 letters and digits, no 0/O, 1/I/L
GROUPS, GROUP_LEN = 4, 4
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
CHECK = b"checkin/pack/v1"
PERSONAL = (
    "name",
    "gender",
    "id_hash",
    "id_masked",
    "age",
    "phone",
    "organization",
    "signed_up_at",
    "source",
)
BLANK = {"name": "''", "gender": "NULL", "id_hash": "'sealed:' || {number}", "id_masked": "''", "age": "0",
         "phone": "NULL", "organization": "NULL", "signed_up_at": "NULL", "source": "NULL"}  # fmt: skip
PIN_SECRET = "supervisor_pin_hash"

_state: dict[str, Any] = {"passphrase": None, "prompt": None, "skip": 0, "made": {}, "keys": {}}
# connections with a pack opened into TEMP tables: id(conn) → (key, salt, data_version when built)
_opened: dict[int, tuple[bytes, bytes, int]] = {}
TEMP_TRIGGERS = ("people_sealed_insert", "people_sealed_update", "people_sealed_delete")
TEMP_TABLES = ("people", "secret", "event", "people_search")


def passphrase_bits() -> float:
    import math

    return GROUPS * GROUP_LEN * math.log2(len(ALPHABET))


def new_passphrase() -> str:
    """16 characters in four groups, e.g. `K7QM-3XPR-9VHD-TW2N` (about 79 bits)."""
    import secrets

    chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LEN))
    return "-".join(chars[i : i + GROUP_LEN] for i in range(0, len(chars), GROUP_LEN))


def normalise(passphrase: str) -> bytes:
    """Case, spaces, dashes and full-width forms do not matter when typing it."""
    text = unicodedata.normalize("NFKC", passphrase).upper()
    return "".join(c for c in text if c.isalnum()).encode("ascii", "ignore")


def derive_key(
    passphrase: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P
) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(normalise(passphrase))


def set_passphrase(passphrase: str | None) -> None:
    """The passphrase for packs opened by this process (from --passphrase, the environment, a prompt)."""
    _state["passphrase"] = passphrase


def set_prompt(prompt: Callable[[], str] | None) -> None:
    _state["prompt"] = prompt


def terminal_prompt() -> str:
    import getpass

    from checkin.i18n import tr

    return getpass.getpass(tr("packseal.prompt"), stream=sys.stderr)


@contextmanager
def sealed_as_is() -> Iterator[None]:
    """Open packs without unsealing them (purge: it destroys the sealed parts, no passphrase needed)."""
    _state["skip"] += 1
    try:
        yield
    finally:
        _state["skip"] -= 1


def remember(path: str | os.PathLike[str], passphrase: str) -> None:
    """The pack this process just made opens without asking (its passphrase is in memory anyway)."""
    _state["made"][os.path.realpath(path)] = passphrase


def _passphrase(path: str | None) -> str:
    made = _state["made"].get(os.path.realpath(path)) if path else None
    value = _state["passphrase"] or made or os.environ.get(ENV)
    if not value and _state["prompt"] is not None:
        value = _state["prompt"]()
        _state["passphrase"] = value or None
    if not value:
        raise CheckinError("packseal.passphrase_required", env=ENV)
    return str(value)


def _box(key: bytes, aad: bytes, plain: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    nonce = os.urandom(12)
    return nonce + ChaCha20Poly1305(key).encrypt(nonce, plain, aad)


def _open_box(key: bytes, aad: bytes, sealed: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    return ChaCha20Poly1305(key).decrypt(bytes(sealed[:12]), bytes(sealed[12:]), aad)


def is_sealed(conn: sqlite3.Connection) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = 'pack_seal'"
        ).fetchone()
        is not None
    )


# ---------------------------------------------------------------- sealing a new pack


def seal_pack(conn: sqlite3.Connection) -> str:
    """Seal the personal columns, the secrets and the PIN hash of a freshly made pack (inside the
    caller's transaction); returns the passphrase, to be shown once."""
    passphrase = new_passphrase()
    salt = os.urandom(16)
    key = derive_key(passphrase, salt)
    conn.execute(
        "CREATE TABLE pack_seal (salt BLOB NOT NULL, n INTEGER NOT NULL, r INTEGER NOT NULL, "
        "p INTEGER NOT NULL, check_box BLOB NOT NULL)"
    )
    conn.execute(
        "INSERT INTO pack_seal VALUES (?, ?, ?, ?, ?)",
        [salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, _box(key, b"check", CHECK)],
    )
    conn.execute("ALTER TABLE people ADD COLUMN sealed BLOB")
    _make_sink(conn)
    columns = ", ".join(PERSONAL)
    rows = conn.execute(f"SELECT number, {columns} FROM people").fetchall()
    blanks = ", ".join(f"{c} = {BLANK[c].format(number='number')}" for c in PERSONAL)
    conn.executemany(
        f"UPDATE people SET {blanks}, sealed = ? WHERE number = ?",
        [(_seal_person(key, row[0], row[1:]), row[0]) for row in rows],
    )
    pin = conn.execute("SELECT supervisor_pin_hash FROM event").fetchone()[0]
    if pin:
        conn.execute("INSERT INTO secret (name, value) VALUES (?, ?)", [PIN_SECRET, str(pin).encode()])
        conn.execute("UPDATE event SET supervisor_pin_hash = NULL")
    for name, value in conn.execute("SELECT name, value FROM secret").fetchall():
        conn.execute(
            "UPDATE secret SET value = ? WHERE name = ?",
            [_box(key, b"secret:" + name.encode(), bytes(value)), name],
        )
    conn.execute("DELETE FROM people_search")
    return passphrase


def _seal_person(key: bytes, number: str, values: tuple[Any, ...]) -> bytes:
    data = json.dumps(list(values), ensure_ascii=False).encode("utf-8")
    return _box(key, b"people:" + str(number).encode(), data)


# ---------------------------------------------------------------- opening a pack


def unseal(db: Database, path: str | os.PathLike[str] | None = None) -> None:
    """If the file is a sealed pack, open its sealed parts into this connection's TEMP tables."""
    conn = db.conn
    if _state["skip"] or not is_sealed(conn):
        return
    from cryptography.exceptions import InvalidTag

    salt, n, r, p, check_box = conn.execute("SELECT salt, n, r, p, check_box FROM main.pack_seal").fetchone()
    passphrase = _passphrase(os.fspath(path) if path is not None else None)
    cache_key = (bytes(salt), int(n), int(r), int(p), normalise(passphrase))
    key = _state["keys"].get(cache_key)  # scrypt once per pack and process, not per connection
    if key is None:
        key = derive_key(passphrase, bytes(salt), int(n), int(r), int(p))
    try:
        if _open_box(key, b"check", bytes(check_box)) != CHECK:
            raise InvalidTag
    except InvalidTag:
        if _state["prompt"] is not None:
            _state["passphrase"] = None  # asked again next time
        raise CheckinError("packseal.wrong_passphrase") from None
    _state["keys"][cache_key] = key
    # the opened people live in TEMP tables: in memory only, never spilled to a temporary file
    # (this build's default, TEMP_STORE=1, writes them to disk once the cache fills)
    conn.execute("PRAGMA temp_store = MEMORY")
    try:
        _build_temp(conn, key)
    except InvalidTag:
        raise CheckinError("packseal.damaged") from None
    from checkin.search import ensure_index

    ensure_index(db)
    _opened[id(conn)] = (key, bytes(salt), _data_version(conn))


def _data_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def rolled_back(conn: sqlite3.Connection) -> None:
    """A write transaction was rolled back: people opened again inside it are gone with it (TEMP
    tables are transactional), so the next `refresh` must open them again, whatever the file's
    version says (else a second walk-in got the row id of another desk's)."""
    entry = _opened.get(id(conn))
    if entry is not None:
        _opened[id(conn)] = (entry[0], entry[1], -1)


def refresh(db: Database | sqlite3.Connection) -> None:
    """Another connection (a second desk, another screen, a CLI command) wrote to this pack
    since its people were opened here: open them again, so that this connection sees that
    walk-in and does not hand out the same row id or sequence number a second time."""
    conn = db if isinstance(db, sqlite3.Connection) else db.conn
    entry = _opened.get(id(conn))
    if entry is None:
        return
    from cryptography.exceptions import InvalidTag
    from sqlite_utils import Database

    key, salt, version = entry
    try:
        if _data_version(conn) == version:
            return
        seal = conn.execute("SELECT salt FROM main.pack_seal").fetchone()
        triggers = conn.execute(
            "SELECT COUNT(*) FROM temp.sqlite_master WHERE type = 'trigger' AND name = ?", [TEMP_TRIGGERS[0]]
        ).fetchone()[0]
    except sqlite3.DatabaseError:
        return
    if seal is None or bytes(seal[0]) != salt or not triggers:
        _opened.pop(id(conn), None)  # another connection now has this id: not ours
        return
    for trigger in TEMP_TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS temp.{trigger}")
    for table in TEMP_TABLES:
        conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
    try:
        _build_temp(conn, key)
    except InvalidTag:
        raise CheckinError("packseal.damaged") from None
    _opened[id(conn)] = (key, salt, _data_version(conn))  # before indexing: it writes
    from checkin.search import ensure_index

    ensure_index(db if isinstance(db, Database) else Database(conn))


def _build_temp(conn: sqlite3.Connection, key: bytes) -> None:
    columns = [r[1] for r in conn.execute("PRAGMA main.table_info(people)") if r[1] != "sealed"]
    plain = [c for c in columns if c not in PERSONAL]
    ddl = conn.execute(
        "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = 'people'"
    ).fetchone()[0]
    # the same columns, defaults and constraints as the file's own table, in memory
    conn.execute(str(ddl).replace("CREATE TABLE people", "CREATE TEMP TABLE people", 1))
    conn.execute("CREATE INDEX temp.people_status ON people(status, queue_pos)")
    rows = []
    for row in conn.execute(f"SELECT number, sealed, {', '.join(plain)} FROM main.people").fetchall():
        number, sealed = row[0], row[1]
        personal = (
            json.loads(_open_box(key, b"people:" + str(number).encode(), bytes(sealed))) if sealed else None
        )
        values = dict(zip(plain, row[2:], strict=True))
        values.update(dict(zip(PERSONAL, personal or [""] + [None] * (len(PERSONAL) - 1), strict=True)))
        rows.append([values[c] for c in columns])
    marks = ", ".join("?" for _ in columns)
    conn.executemany(f"INSERT INTO temp.people ({', '.join(columns)}) VALUES ({marks})", rows)

    conn.execute("CREATE TEMP TABLE secret (name TEXT PRIMARY KEY, value BLOB NOT NULL)")
    pin = None
    for name, value in conn.execute("SELECT name, value FROM main.secret").fetchall():
        opened = _open_box(key, b"secret:" + str(name).encode(), bytes(value))
        if name == PIN_SECRET:
            pin = opened.decode()
        else:
            conn.execute("INSERT INTO temp.secret VALUES (?, ?)", [name, opened])
    conn.execute("CREATE TEMP TABLE event AS SELECT * FROM main.event")
    if pin:
        conn.execute("UPDATE temp.event SET supervisor_pin_hash = ?", [pin])
    conn.execute("CREATE TEMP TABLE people_search (key TEXT NOT NULL, number TEXT NOT NULL)")
    conn.execute("CREATE INDEX temp.people_search_key ON people_search(key)")
    conn.execute("CREATE INDEX temp.people_search_number ON people_search(number)")

    # every change to a person is sealed back into the file, in the same transaction: a TEMP
    # trigger may not name `main.people`, so it writes to the file's `people_sink` view, whose
    # own triggers (made with the pack) write the file's `people`
    def seal_person(number: str, *values: Any) -> bytes:
        return _seal_person(key, number, values)

    conn.create_function("checkin_seal_person", 1 + len(PERSONAL), seal_person)
    new_personal = ", ".join(f"NEW.{c}" for c in PERSONAL)
    blanks = [BLANK[c].format(number="NEW.number") for c in PERSONAL]
    sink_columns = ["op", "old_number", *plain, *PERSONAL, "sealed"]
    for event, op, old in (("INSERT", "insert", "NULL"), ("UPDATE", "update", "OLD.number")):
        row = [f"'{op}'", old, *(f"NEW.{c}" for c in plain), *blanks]
        row.append(f"checkin_seal_person(NEW.number, {new_personal})")
        conn.execute(
            f"CREATE TEMP TRIGGER people_sealed_{op} AFTER {event} ON temp.people BEGIN "
            f"INSERT INTO people_sink ({', '.join(sink_columns)}) VALUES ({', '.join(row)}); END"
        )
    conn.execute(
        "CREATE TEMP TRIGGER people_sealed_delete AFTER DELETE ON temp.people BEGIN "
        "INSERT INTO people_sink (op, old_number) VALUES ('delete', OLD.number); END"
    )


def _make_sink(conn: sqlite3.Connection) -> None:
    """The file's `people_sink` view and its triggers: how a TEMP trigger reaches the file's table."""
    columns = [r[1] for r in conn.execute("PRAGMA main.table_info(people)")]
    names = ["op", "old_number", *columns]
    conn.execute(f"CREATE VIEW people_sink AS SELECT {', '.join(f'NULL AS {c}' for c in names)}")
    conn.execute(
        f"CREATE TRIGGER people_sink_insert INSTEAD OF INSERT ON people_sink WHEN NEW.op = 'insert' BEGIN "
        f"INSERT INTO people ({', '.join(columns)}) VALUES ({', '.join(f'NEW.{c}' for c in columns)}); END"
    )
    sets = ", ".join(f"{c} = NEW.{c}" for c in columns if c != "id")
    conn.execute(
        f"CREATE TRIGGER people_sink_update INSTEAD OF INSERT ON people_sink WHEN NEW.op = 'update' BEGIN "
        f"UPDATE people SET {sets} WHERE number = NEW.old_number; END"
    )
    conn.execute(
        "CREATE TRIGGER people_sink_delete INSTEAD OF INSERT ON people_sink WHEN NEW.op = 'delete' BEGIN "
        "DELETE FROM people WHERE number = NEW.old_number; END"
    )


def destroy_seal(conn: sqlite3.Connection) -> None:
    """Purge of a pack: the sealed parts and the key check go (inside the caller's transaction)."""
    if not is_sealed(conn):
        return
    conn.execute("UPDATE main.people SET sealed = NULL")
    conn.execute("DELETE FROM main.secret")
    conn.execute("DROP TABLE main.pack_seal")
