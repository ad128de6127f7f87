"""Bindings whose descriptions follow the chosen language.

Every binding carries an `id`; its description is the catalogue entry `app.bind.<id>`,
filled in when a screen mounts and again when the user switches language.
"""

from __future__ import annotations

import dataclasses

from textual.app import ComposeResult
from textual.binding import Binding
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


class DeskFooter(Footer):
    """The key line, rebuilt only when what it shows changes.

    Textual's Footer rebuilds all its keys after every change of bindings (each focus
    change, each widget mounted, each language switch), and each rebuild restyles every key
    twice. A screen opening makes a dozen such changes in one go, nearly all leaving the
    keys as they were: here the changes before the next refresh share one look at the
    bindings, and the keys are rebuilt only if the line would read differently.
    """

    _rebuild_queued = False
    _shown: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._rebuild_queued:
            self._rebuild_queued = True
            after_first_frame = getattr(self.app, "after_first_frame", None)
            if self._shown is None and after_first_frame is not None:
                # the keys (a dozen widgets to style) come just after the app's first frame
                after_first_frame(lambda: self.call_later(self._rebuild))
            else:
                self.call_after_refresh(self._rebuild)

    def _what_it_shows(self) -> tuple[object, ...]:
        palette = self.app.COMMAND_PALETTE_BINDING
        shown = tuple(
            (key, self.app.get_key_display(binding), binding.description, binding.action,
             binding.group, enabled, tooltip)
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == palette
        )  # fmt: skip
        return (shown, self.compact, self.show_command_palette, self.app.ENABLE_COMMAND_PALETTE)

    async def _rebuild(self) -> None:
        self._rebuild_queued = False
        if not self.is_attached:
            return  # the screen closed meanwhile
        shown = self._what_it_shows()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # born in the footer's style (Textual binds it to it): not restyled once mounted
                widget.set_reactive(FooterKey.compact, self.compact)
            yield widget
