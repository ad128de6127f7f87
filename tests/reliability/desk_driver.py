"""Child process for the multi-process test: the real desk app (the scan screen, under a
Textual Pilot) scans tokens one by one and prints a number only once the screen shows
"admitted" for it. A watcher thread reports if the desk's -wal file ever disappears or is
replaced while the desk runs (it only stats the path; it never opens it)."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from pathlib import Path

from screens.app import CheckinApp
from screens.scan import ScanScreen

PACE = 0.12  # seconds between scans: the overlap with the other programs is the point


def watch_wal(wal: Path, stop: threading.Event) -> None:
    first = os.stat(wal).st_ino
    while not stop.is_set():
        try:
            inode = os.stat(wal).st_ino
        except FileNotFoundError:
            print("WAL-GONE", flush=True)
            return
        if inode != first:
            print("WAL-REPLACED", flush=True)
            return
        time.sleep(0.002)


async def run(db_path: Path, tokens: list[str], station: str) -> None:
    app = CheckinApp(db_path, station=station, operator="desk", start="scan", still=True)
    stop = threading.Event()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, ScanScreen)
        for _ in range(400):
            if screen.door is not None:
                break
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        watcher = threading.Thread(target=watch_wal, args=(Path(f"{db_path}-wal"), stop), daemon=True)
        watcher.start()
        print("READY", flush=True)
        for token in tokens:
            for _attempt in range(5):  # "file in use": the volunteer scans again
                before = screen.last_verdict
                box = screen.query_one("#scan")
                box.insert_text_at_cursor(token)  # type: ignore[attr-defined]
                await pilot.press("enter")
                for _ in range(400):
                    await pilot.pause(0.02)
                    if screen.last_verdict is not before:
                        break
                verdict = screen.last_verdict
                if verdict is not before and verdict is not None:
                    panel = screen.query_one("#verdict")
                    if verdict.admitted and panel.has_class("-admitted") and verdict.invitee:
                        print(verdict.invitee.number, flush=True)
                    break
                print("RETRY", flush=True)
            await asyncio.sleep(PACE)
        stop.set()
        await app.workers.wait_for_complete()
    print("DONE", flush=True)


def main() -> None:
    db_path, tokens_path, station = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    asyncio.run(run(db_path, tokens_path.read_text().split(), station))


if __name__ == "__main__":
    main()
