"""The county office's file, its rules and the units' plans, made with the real commands.

Three units: 城关街道 files on time within every rule, 科技局 files late for an event after the
window with 35 people, 水利局 never reports. Every breach is found and worded.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from checkin.county import is_county_file
from tests.helpers import checkin_says as run
from tests.helpers import county_with_units
from tests.helpers import event_from_toml as make_event

UNITS_CSV = "单位名称,类别,联系人,联系电话\n科技局,县政府部门,王明,13800000001\n城关街道,乡镇（街道）,李华,0539-2251234\n水利局,县政府部门,赵刚,138 0000 0003\n"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def county(tmp_path: Path) -> Path:
    return county_with_units(tmp_path, UNITS_CSV, "--name", "沂水县")


@pytest.fixture
def plans(tmp_path: Path) -> dict[str, Path]:
    good = make_event(
        tmp_path,
        "城关",
        'title = "走进城关"\norganizer = "城关街道"\ndate = 2026-10-20\nplaces = ["便民服务中心"]\ncapacity = 30',
    )
    assert run("event", "announced", "--db", good, "--on", "2026-09-30", "--url", "https://x.gov.cn/1") == 0
    late = make_event(
        tmp_path,
        "科技局",
        'title = "走进科技局"\norganizer = "科技局"\ndate = 2026-11-05\nplaces = ["科创园", "实验室"]\n'
        'capacity = 35\nmin_citizen_share = "1/4"',
    )
    assert run("event", "announced", "--db", late, "--on", "2026-10-28", "--url", "https://x.gov.cn/2") == 0
    out = {}
    for name, db in (("城关", good), ("科技局", late)):
        out[name] = tmp_path / f"备案-{name}.toml"
        assert run("plan", "export", "--db", db, "--out", out[name]) == 0
    return out


def test_init_takes_units_and_seed_rules(county: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert is_county_file(county)
    assert run("county", "status", "--db", county, "--json", "--as-of", "2026-09-01") == 0
    data = json.loads(capsys.readouterr().out)
    assert [u["unit"] for u in data["units"]] == ["科技局", "城关街道", "水利局"]
    assert data["units"][2]["phone"] == "13800000003"  # normalised; county staff call units
    assert data["rules"] == {
        "year": 2026, "window_start": "2026-09-15", "window_end": "2026-10-31",
        "plan_deadline": "2026-09-15", "plan_lead": None, "plan_lead_working": False,
        "announce_lead_days": 15, "max_per_site": 30, "min_citizen_share": "1/3",
        "report_due": 2, "report_due_working": False, "posting_due": 5, "posting_due_working": True,
        "suggestion_working_days": 15, "min_events": 1,
    }  # fmt: skip
    # nothing is late on 1 September
    assert all(u["breaches"] == [] for u in data["units"])


def test_plans_every_breach_worded(
    county: Path, plans: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("county", "plans", "--db", county, plans["城关"], "--received", "2026-09-10") == 0
    out = capsys.readouterr().out
    assert "已备案：城关街道" in out
    assert "城关街道：符合各项要求" in out
    assert run("county", "plans", "--db", county, plans["科技局"], "--received", "2026-09-20") == 0
    out = capsys.readouterr().out
    assert "科技局：计划人数 35，超过每个开放点 30 人" in out
    assert "科技局：报备晚于 9月15日（9月20日 报备）" in out
    assert "科技局：活动日期 11月5日 不在 9月15日 至 10月31日 的活动时间内" in out
    assert "科技局：计划群众代表比例 25.0%，低于 1/3" in out
    assert "科技局：公告日期 10月28日，晚于活动前 15 日（应不晚于 10月21日）" in out
    assert out.count("科技局：") == 5

    assert run("county", "status", "--db", county, "--json", "--as-of", "2026-09-20") == 0
    data = {u["unit"]: u for u in json.loads(capsys.readouterr().out)["units"]}
    assert data["城关街道"]["breaches"] == [] and data["城关街道"]["plan_on_time"] is True
    assert data["科技局"]["plan_on_time"] is False
    assert len(data["科技局"]["breaches"]) == 5
    assert data["水利局"]["breaches"] == ["未在 9月15日 前报备活动计划"]
    assert data["水利局"]["missing"] == ["plan", "results"]


def test_plan_deadline_in_working_days(
    tmp_path: Path, county: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        "[rules]\nplan_deadline = false\nplan_lead = 5\nplan_lead_working = true\n", encoding="utf-8"
    )
    units = tmp_path / "u.csv"
    units.write_text("单位名称\n城关街道\n", encoding="utf-8")
    other = tmp_path / "c2.db"
    assert run("county", "init", "--db", other, "--year", "2026", "--units", units, "--rules", rules) == 0
    db = make_event(tmp_path, "e", 'title = "t"\norganizer = "城关街道"\ndate = 2026-10-12\ncapacity = 20')
    plan = tmp_path / "p.toml"
    assert run("plan", "export", "--db", db, "--out", plan) == 0
    capsys.readouterr()
    # 2026-10-12 is a Monday after National Day; 10-10 (Sat) is a 调休 working day, so five working
    # days before the 12th is 29 September, not 5 October
    assert run("county", "plans", "--db", other, plan, "--received", "2026-09-30") == 0
    out = capsys.readouterr().out
    assert "报备晚于活动前 5 个工作日（应不晚于 9月29日，9月30日 报备）" in out


def test_refiling_is_idempotent_and_order_free(
    tmp_path: Path, county: Path, plans: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "county2.db"
    units = tmp_path / "单位.csv"
    assert run("county", "init", "--db", other, "--year", "2026", "--units", units) == 0
    files = [plans["城关"], plans["科技局"]]
    assert run("county", "plans", "--db", county, *files, "--received", "2026-09-12") == 0
    assert run("county", "plans", "--db", county, *files, "--received", "2026-09-13") == 0
    assert run("county", "plans", "--db", other, *reversed(files), "--received", "2026-09-13") == 0
    assert run("county", "plans", "--db", other, *files, "--received", "2026-09-12") == 0
    capsys.readouterr()
    views = []
    for db in (county, other):
        assert run("county", "status", "--db", db, "--json", "--as-of", "2026-12-31") == 0
        views.append(json.loads(capsys.readouterr().out)["units"])
    assert views[0] == views[1]
    assert views[0][1]["plans"][0]["filed_on"] == "2026-09-12"  # the first day it reached the county


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not toml [", "计划文件 bad.toml 有误，未导入任何计划：不是有效的计划文件（TOML 格式在第 1 行"),
        ("[plan]\nformat = 9\n", "格式版本（9）"),
        (
            '[plan]\nformat = 1\nyear = 2026\nunit = "城关街道"\nevent_id = "x\'; DROP TABLE plans; --"\n',
            "活动编号：不是本程序导出的活动编号",
        ),
        (
            '[plan]\nformat = 1\n"unit\'); DROP TABLE units; --" = 1\n',
            "含有本程序不认识的项：“unit'); DROP TABLE u…”",
        ),
        ("[plan]\nformat = 1\n[other]\nx = 1\n", "缺少 [plan] 部分，或含有 [plan] 以外的部分"),
        (
            '[plan]\nformat = 1\nyear = 2026\nunit = "不存在局"\nevent_id = "abc"\ntitle = "t"\ndate = 2026-10-01\n'
            "capacity = 10\nexported_at = 2026-09-01T10:00:00\n",
            "bad.toml：“不存在局”不在本县单位名单中",
        ),
        (
            '[plan]\nformat = 1\nyear = 2025\nunit = "城关街道"\nevent_id = "abc"\ntitle = "t"\ndate = 2025-10-01\n'
            "capacity = 10\nexported_at = 2025-09-01T10:00:00\n",
            "2025 年的活动",
        ),
        (
            '[plan]\nformat = 1\nyear = 2026\nunit = "城关街道"\nevent_id = "abc"\ntitle = "t"\ndate = 2026-10-01\n'
            "capacity = -3\nexported_at = 2026-09-01T10:00:00\n",
            "计划人数：应为 1 到 100000 之间的整数（文件中为“-3”）",
        ),
        (
            '[plan]\nformat = 1\nyear = 2026\nunit = "城关街道"\nevent_id = "abc"\ntitle = "t"\ndate = 2026-10-01\n'
            'capacity = "三十"\nexported_at = 2026-09-01T10:00:00\n',
            "计划人数：应为 1 到 100000 之间的整数（文件中为“三十”）",
        ),
        (
            '[plan]\nformat = 1\nyear = 2026\nunit = "城关街道"\nevent_id = "abc"\ntitle = "t"\n'
            "date = 2026-10-01T09:00:00\ncapacity = 3\nexported_at = 2026-09-01T10:00:00\n",
            "活动日期：应为日期，不带时刻",
        ),
        (
            '[plan]\nformat = 1\nyear = 2026\nunit = "城关街道"\nevent_id = "abc"\ntitle = "t"\ndate = 2026-10-01\n'
            'starts = "25:99"\ncapacity = 3\nexported_at = 2026-09-01T10:00:00\n',
            "开始时间：不是“时:分”形式的时间（文件中为“25:99”）",
        ),
        (
            '[plan]\nformat = 1\nyear = 2026\nunit = "城关街道"\nevent_id = "abc"\ntitle = "t"\ndate = 2026-10-01\n'
            'citizen_share = "5/3"\ncapacity = 3\nexported_at = 2026-09-01T10:00:00\n',
            "群众代表比例：应为 0 到 1 之间的比例",
        ),
        (
            '[plan]\nformat = 1\nyear = 2026\nunit = "城关街道"\nevent_id = "abc"\ntitle = "\\u001b[31m走进"\n'
            "date = 2026-10-01\ncapacity = 3\nexported_at = 2026-09-01T10:00:00\n",
            "活动名称：含有控制字符",
        ),
        (
            '[plan]\nformat = 1\nyear = 2026\nunit = "城\\u0000关"\nevent_id = "abc"\ntitle = "t"\ndate = 2026-10-01\n'
            "capacity = 3\nexported_at = 2026-09-01T10:00:00\n",
            "控制字符",
        ),
        ("# " + "x" * 300_000 + "\n", "文件太大（超过 256 KB）"),
    ],
)
def test_hostile_plan_files_change_nothing(
    tmp_path: Path,
    county: Path,
    plans: dict[str, Path],
    content: str,
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(content, encoding="utf-8")
    before = sha(county)
    # a good file beside the bad one is not taken either: all files are checked first
    assert run("county", "plans", "--db", county, plans["城关"], bad) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert "Traceback" not in err
    # the field in words, never the file's key (capacity, event_id) or the TOML parser's English
    assert not re.search(
        r"[A-Za-z]+_[A-Za-z_]+|\b(?:Expected|Invalid|Illegal|line \d)", err.replace("DROP TABLE", "")
    ), err
    assert sha(county) == before


def test_event_commands_refuse_the_county_file(county: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = sha(county)
    assert run("event", "show", "--db", county) == 2
    assert "县政务公开办公室的汇总文件" in capsys.readouterr().err
    assert sha(county) == before


def test_county_commands_refuse_an_event_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = make_event(tmp_path, "e", 'title = "t"\ndate = 2026-10-12')
    assert run("county", "status", "--db", db) == 2
    assert "不是县级汇总文件" in capsys.readouterr().err


def test_unit_sheet_rejections_and_bad_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    units = tmp_path / "u.csv"
    units.write_text("单位名称,联系电话\n科技局,123\n科技局,13800000001\n城关街道,\n", encoding="gb18030")
    assert run("county", "init", "--db", tmp_path / "c.db", "--year", "2026", "--units", units) == 0
    out = capsys.readouterr().out
    assert "（2 个单位）" in out
    # a phone that is not one (an extension, a typo) keeps the unit, written as given, and is said
    assert "第 2 行：“科技局”的联系电话“123”不是手机号或带区号的固定电话，已照录" in out
    assert "第 3 行未导入：单位“科技局”重复（第 2 行已有）" in out
    rules = tmp_path / "r.toml"
    rules.write_text('[rules]\nmax_per_site = "thirty"\n', encoding="utf-8")
    assert (
        run("county", "init", "--db", tmp_path / "d.db", "--year", "2026", "--units", units, "--rules", rules)
        == 2
    )
    assert "max_per_site（每个开放点人数上限） 的值不对：thirty" in capsys.readouterr().err
    assert not (tmp_path / "d.db").exists()
    rules.write_text("[rules]\nwindow_start = 2025-09-15\n", encoding="utf-8")
    assert (
        run("county", "init", "--db", tmp_path / "d.db", "--year", "2026", "--units", units, "--rules", rules)
        == 2
    )
    assert "不是 2026 年" in capsys.readouterr().err


def test_posted_and_announced_are_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = make_event(tmp_path, "e", 'title = "t"\ndate = 2026-10-12')
    assert run("event", "posted", "--db", db, "--on", "2026-10-10", "--url", "https://a.cn/x") == 2
    assert "早于活动日期" in capsys.readouterr().err
    assert run("event", "posted", "--db", db, "--on", "2026-10-14", "--url", "javascript:alert(1)") == 2
    assert "网址不对" in capsys.readouterr().err
    assert run("event", "posted", "--db", db, "--on", "2026-10-14", "--url", "https://a.cn/x") == 0
    assert run("plan", "export", "--db", db, "--out", tmp_path / "p.toml") == 2
    assert "没有写主办单位" in capsys.readouterr().err


def test_plan_carries_places_per_category(
    tmp_path: Path, county: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_event(
        tmp_path,
        "q",
        'title = "走进城关"\norganizer = "城关街道"\ndate = 2026-10-20\ncapacity = 30\n'
        '[[event.categories]]\ncode = "sanqu_talent"\nzh = "三区人才"\n'
        '[event.quotas]\n"人大代表" = 1\n"科技特派员+三区人才" = 8\n"群众代表" = 12\n',
    )
    plan = tmp_path / "备案-q.toml"
    assert run("plan", "export", "--db", db, "--out", plan) == 0
    import tomllib

    data = tomllib.loads(plan.read_text(encoding="utf-8"))["plan"]
    assert data["places"] == {"人大代表": 1, "科技特派员+三区人才": 8, "群众代表": 12}
    assert data["citizen_share"] == "2/5"  # 12 of 30 places kept for citizens, above the 1/3 minimum
    assert run("county", "plans", "--db", county, plan, "--received", "2026-09-01") == 0
    capsys.readouterr()
    assert run("county", "status", "--db", county, "--json", "--as-of", "2026-09-02") == 0
    unit = next(u for u in json.loads(capsys.readouterr().out)["units"] if u["unit"] == "城关街道")
    assert unit["plans"][0]["places"] == {"人大代表": 1, "科技特派员+三区人才": 8, "群众代表": 12}


def test_report_cells_never_formulas_and_files_private(tmp_path: Path) -> None:
    units = tmp_path / "u.csv"
    units.write_text(
        '单位名称,联系电话\n"=HYPERLINK(""http://x"",""y"")",13800000001\n城关街道,\n', encoding="utf-8"
    )
    db = tmp_path / "c.db"
    assert run("county", "init", "--db", db, "--year", "2026", "--units", units) == 0
    out = tmp_path / "表.xlsx"
    assert run("county", "report", "--db", db, "--out", out, "--as-of", "2026-12-31") == 0
    from openpyxl import load_workbook

    sheet = load_workbook(out).worksheets[0]
    cell = sheet["A3"]
    assert cell.data_type == "s" and str(cell.value).startswith("'=HYPERLINK")
    import os

    if os.name == "posix":
        assert out.stat().st_mode & 0o777 == 0o600


def test_bidi_and_zero_width_characters_refused_in_plans(
    tmp_path: Path, county: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[plan]\nformat = 1\nyear = 2026\nunit = "城关街道"\nevent_id = "abc"\ntitle = "走进\u202e城关"\n'
        "date = 2026-10-01\ncapacity = 3\nexported_at = 2026-09-01T10:00:00\n",
        encoding="utf-8",
    )
    assert run("county", "plans", "--db", county, bad) == 2
    assert "控制字符" in capsys.readouterr().err


def test_shipped_rules_file_is_the_seed_defaults() -> None:
    from checkin.county import Rules, load_rules_file
    from checkin.paths import data_dir

    assert load_rules_file(data_dir() / "county" / "rules.toml", 2026) == Rules.defaults(2026)
