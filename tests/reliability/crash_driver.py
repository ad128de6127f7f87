"""Child process for the crash test: scans tokens through the real core and reports each
admission on stdout only after the core returned (i.e. after the commit)."""

from __future__ import annotations

import sys
from pathlib import Path

from checkin.door import Door
from checkin.storage import open_db


def main() -> None:
    db_path, tokens_path, station = sys.argv[1], sys.argv[2], sys.argv[3]
    tokens = Path(tokens_path).read_text().split()
    door = Door(open_db(db_path), station, "crash-test")
    for token in tokens:
        verdict = door.scan(token)
        if verdict.admitted and verdict.invitee:
            print(verdict.invitee.number, flush=True)
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
