"""The roll call's "缺32人：罗华、许志然、…" at arm's length: lines break between names, never
inside one (Rich broke Chinese anywhere: 解|晨 read as two people, a line began with 、)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkin.i18n import set_language
from checkin.storage import open_db
from screens.app import make_app
from screens.rollcall import RollCallScreen
from tests.helpers import drawn, settle


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_missing_names_are_never_cut_in_two(demo: Path, size: tuple[int, int]) -> None:
    set_language("zh")
    with open_db(demo) as db:
        names = [r[0] for r in db.execute("SELECT name FROM people WHERE status = 'invited'")]
    app = make_app(demo, station="东门", operator="小王", start="rollcall")
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, RollCallScreen)
        panel = app.screen.query_one("#visit-panel")
        top, bottom = panel.region.y, panel.region.bottom
        lines = drawn(app).splitlines()[top + 1 : bottom - 1]
        # the panel's own cells, inside its heavy border (the list beside it shows the names too)
        text = [line.split("┃")[1] for line in lines if line.count("┃") >= 2]
        assert len(text) == len(lines)
        joined = "\n".join(text)
        assert "缺32人" in joined
        cut = [n for n in names if n not in joined]
        assert cut == [], cut
        assert not any(line.strip().startswith("、") for line in text)
