"""The board's not-arrived list at 80×24: its phone column was cut (the hint （按 p 显示）
drawn as "（", the numbers as "138"), in English the call column too, even at 120 columns.
Every column the list shows is whole now, at 80×24 and 120×40, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from checkin.board import build_board
from checkin.i18n import set_language, tr
from checkin.storage import open_db
from screens.app import make_app
from tests.helpers import drawn, settle


def _rows(table: object) -> list[dict[object, object]]:
    return [
        dict(zip(table.columns, table.get_row(key), strict=True))  # type: ignore[attr-defined]
        for key in table.rows  # type: ignore[attr-defined]
    ]


def _cut(table: object) -> list[str]:
    """Columns wider together than the list's room beside its scrollbar, or narrower than
    what they hold."""
    cut: list[str] = []
    room = table.scrollable_content_region.width  # type: ignore[attr-defined]
    columns = list(table.columns.values())  # type: ignore[attr-defined]
    needed = sum(column.get_render_width(table) for column in columns)
    if needed > room:
        cut.append(f"columns need {needed} cells, the list has {room}")
    for column in columns:
        widest = max([cell_len(str(column.label)), *(cell_len(str(row[column.key])) for row in _rows(table))])
        if widest > column.width:
            cut.append(f"{column.label}: {widest} > {column.width}")
    return cut


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_phone_column_of_the_board_is_whole(demo: Path, lang: str, size: tuple[int, int]) -> None:
    set_language(lang)
    with open_db(demo) as db:
        absent = build_board(db).not_arrived
        # a guest called back as unreachable: the widest word of the call column in English
        db.execute("UPDATE people SET confirmation = 'unreachable' WHERE number = ?", [absent[0].number])
        db.conn.commit()
    first = absent[0]
    assert first.phone
    app = make_app(demo, station="东门", operator="小王", start="board")
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.pause(0.2)
        table = app.screen.query_one("#absent")
        assert table.show_vertical_scrollbar or size[0] >= 120  # a full list: its scrollbar takes a cell
        assert _cut(table) == []
        keys = [str(key.value) for key in table.columns]  # type: ignore[attr-defined]
        # at 120 columns nothing is left out; at 80 the category (in the table on the left) is
        assert keys == ["number", "name", *(["category"] if size[0] >= 120 else []), "phone", "confirmation"]
        hint = tr("app.phone_hidden")
        lines = [line for line in drawn(app).splitlines() if first.number in line]
        call = str(_rows(table)[0]["confirmation"])
        assert call in (tr("confirmation.unreachable"), tr("app.board_call.unreachable"))
        assert lines and hint in lines[0] and call in lines[0], lines
        assert not table.show_horizontal_scrollbar
        hinted = [line for line in drawn(app).splitlines() if hint in line]
        assert len(hinted) >= 10, hinted[:3]
        await pilot.press("p")
        await settle(app, pilot)
        await pilot.pause(0.2)
        assert _cut(table) == []
        lines = [line for line in drawn(app).splitlines() if first.number in line]
        assert lines and first.phone in lines[0], lines
        await pilot.press("b")  # large digits beside the list
        await settle(app, pilot)
        await pilot.pause(0.2)
        assert _cut(table) == []
        phones = {str(row["phone"]) for row in _rows(table)}
        shown = [line for line in drawn(app).splitlines() if any(phone in line for phone in phones)]
        assert len(shown) >= 10, drawn(app)  # the list turns pages here: whichever rows are up
