"""Bindings whose descriptions follow the chosen language.

Every binding carries an `id`; its description is the catalogue entry `app.bind.<id>`,
filled in when a screen mounts and again when the user switches language.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from checkin.i18n import tr


def bind(key: str, action: str, binding_id: str, *, show: bool = True, priority: bool = False) -> Binding:
    """A described Binding; the description is looked up from the catalogue by id."""
    return Binding(
        key,
        action,
        tr(f"app.bind.{binding_id}"),
        show=show,
        priority=priority,
        id=binding_id,
    )


def localise_bindings(node: DOMNode) -> None:
    """Re-read every binding description of `node` and of the widgets inside it (the check
    form, the survey keyer: their BINDINGS were described in whatever language was chosen
    when their module was first imported) in the current language."""
    for each in node.walk_children(with_self=True):
        bindings_map = each._bindings
        for key, bindings in list(bindings_map.key_to_bindings.items()):
            bindings_map.key_to_bindings[key] = [_localised(b) for b in bindings]
    node.refresh_bindings()


def _localised(binding: Binding) -> Binding:
    if binding.action in ("command_palette", "app.command_palette"):
        # Textual's own key, described in English ("palette"): in the user's language
        return dataclasses.replace(
            binding, description=tr("app.palette_bind"), tooltip=tr("app.palette_tooltip")
        )
    return dataclasses.replace(binding, description=tr(f"app.bind.{binding.id}")) if binding.id else binding


@dataclass(frozen=True)
class _Key:
    """One key of the key line: what it shows, where it goes, how much it matters."""

    key: str
    display: str
    description: str
    action: str
    enabled: bool
    tooltip: str
    rank: int  # 0 this screen's own keys … 3 the office's screens: dropped first when narrow
    order: tuple[int, int]  # where it stands on the line
    palette: bool = False

    @property
    def width(self) -> int:
        """Cells on the compact key line: "F6 现场登记" and the space after it."""
        text = f"{self.display} {self.description}" if self.description else self.display
        return cell_len(text) + 1


MAX_ROWS = 2  # a key line of more rows would take the guest's panel


def fit_keys(keys: list[_Key], width: int, rows: int = MAX_ROWS) -> list[list[_Key]]:
    """The keys laid out in at most `rows` lines of `width` cells, in their order; when they
    do not all fit, the least important (highest rank, latest) are left off — they still
    work, and the command palette lists every one. The palette key ends the last line."""
    palette = [k for k in keys if k.palette]
    reserve = sum(k.width for k in palette)
    chosen = sorted((k for k in keys if not k.palette), key=lambda k: k.order)
    while True:
        lines = _flow(chosen, width, rows, reserve)
        if lines is not None or not chosen:
            lines = lines or [[]]
            lines[-1] += palette
            return lines
        least = max(chosen, key=lambda k: (k.rank, k.order))
        chosen = [k for k in chosen if k is not least]


def _flow(keys: list[_Key], width: int, rows: int, reserve: int) -> list[list[_Key]] | None:
    """`keys` in lines of `width` cells, `reserve` cells kept free at the end of the last;
    None when that takes more than `rows` lines."""
    lines: list[list[_Key]] = [[]]
    used = 0
    for key in keys:
        if used + key.width > width and lines[-1]:
            lines.append([])
            used = 0
        lines[-1].append(key)
        used += key.width
    if used + reserve > width:
        lines.append([])
    return lines if len(lines) <= rows else None


class DeskFooter(Footer):
    """The key line: every key a volunteer needs, visible — never past the right edge.

    Keys flow into up to two lines (compact: "F6 现场登记"), this screen's own keys first,
    then the screens (F1–F12, the one shown now left out: it does nothing here), then the
    language and quit; at a width where they do not all fit, the office's screens (F9–F12)
    are left off first, then the rest by importance — this screen's own keys last of all.

    It is also rebuilt only when what it shows changes: Textual's Footer rebuilds all its
    keys after every change of bindings (each focus change, each widget mounted, each
    language switch), and each rebuild restyles every key twice. A screen opening makes a
    dozen such changes in one go, nearly all leaving the keys as they were: here the changes
    before the next refresh share one look at the bindings, and the keys are rebuilt only
    if the line would read differently.
    """

    DEFAULT_CSS = """
    DeskFooter {
        layout: vertical;
        height: auto;
        max-height: 2;
        HorizontalGroup.key-line {
            height: 1;
            width: 1fr;
        }
    }
    """

    _rebuild_queued = False
    _shown: tuple[object, ...] | None = None

    def __init__(self) -> None:
        super().__init__(compact=True)

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        self._queue_rebuild()

    def _queue_rebuild(self) -> None:
        if not self._rebuild_queued:
            self._rebuild_queued = True
            after_first_frame = getattr(self.app, "after_first_frame", None)
            if self._shown is None and after_first_frame is not None:
                # the keys (a dozen widgets to style) come just after the app's first frame
                after_first_frame(lambda: self.call_later(self._rebuild))
            else:
                self.call_after_refresh(self._rebuild)

    def on_resize(self) -> None:
        if self._shown is not None and self._shown[-1] != self._width():
            self._queue_rebuild()  # another width: the keys are laid out again

    def _width(self) -> int:
        return self.app.size.width

    def _keys(self) -> list[_Key]:
        from screens.modes import SCREENS

        here = type(self.screen).__name__
        modes = {f"switch_mode('{s.id}')": s for s in SCREENS}
        palette = self.app.COMMAND_PALETTE_BINDING
        keys: list[_Key] = []
        shown = [
            (key, bound)
            for key, bound in self.screen.active_bindings.items()
            if bound[1].show or key == palette
        ]
        for position, (key, (node, binding, enabled, tooltip)) in enumerate(shown):
            is_palette = key == palette
            mode = modes.get(binding.action)
            if mode is not None and mode.cls == here:
                continue  # the screen shown now: its key does nothing here
            if is_palette:
                if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
                    continue
                rank, order = 0, (9, 0)
            elif mode is not None:
                rank, order = (1 if mode.door else 3), (1, int(mode.key.removeprefix("f")))
            elif node is self.app:
                rank, order = 2, (2, position)  # language, quit
            else:
                rank, order = 0, (0, position)
            display = self.app.get_key_display(binding)
            if re.fullmatch(r"f\d{1,2}", display):
                display = display.upper()  # as the keyboard prints it: F6
            description = binding.description
            keys.append(
                _Key(key, display, description, binding.action, enabled,
                     (binding.tooltip if is_palette else tooltip) or description, rank, order, is_palette)
            )  # fmt: skip
        return keys

    def _what_it_shows(self) -> tuple[object, ...]:
        return (
            tuple(self._keys()),
            self.show_command_palette,
            self.app.ENABLE_COMMAND_PALETTE,
            self._width(),
        )

    async def _rebuild(self) -> None:
        self._rebuild_queued = False
        if not self.is_attached:
            return  # the screen closed meanwhile
        shown = self._what_it_shows()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        for line in fit_keys(self._keys(), self._width()):
            with HorizontalGroup(classes="key-line"):
                for key in line:
                    widget = FooterKey(
                        key.key, key.display, key.description, key.action,
                        disabled=not key.enabled, tooltip=key.tooltip,
                        classes="-compact -command-palette" if key.palette else "-compact",
                    )  # fmt: skip
                    # born compact, as its width above was counted: not restyled once mounted
                    widget.set_reactive(FooterKey.compact, True)
                    yield widget
