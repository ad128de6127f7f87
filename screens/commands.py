"""Command palette: every key of the current screen and every screen, namespaced and translated."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from checkin.i18n import tr
from screens.modes import SCREENS


class DeskCommands(Provider):
    """'签到: 查找', '界面: 看板' … — the same actions as the keys, findable by name."""

    def _commands(self) -> list[tuple[str, str, object]]:
        app = self.app
        screen = app.screen
        found: list[tuple[str, str, object]] = []
        for entry in SCREENS:
            label = f"{tr('app.palette_screens')}: {tr(entry.label)}"
            found.append((label, tr("app.palette_switch"), partial(app.switch_mode, entry.id)))
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action in seen or binding.action.startswith("switch_mode"):
                continue
            seen.add(binding.action)
            label = f"{screen.sub_title or app.title}: {binding.description}"
            found.append(
                (label, f"{tr('app.palette_key')} {binding.key}", partial(screen.run_action, binding.action))
            )
        return found

    async def discover(self) -> Hits:
        for label, help_text, callback in self._commands():
            yield DiscoveryHit(label, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, help_text, callback in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), callback, help=help_text)  # type: ignore[arg-type]
