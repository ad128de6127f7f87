"""The app's stylesheet, parsed once per change instead of once per screen.

Textual re-parses every stylesheet it knows (its widgets' defaults and app.tcss) from
scratch each time it refreshes the CSS: when a screen or mode opens, when the theme is
set. Opening the door's screen did that eight times over the same text, with the same
theme — a good part of the time to start. Here a refresh with the same variables and the
same sources keeps the rules already parsed; any change (a new widget's defaults, another
theme) parses as before.
"""

from __future__ import annotations

from textual.css.stylesheet import Stylesheet


class DeskStylesheet(Stylesheet):
    def set_variables(self, variables: dict[str, str]) -> None:
        if variables == self._variables:
            return  # the same theme: what was parsed still holds
        super().set_variables(variables)  # another theme: everything is parsed again

    def reparse(self) -> None:
        """Textual parses every source again in a fresh stylesheet; here the sources parsed
        already with these variables come from the parse cache and only new ones are
        parsed. A fault is raised as before, and the rules in use stay as they were."""
        self.parse()
