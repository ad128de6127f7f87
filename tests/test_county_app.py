"""The county screen: `checkin run --db county.db` opens it; one line per unit, breaches in words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Static

from checkin.i18n import set_language
from screens.county import CountyApp, CountyScreen
from screens.main import main as checkin
from tests.conftest import settle

UNITS = "单位名称,类别,联系人,联系电话\n科技局,县政府部门,王明,13800000001\n城关街道,乡镇（街道）,李华,0539-2251234\n水利局,县政府部门,赵刚,13800000003\n"


def run(*argv: Any) -> int:
    return checkin(["--lang", "zh", *[str(a) for a in argv]])


@pytest.fixture
def county(tmp_path: Path) -> Path:
    units = tmp_path / "单位.csv"
    units.write_text(UNITS, encoding="utf-8")
    db = tmp_path / "county.db"
    assert run("county", "init", "--db", db, "--year", "2026", "--units", units, "--name", "沂水县") == 0
    event = tmp_path / "e.toml"
    event.write_text(
        '[event]\ntitle = "走进科技局"\norganizer = "科技局"\ndate = 2026-10-20\ncapacity = 35\n',
        encoding="utf-8",
    )
    assert run("init", "--db", tmp_path / "e.db", "--from", event) == 0
    assert run("plan", "export", "--db", tmp_path / "e.db", "--out", tmp_path / "p.toml") == 0
    assert run("county", "plans", "--db", db, tmp_path / "p.toml", "--received", "2026-09-01") == 0
    return db


async def test_county_screen_lists_units_breaches_and_filters(county: Path) -> None:
    set_language("zh")
    app = CountyApp(county, as_of=dt.date(2026, 9, 20), still=True)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, CountyScreen)
        table = screen.query_one("#county-units", DataTable)
        assert table.row_count == 3
        assert [str(table.get_row_at(i)[0]) for i in range(3)] == ["科技局", "城关街道", "水利局"]
        assert str(table.get_row_at(0)[1]) == "按期"
        # over 30; no announcement date yet, but it is not due before 5 October (15 days ahead)
        assert str(table.get_row_at(0)[-1]) == "1"
        detail = str(screen.query_one("#county-detail", Static).render())
        assert "计划人数 35，超过每个开放点 30 人" in detail and "王明" in detail
        await pilot.press("down", "down")
        detail = str(screen.query_one("#county-detail", Static).render())
        assert "未在 9月15日 前报备活动计划" in detail and "13800000003" in detail
        await pilot.press("m")  # only units that owe something or broke a rule
        assert table.row_count == 3  # 城关街道 owes its plan, 科技局 its results
        summary = str(screen.query_one("#county-summary", Static).render())
        assert "3 个单位：已报备 1" in summary
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert [str(c.label) for c in table.columns.values()][:2] == ["Unit", "Plan"]


def test_run_opens_the_county_screen_without_a_station(county: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Path] = []
    monkeypatch.setattr(CountyApp, "run", lambda self: opened.append(self.db_path))
    assert run("run", "--db", county) == 0
    assert opened == [county]


def test_run_on_an_event_file_still_needs_a_station(
    county: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("run", "--db", tmp_path / "e.db") == 2
    assert "需要 --station" in capsys.readouterr().err
