"""Notifications as plain text (see screens/plain.py): kept apart from the tables so that the
app, which notifies, starts without importing Textual's DataTable (the door's first frame
has no table: it comes just after)."""

from __future__ import annotations

from collections import deque
from typing import Any

NOTICES_KEPT = 50


class PlainNotify:
    """App mixin: every notification is plain text (messages quote names and files), and the
    last ones stay readable in `notices` (what the desk told the volunteer; the tests read it)."""

    def notify(self, message: str, **kwargs: Any) -> None:
        kwargs["markup"] = False
        self.notices.append(message)
        super().notify(message, **kwargs)  # type: ignore[misc]

    @property
    def notices(self) -> deque[str]:
        """The last `NOTICES_KEPT` notifications, oldest first."""
        kept: deque[str] | None = self.__dict__.get("_plain_notices")
        if kept is None:
            kept = self.__dict__["_plain_notices"] = deque(maxlen=NOTICES_KEPT)
        return kept
