"""Text shown as typed: names, organisations and suggestions are never read as markup.

Textual reads `[b]`, `[@click=app.quit]` or `[link=…]` in a string given to a Static, a
DataTable cell, a rich Table or a notification as markup: a guest called `[@click=app.quit]x[/]`
would be a button that closes the desk, and a lone `[/]` stops the screen with an error. Every
widget here that shows such text is made with `markup=False`, a `PlainTable`, a `Text`, or a
notification through `PlainNotify` (tests/test_markup_injection.py checks every screen).
"""

from __future__ import annotations

from rich.text import Text, TextType
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from screens.plain_notify import PlainNotify

__all__ = ["PlainNotify", "PlainTable", "plain"]


def plain(value: object, *, wrap: bool = True) -> object:
    """A string as a Text (shown literally, cut or wrapped as DataTable does); anything else unchanged."""
    return Text(value, end="", no_wrap=not wrap) if isinstance(value, str) else value


class PlainTable(DataTable[object]):
    """A DataTable whose string cells are text, not Rich markup (update_cell_at goes through update_cell)."""

    def add_row(
        self,
        *cells: object,
        height: int | None = 1,
        key: str | None = None,
        label: TextType | None = None,
    ) -> RowKey:
        return super().add_row(
            *(plain(c, wrap=height != 1) for c in cells),
            height=height,
            key=key,
            label=Text(label) if isinstance(label, str) else label,
        )

    def update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: object,
        *,
        update_width: bool = False,
    ) -> None:
        row = self.rows.get(row_key if isinstance(row_key, RowKey) else RowKey(row_key))
        wrap = row is None or row.height != 1
        super().update_cell(row_key, column_key, plain(value, wrap=wrap), update_width=update_width)
