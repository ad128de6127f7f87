"""Tables whose column widths never depend on when their rows arrive.

A DataTable with auto-width columns widens them as rows come in, and its header can be drawn
before or after that happens: the screen jumps on every refresh and a picture of it depends
on timing. Columns here are as wide as their label and the widest value they can hold.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from textual.widgets import DataTable


def width_for(label: str, samples: Iterable[str]) -> int:
    return max([cell_len(label), *(cell_len(s) for s in samples)])


def add_fixed_columns(table: DataTable[object], columns: Iterable[tuple[str, str, Iterable[str]]]) -> None:
    """(key, label, sample values) per column; each column fixed at its widest sample."""
    for key, label, samples in columns:
        table.add_column(label, key=key, width=width_for(label, samples))
