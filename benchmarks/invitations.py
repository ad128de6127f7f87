"""Token verification rate and the time to print 1,000 invitations (PDF + PNGs).

Baselines in the same run: a bare Ed25519 verify of the same tokens (what the signature
alone costs) and drawing the 1,000 QR codes alone.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from fractions import Fraction
from pathlib import Path

from benchmarks.common import emit, signup_csv, timed
from checkin.event import Event, create_event
from checkin.importer import import_file
from checkin.invitations import qr_matrix_image, render_invitations
from checkin.keys import Verifier, issue_token, public_keys
from checkin.selection import select
from checkin.storage import open_db
from checkin.tokens import DOMAIN, parse_token


def font_path() -> Path:
    import cvttf_NotoSansCJK_Regular as package  # the test font from the dev dependencies

    return next(Path(package.__file__).parent.glob("*.otf"))


def main(count: int = 1000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "event.db", create=True)
        event = Event(title="基准测试开放日", date=dt.date(2026, 12, 18), capacity=count)
        event.min_citizen_share = Fraction(0)
        create_event(db, event)
        import_file(db, signup_csv(Path(tmp) / "s.csv", count))
        select(db)
        numbers = [r[0] for r in db.execute("SELECT number FROM people WHERE status = 'invited'")]
        tokens = [issue_token(db, n).token for n in numbers]

        keys = public_keys(db)

        def bare() -> None:
            for token in tokens:
                claims, header, signature = parse_token(token)
                keys[claims.key_id][0].verify(signature, DOMAIN + header)

        verifier = Verifier(db)

        def full() -> None:
            for token in tokens:
                verifier.verify(token)

        rounds = 5
        bare_s = min(timed(bare)[0] for _ in range(rounds)) / len(tokens)
        full_s = min(timed(full)[0] for _ in range(rounds)) / len(tokens)
        emit("tokens: verify (with revocation)", 1 / full_s, "/s", "≥ 5,000/s", 1 / bare_s,
             "baseline: bare Ed25519 verify/s; ratio = share of bare speed")  # fmt: skip

        start = time.perf_counter()
        for token in tokens:
            qr_matrix_image(token)
        qr_only = time.perf_counter() - start
        seconds, run = timed(lambda: render_invitations(db, Path(tmp) / "out", font=font_path()))
        assert run.count == count
        emit(f"invitations: {count} (PDF + PNGs)", seconds, "s", "≤ 20 s", qr_only,
             "baseline: drawing the QR codes alone")  # fmt: skip


if __name__ == "__main__":
    main()
