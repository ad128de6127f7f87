"""Bindings whose descriptions follow the chosen language.

Every binding carries an `id`; its description is the catalogue entry `app.bind.<id>`,
filled in when a screen mounts and again when the user switches language.
"""

from __future__ import annotations

import dataclasses

from textual.binding import Binding
from textual.dom import DOMNode

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
    """Re-read every binding description of `node` in the current language."""
    bindings_map = node._bindings
    for key, bindings in list(bindings_map.key_to_bindings.items()):
        bindings_map.key_to_bindings[key] = [
            dataclasses.replace(b, description=tr(f"app.bind.{b.id}")) if b.id else b for b in bindings
        ]
    node.refresh_bindings()
