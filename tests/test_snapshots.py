"""Snapshot tests of the key door screens (pytest-textual-snapshot).

Time is frozen (no header clock, fixed scan times) so that the pictures only change when
the screens do. Update with `pytest tests/test_snapshots.py --snapshot-update` and look at
the report before committing new baselines.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from checkin.demo import build_demo
from checkin.i18n import set_language
from checkin.keys import issue_token
from checkin.storage import open_db
from screens.app import CheckinApp
from tests.helpers import event_day_clock

SIZE = (120, 40)


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    set_language("zh")
    path = tmp_path / "demo.db"
    db, _, _ = build_demo(path)
    db.conn.close()
    return path


def first_citizen_token(path: Path) -> str:
    db = open_db(path)
    number = db.execute(
        "SELECT number FROM people WHERE status = 'invited' AND category = 'citizen' ORDER BY queue_pos LIMIT 1"
    ).fetchone()[0]
    token = issue_token(db, number).token
    db.conn.close()
    return token


def app_for(path: Path, start: str = "scan") -> CheckinApp:
    return CheckinApp(
        path, station="东门", operator="小王", start=start, still=True, clock=event_day_clock(13, 52, 7)
    )


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def scanning(token: str, *keys: str) -> Callable[[Pilot[None]], Any]:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        box = pilot.app.screen.query_one("#scan")
        box.insert_text_at_cursor(token)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run_before


def test_scan_screen_ready(demo: Path, snap_compare: Any) -> None:
    """The idle scan screen: status line (event, checks, 0/32 arrived), the prompt to scan,
    an empty recent-scans list, the scan box and the footer with every key described."""
    assert snap_compare(app_for(demo), terminal_size=SIZE, run_before=scanning("", *()))


def test_verdict_needs_checks_then_form(demo: Path, snap_compare: Any) -> None:
    """A good invitation under id-only: the blue panel with name, category, number and the
    masked ID, and the one-line check form below it waiting for Enter."""
    assert snap_compare(app_for(demo), terminal_size=SIZE, run_before=scanning(first_citizen_token(demo)))


def test_verdict_admitted(demo: Path, snap_compare: Any) -> None:
    """After Enter: the green panel '准予入场', the recent list with both scans, 1/32 arrived."""
    assert snap_compare(
        app_for(demo), terminal_size=SIZE, run_before=scanning(first_citizen_token(demo), "enter")
    )


def test_verdict_refused(demo: Path, snap_compare: Any) -> None:
    """A scan that is no invitation: the red panel with the reason '不是邀请函二维码'."""
    assert snap_compare(app_for(demo), terminal_size=SIZE, run_before=scanning("HELLO"))


def test_board(demo: Path, snap_compare: Any) -> None:
    """The board: the per-category table (arrived/expected), the citizen share, the last
    scan time and the list of the 32 invited who have not arrived, phone numbers hidden (p shows them)."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)

    assert snap_compare(app_for(demo, start="board"), terminal_size=SIZE, run_before=run_before)
