"""Child process for the crash test: reads the event file again and again (open, count the
live check-ins, close) and prints each count, until it is stopped."""

from __future__ import annotations

import sys
import time

from checkin.errors import CheckinError
from checkin.storage import open_db


def main() -> None:
    db_path = sys.argv[1]
    while True:
        try:
            with open_db(db_path) as db:
                count = db.execute(
                    "SELECT COUNT(*) FROM checkins WHERE annulled_at IS NULL AND duplicate_of IS NULL"
                ).fetchone()[0]
        except CheckinError as exc:  # "file in use" is a clear message, not a failure
            print(f"REFUSED {exc.key}", flush=True)
        else:
            print(count, flush=True)
        time.sleep(0.01)


if __name__ == "__main__":
    main()
