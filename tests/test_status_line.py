"""The door's status line at 80 columns: it began with the event's title, and the figures a
supervisor watches (arrived, the citizens' share inside) were cut off the right edge in
English. The figures come first; the title, which is long, comes last."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkin.i18n import set_language
from screens.app import make_app
from tests.helpers import drawn, ready, set_checks


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_figures_of_the_status_line_are_in_view_at_80_columns(demo: Path, lang: str) -> None:
    set_language(lang)
    set_checks(demo, "epidemic-2022")
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        line = drawn(app).splitlines()[1]
        share = "场内群众代表 —" if lang == "zh" else "citizens inside —"
        arrived = "已到 0/32" if lang == "zh" else "arrived 0/32"
        assert arrived in line and share in line, line
