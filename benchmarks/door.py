"""The door with 100,000 invitees.

- scan core per scan vs the floor: a bare indexed SQLite look-up plus a durable insert on
  the same file (target ≤ 3×);
- look-up by pinyin initials;
- scan-to-verdict on screen in the Pilot, p95 (target ≤ 50 ms);
- start-up to ready-to-scan vs `python -c "import textual.app"` (target ≤ 2.5×).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

from benchmarks.common import emit, signup_csv
from checkin.door import Door
from checkin.event import Event, create_event
from checkin.importer import import_file
from checkin.keys import issue_token
from checkin.search import ensure_index, look_up
from checkin.selection import select
from checkin.storage import open_db

INVITEES = 100_000
SCANS = 500


def build(path: Path) -> list[str]:
    db = open_db(path, create=True)
    event = Event(title="基准测试开放日", date=dt.date(2026, 12, 18), capacity=INVITEES, checks="none")
    event.min_citizen_share = Fraction(0)
    create_event(db, event)
    import_file(db, signup_csv(path.parent / "s.csv", INVITEES))
    select(db)
    ensure_index(db)
    numbers = [r[0] for r in db.execute("SELECT number FROM people ORDER BY random() LIMIT ?", [3 * SCANS])]
    tokens = [issue_token(db, n).token for n in numbers]
    db.conn.close()
    return tokens


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def core_vs_floor(path: Path, tokens: list[str]) -> None:
    db = open_db(path)
    db.execute("CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, number TEXT, at TEXT)")
    seqs = [int(r[0]) for r in db.execute("SELECT seq FROM people ORDER BY random() LIMIT ?", [SCANS])]
    start = time.perf_counter()
    for seq in seqs:
        row = db.execute("SELECT number FROM people WHERE seq = ?", [seq]).fetchone()
        db.conn.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO floor (number, at) VALUES (?, ?)", [row[0], dt.datetime.now().isoformat()])
        db.conn.commit()
    floor = (time.perf_counter() - start) / len(seqs)
    door = Door(db, "bench", "bench")
    start = time.perf_counter()
    for token in tokens[:SCANS]:
        verdict = door.scan(token)
        assert verdict.admitted, verdict
    core = (time.perf_counter() - start) / SCANS
    emit("door: scan core per scan", core * 1000, "ms", "≤ 3× floor", floor * 1000,
         "floor: indexed look-up + durable insert")  # fmt: skip

    queries = ["cs1", "ceshi12", "测试123", "5678", "ceshi9999"]
    start = time.perf_counter()
    rounds = 40
    for _ in range(rounds):
        for q in queries:
            look_up(db, q)
    per = (time.perf_counter() - start) / (rounds * len(queries))
    emit("door: look-up (pinyin, name, phone)", per * 1000, "ms", "fast", None, f"{INVITEES:,} invitees")
    db.conn.close()


async def pilot_latency(path: Path, tokens: list[str]) -> tuple[list[float], list[float]]:
    from screens.app import make_app

    app = make_app(path, station="bench", operator="bench")
    latencies: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(50):
            await pilot.pause()
            await app.workers.wait_for_complete()
            if getattr(app.screen, "door", None) is not None:
                break
        panel = app.screen.query_one("#verdict")
        box = app.screen.query_one("#scan")
        for token in tokens:
            box.insert_text_at_cursor(token)  # type: ignore[attr-defined]
            start = time.perf_counter()
            await pilot.press("enter")
            while "-admitted" not in panel.classes:
                await asyncio.sleep(0.0005)
            latencies.append(time.perf_counter() - start)
            panel.remove_class("-admitted")
        inside = list(app.screen.latencies)  # type: ignore[attr-defined]
    return latencies, inside


def startup(path: Path) -> None:
    probe = (
        "import asyncio, sys\n"
        "from screens.app import make_app\n"
        "async def main():\n"
        f"    app = make_app({str(path)!r}, station='bench', operator='bench')\n"
        "    async with app.run_test(size=(120, 40)) as pilot:\n"
        "        while getattr(app.screen, 'door', None) is None:\n"
        "            await pilot.pause(0.005)\n"
        "asyncio.run(main())\n"
    )

    def wall(args: list[str]) -> float:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(args, check=True, capture_output=True)
            best = min(best, time.perf_counter() - start)
        return best

    minimal = (
        "import asyncio\n"
        "from textual.app import App\n"
        "from textual.widgets import Footer, Header, Input, Static\n"
        "class Bare(App):\n"
        "    def compose(self):\n"
        "        yield Header(); yield Static('x'); yield Input(); yield Footer()\n"
        "async def main():\n"
        "    async with Bare().run_test(size=(120, 40)) as pilot:\n"
        "        await pilot.pause()\n"
        "asyncio.run(main())\n"
    )
    baseline = wall([sys.executable, "-c", "import textual.app"])
    bare_app = wall([sys.executable, "-c", minimal])
    ready = wall([sys.executable, "-c", probe])
    emit("door: start-up to ready-to-scan", ready, "s", "≤ 2.5× base", baseline, "base: import textual.app")
    emit("door: same vs a bare Textual app", ready, "s", "—", bare_app,
         "base: 4-widget Textual app started in the same harness")  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "event.db"
        tokens = build(path)
        core_vs_floor(path, tokens)
        latencies, inside = asyncio.run(pilot_latency(path, tokens[SCANS : SCANS + 200]))
        emit("door: scan-to-verdict on screen p95", percentile(inside, 0.95) * 1000, "ms", "≤ 50 ms", None,
             f"Enter handled → panel updated; median {statistics.median(inside) * 1000:.1f} ms")  # fmt: skip
        emit("door: same, seen from the Pilot p95", percentile(latencies, 0.95) * 1000, "ms", "—", None,
             f"includes the Pilot's own key delivery; median {statistics.median(latencies) * 1000:.1f} ms")  # fmt: skip
        startup(path)


if __name__ == "__main__":
    main()
