"""The recent scans at 80×24: the verdict column was the last and was cut ("Admitt",
"Alread", "准予入"); the verdict now stands beside the time, in short words, and whatever is
cut on a narrow terminal is the person's number, the last column."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkin.i18n import set_language, tr
from screens.app import make_app
from tests.helpers import demo_id, drawn, invited, ready, send_burst, settle


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_verdicts_of_the_recent_list_are_whole_at_80_by_24(demo: Path, lang: str) -> None:
    set_language(lang)
    first = invited(demo, 0)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        junk = [f"HELLO-WORLD-{n}" for n in range(16)]  # a full list: its scrollbar shows
        for text in (*junk, demo_id(demo, first), demo_id(demo, first)):
            send_burst(app, text)
            await settle(app, pilot)
            screen.action_reset()  # the same code again is judged again
        await pilot.pause(0.2)
        table = screen.query_one("#recent")
        words = {tr(f"app.recent.{v}") for v in ("admitted", "refused", "already")}
        lines = [line.split("│", 1)[1] for line in drawn(app).splitlines() if "│" in line]
        for word in words:
            assert any(word in line for line in lines), (word, lines[:6])
        assert table.region.right <= 80


async def test_the_recent_list_speaks_the_language_the_desk_was_switched_to(demo: Path) -> None:
    """中/EN (ctrl+l) at the door: the list's headings stayed Chinese (时间 结果 姓名) and its
    verdict column kept the width of the Chinese words, so the English ones were cut
    ("Checks d", "Already" without "in"). Headings and widths follow the language now."""
    set_language("zh")
    first = invited(demo, 0)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(app, pilot)
        for _ in range(2):  # admitted, then already in
            send_burst(app, demo_id(demo, first))
            await settle(app, pilot)
            screen.action_reset()
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        await pilot.pause(0.2)
        table = screen.query_one("#recent")
        labels = [str(column.label) for column in table.columns.values()]  # type: ignore[attr-defined]
        assert labels[:3] == [tr("app.col.time"), tr("app.col.verdict"), tr("app.col.name")]
        lines = [line.split("│", 1)[1] for line in drawn(app).splitlines() if "│" in line]
        assert any(tr("app.col.verdict") in line for line in lines), lines[:3]
        for word in (tr("app.recent.admitted"), tr("app.recent.already")):
            assert any(word in line for line in lines), (word, lines[:4])
