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


def _recent_fits(app: object, table: object, numbers: list[str]) -> list[str]:
    """What of the recent list is cut, as drawn: a number not whole on its row, a time
    without its minutes, or columns wider together than the table's room beside its scrollbar."""
    from rich.cells import cell_len

    cut: list[str] = []
    room = table.scrollable_content_region.width  # type: ignore[attr-defined]
    columns = list(table.columns.values())  # type: ignore[attr-defined]
    needed = sum(column.get_render_width(table) for column in columns)
    if needed > room:
        cut.append(f"columns need {needed} cells, the table has {room}")
    for column in columns:
        widest = max([cell_len(str(column.label)), *(cell_len(str(row[column.key])) for row in _rows(table))])
        if widest > column.width:
            cut.append(f"{column.label}: {widest} > {column.width}")
    lines = [line.split("│", 1)[1] for line in drawn(app).splitlines() if "│" in line]
    for number in numbers:
        if not any(f"{number} " in f"{line} " for line in lines):
            cut.append(f"{number} not whole: {lines[:4]}")
    return cut


def _rows(table: object) -> list[dict[object, object]]:
    return [
        dict(zip(table.columns, table.get_row(key), strict=True))  # type: ignore[attr-defined]
        for key in table.rows  # type: ignore[attr-defined]
    ]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_every_column_of_a_full_recent_list_is_whole(
    demo: Path, lang: str, size: tuple[int, int]
) -> None:
    """At 80×24 the full list's scrollbar took the last cell: A015 was drawn "A01" (in English
    "A0"). Every column is whole now, at 80×24 and 120×40, in both languages; on a narrow
    terminal the time is HH:MM, on a wide one it keeps its seconds."""
    set_language(lang)
    numbers = [invited(demo, n) for n in range(4)]
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=size) as pilot:
        screen = await ready(app, pilot)
        for text in (*(f"HELLO-{n}" for n in range(16)), *(demo_id(demo, number) for number in numbers)):
            send_burst(app, text)
            await settle(app, pilot)
            screen.action_reset()
        await pilot.pause(0.2)
        table = screen.query_one("#recent")
        if size[0] < 120:
            assert table.show_vertical_scrollbar  # the full list: its scrollbar takes a cell
        assert _recent_fits(app, table, numbers) == []
        times = [str(row["time"]) for row in _rows(table)]
        assert all(len(time) == (8 if size[0] >= 120 else 5) for time in times), times


async def test_the_recent_list_fits_again_when_the_window_is_resized(demo: Path) -> None:
    """A laptop's window made wider gets the seconds back; made narrow again, it loses them
    and no column is cut."""
    set_language("en")
    number = invited(demo, 0)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        send_burst(app, demo_id(demo, number))
        await settle(app, pilot)
        table = screen.query_one("#recent")
        for size, length in (((120, 40), 8), ((80, 24), 5)):
            await pilot.resize_terminal(*size)
            await settle(app, pilot)
            await pilot.pause(0.2)
            assert [len(str(row["time"])) for row in _rows(table)] == [length], size
            assert _recent_fits(app, table, [number]) == [], size
