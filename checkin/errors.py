"""Errors that carry a translation key, so every message reaches the user in their language."""

from __future__ import annotations

from typing import Any


class CheckinError(Exception):
    """A user-facing error: `key` names a catalogue entry, `params` fill it in."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(key)

    def message(self) -> str:
        from checkin.i18n import tr

        return tr(self.key, **self.params)

    def __str__(self) -> str:
        return self.message()
