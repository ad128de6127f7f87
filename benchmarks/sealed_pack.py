"""Sealed door packs: the scan core on a sealed pack, opening it, and what a stolen pack costs.

- scan core per scan on a sealed pack vs the floor on the same file (an indexed look-up in
  the opened people plus a durable insert; target ≤ 3×);
- opening the pack with its passphrase (scrypt, unsealing, the in-memory search index);
- brute force: recovering one ID number from a stolen pack. Unsealed (issue 14's attack):
  last four + age leave the area code (≈3,500) and the birth date (≈366 days): HMACs at this
  machine's rate. Sealed: the 80-bit passphrase must be found first, one scrypt per guess.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import tempfile
import time
from fractions import Fraction
from pathlib import Path

from benchmarks.common import emit, signup_csv
from checkin import packseal
from checkin.door import Door
from checkin.event import Event, create_event
from checkin.importer import import_file
from checkin.keys import issue_token
from checkin.pack import station_pack
from checkin.selection import select
from checkin.storage import open_db

INVITEES = 20_000
SCANS = 500
AREAS, DAYS = 3_500, 366
SECONDS_PER_YEAR = 365.25 * 24 * 3600


def build(folder: Path) -> tuple[Path, list[str]]:
    office = folder / "office.db"
    with open_db(office, create=True) as db:
        event = Event(title="基准测试开放日", date=dt.date(2026, 12, 18), capacity=INVITEES, checks="none")
        event.min_citizen_share = Fraction(0)
        create_event(db, event)
        import_file(db, signup_csv(folder / "s.csv", INVITEES))
        select(db)
        numbers = [r[0] for r in db.execute("SELECT number FROM people ORDER BY random() LIMIT ?", [SCANS])]
        tokens = [issue_token(db, n).token for n in numbers]
    return office, tokens


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        office, tokens = build(folder)
        pack = station_pack(office, "bench", folder / "pack.db")
        packseal.set_passphrase(pack.passphrase)
        packseal._state["keys"].clear()  # measure a cold open, scrypt included
        start = time.perf_counter()
        db = open_db(pack)
        opening = time.perf_counter() - start
        emit("pack: open a sealed pack", opening, "s", "—", None,
             f"{INVITEES:,} invitees: scrypt, unseal, search index in memory")  # fmt: skip

        db.execute("CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, number TEXT, at TEXT)")
        seqs = [int(r[0]) for r in db.execute("SELECT seq FROM people ORDER BY random() LIMIT ?", [SCANS])]
        start = time.perf_counter()
        for seq in seqs:
            row = db.execute("SELECT number FROM people WHERE seq = ?", [seq]).fetchone()
            db.conn.execute("BEGIN IMMEDIATE")
            db.execute(
                "INSERT INTO floor (number, at) VALUES (?, ?)", [row[0], dt.datetime.now().isoformat()]
            )
            db.conn.commit()
        floor = (time.perf_counter() - start) / len(seqs)
        door = Door(db, "bench", "bench")
        start = time.perf_counter()
        for token in tokens:
            assert door.scan(token).admitted
        core = (time.perf_counter() - start) / len(tokens)
        db.conn.close()
        emit("pack: scan core on a sealed pack", core * 1000, "ms", "≤ 3× floor", floor * 1000,
             "floor: look-up in the opened people + durable insert, same file")  # fmt: skip

        secret = os.urandom(32)
        tries = 200_000
        start = time.perf_counter()
        for i in range(tries):
            hmac.new(secret, b"32010219900101%04d" % (i % 10_000), hashlib.sha256).digest()
        per_hmac = (time.perf_counter() - start) / tries
        unsealed = AREAS * DAYS * per_hmac / 2  # expected: half the candidates

        salt = os.urandom(16)
        start = time.perf_counter()
        guesses = 5
        for _ in range(guesses):
            packseal.derive_key(packseal.new_passphrase(), salt)
        per_guess = (time.perf_counter() - start) / guesses
        sealed = 2 ** (packseal.passphrase_bits() - 1) * per_guess + unsealed
        emit("pack: brute force one ID, stolen pack", sealed, "s", "needs passphrase", unsealed,
             f"≈ {sealed / SECONDS_PER_YEAR:.1e} core-years: {packseal.passphrase_bits():.0f}-bit passphrase, "
             f"{per_guess * 1000:.0f} ms scrypt per guess; baseline: the unsealed pack's HMAC search")  # fmt: skip


if __name__ == "__main__":
    main()
