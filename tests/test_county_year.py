"""A county year with three units, made with the real commands, checked by hand.

- 城关街道 files its plan on time, keeps every rule, holds its day on 20 October, reports the
  next day, posts it on the 22nd and answers its one suggestion within 15 working days;
- 科技局 files late (20 September) for 5 November (outside the window), plans 35 people with a
  citizen share of 1/4, announces 8 days ahead, lets 35 in, reports late, posts late and leaves
  its suggestion open;
- 水利局 never reports.

The results files are taken in twice and in both orders: the county file ends up the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from screens.main import main as checkin
from tests.helpers import FONT, person_row, write_csv

UNITS_CSV = (
    "单位名称,类别,联系人,联系电话\n科技局,县政府部门,王明,13800000001\n"
    "城关街道,乡镇（街道）,李华,0539-2251234\n水利局,县政府部门,赵刚,13800000003\n"
)


CODE = re.compile(r"[A-Za-z]+_[A-Za-z_]+|\b[a-z]+=|\bTraceback\b|\b(?:database|malformed|column|table)\b")


def run(*argv: Any) -> int:
    return checkin(["--lang", "zh", *[str(a) for a in argv]])


def output(*argv: Any) -> str:
    """What a command prints (the module-wide fixture cannot use capsys)."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert run(*argv) == 0
    return buffer.getvalue()


def invited(db: Path) -> list[dict[str, Any]]:
    return list(json.loads(output("people", "--db", db, "--status", "invited", "--json")))


def admit(db: Path, numbers: list[str]) -> None:
    """The door, as a volunteer types each invitation number (checkin scan)."""
    for number in numbers:
        assert "准予入场" in output("scan", number, "--db", db, "--station", "东门", "--operator", "小王")


def make_unit(tmp: Path, name: str, event: str, people: list[list[str]], admitted: int, forms: int) -> Path:
    toml = tmp / f"{name}.toml"
    toml.write_text(f'[event]\norganizer = "{name}"\nchecks = "none"\n{event}\n', encoding="utf-8")
    db = tmp / f"{name}.db"
    assert run("init", "--db", db, "--from", toml) == 0
    assert run("import", write_csv(tmp / f"{name}.csv", people), "--db", db) == 0
    assert run("select", "--db", db) == 0
    admit(db, [p["number"] for p in invited(db)][:admitted])
    if forms:  # printed numbered forms, keyed back from paper (all 满意)
        assert (
            run("forms", "--db", db, "--out", tmp / f"{name}-forms.pdf", "--count", forms, "--font", FONT)
            == 0
        )
        for n in range(1, forms + 1):
            assert run("survey", "add", "--db", db, "--form", f"F{n:05d}", "--answers", "1,1,1,1,1") == 0
    return db


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("county")
    units = tmp / "单位.csv"
    units.write_text(UNITS_CSV, encoding="utf-8")
    county = tmp / "county.db"
    assert run("county", "init", "--db", county, "--year", "2026", "--units", units, "--name", "沂水县") == 0

    # 城关街道: 4 citizens, 3 NPC deputies and 2 entrepreneurs of 12 invited come (share 4/9)
    good_people = (
        [person_row(n, category="群众代表") for n in range(1, 7)]
        + [person_row(n, category="人大代表") for n in range(7, 10)]
        + [person_row(n, category="企业代表") for n in range(10, 13)]
    )
    good = make_unit(
        tmp,
        "城关街道",
        'title = "走进城关"\ndate = 2026-10-20\nplaces = ["便民服务中心"]\ncapacity = 30',
        good_people,
        admitted=0,
        forms=2,
    )
    by_category: dict[str, list[str]] = {}
    for person in invited(good):
        by_category.setdefault(person["category"], []).append(person["number"])
    admit(good, by_category["citizen"][:4] + by_category["npc_deputy"][:3] + by_category["enterprise"][:2])
    assert (
        run("event", "announced", "--db", good, "--on", "2026-09-30", "--url", "https://ys.gov.cn/kf/1") == 0
    )
    assert run("suggestions", "add", "--db", good, "--text", "便民服务中心停车位太少") == 0
    for step in (
        ["--to", "assigned", "--department", "综合办", "--on", "2026-10-21"],
        ["--to", "in_progress", "--on", "2026-10-22"],
        ["--to", "resolved", "--outcome", "adopted", "--on", "2026-10-30"],
        ["--to", "replied", "--reply", "已增设车位 20 个", "--on", "2026-11-02"],
    ):
        assert run("suggestions", "status", "S001", "--db", good, *step) == 0
    assert run("event", "posted", "--db", good, "--on", "2026-10-22", "--url", "https://ys.gov.cn/kf/2") == 0

    # 科技局: 10 citizens and 30 experts sign up; 35 places, share 1/4; all 35 invited come
    bad_people = [person_row(n, category="群众代表") for n in range(1, 11)] + [
        person_row(n, category="专家学者") for n in range(11, 41)
    ]
    bad = make_unit(
        tmp,
        "科技局",
        'title = "走进科技局"\ndate = 2026-11-05\nplaces = ["科创园", "实验室"]\ncapacity = 35\n'
        'min_citizen_share = "1/4"',
        bad_people,
        admitted=35,
        forms=0,
    )
    assert (
        run("event", "announced", "--db", bad, "--on", "2026-10-28", "--url", "https://ys.gov.cn/kf/3") == 0
    )
    assert run("suggestions", "add", "--db", bad, "--text", "希望开放实验室参观预约") == 0
    assert run("event", "posted", "--db", bad, "--on", "2026-11-20", "--url", "https://ys.gov.cn/kf/4") == 0

    files: dict[str, Path] = {"county": county, "units": units}
    for name, db in (("城关街道", good), ("科技局", bad)):
        files[f"plan-{name}"] = tmp / f"备案-{name}.toml"
        assert run("plan", "export", "--db", db, "--out", files[f"plan-{name}"]) == 0
        files[f"results-{name}"] = tmp / f"results-{name}.sqlite"
        assert run("export", "results", "--db", db, "--out", files[f"results-{name}"]) == 0
    assert run("county", "plans", "--db", county, files["plan-城关街道"], "--received", "2026-09-10") == 0
    assert run("county", "plans", "--db", county, files["plan-科技局"], "--received", "2026-09-20") == 0
    assert (
        run("county", "results", "--db", county, files["results-城关街道"], "--received", "2026-10-21") == 0
    )
    assert run("county", "results", "--db", county, files["results-科技局"], "--received", "2026-11-10") == 0
    return files


def status(county: Path, capsys: pytest.CaptureFixture[str], as_of: str = "2026-12-31") -> dict[str, Any]:
    capsys.readouterr()
    assert run("county", "status", "--db", county, "--json", "--as-of", as_of) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def test_status_json_checked_by_hand(year: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    data = status(year["county"], capsys)
    units = {u["unit"]: u for u in data["units"]}
    good, bad, never = units["城关街道"], units["科技局"], units["水利局"]

    assert good["breaches"] == []
    assert good["kind"] == "乡镇（街道）"  # kept as the county spelt it
    assert (good["planned"], good["plan_on_time"], good["held"]) == (True, True, True)
    assert (good["invited"], good["came"], good["citizens_came"]) == (12, 9, 4)
    # invited/came by category, with the unit's own words for each (checked by hand: 6/3/3 invited)
    assert good["events"][0]["by_category"] == {
        "citizen": {"invited": 6, "came": 4, "label": "群众代表", "citizen": True, "takes_place": True},
        "enterprise": {"invited": 3, "came": 2, "label": "企业代表", "citizen": False, "takes_place": True},
        "npc_deputy": {"invited": 3, "came": 3, "label": "人大代表", "citizen": False, "takes_place": True},
    }
    assert good["citizen_share"] == pytest.approx(4 / 9, abs=1e-4)
    assert good["satisfaction"] == 1.0 and good["forms"] == 2
    assert (good["suggestions"], good["suggestions_closed_on_time"], good["suggestions_overdue"]) == (1, 1, 0)
    assert (good["report_on_time"], good["posting_on_time"]) == (True, True)
    assert good["missing"] == []

    # 5 Nov + 2 days = Sat 7 Nov → Mon 9 Nov; 5 working days → 12 Nov; 15 working days → 26 Nov
    assert bad["breaches"] == [
        "活动日期 11月5日 不在 9月15日 至 10月31日 的活动时间内",
        "报备晚于 9月15日（9月20日 报备）",
        "计划人数 35，超过每个开放点 30 人",
        "计划群众代表比例 25.0%，低于 1/3",
        "公告日期 10月28日，晚于活动前 15 日（应不晚于 10月21日）",
        "实到 35 人，超过每个开放点 30 人",
        "实到群众代表比例 28.6%，低于 1/3",
        "活动开展情况 11月10日 报送，晚于 11月9日",
        "网站“政府开放日”栏目展示于 11月20日，晚于 11月12日",
        "意见建议 1 条逾期未办结（应在 15 个工作日内即 11月26日 前办结）",
    ]
    assert (bad["invited"], bad["came"], bad["citizens_came"]) == (35, 35, 10)
    assert (bad["plan_on_time"], bad["report_on_time"], bad["posting_on_time"]) == (False, False, False)
    assert bad["satisfaction"] is None

    assert never["breaches"] == ["未在 9月15日 前报备活动计划", "2026 年度未举办“政府开放日”活动"]
    assert never["missing"] == ["plan", "results"]
    assert data["missing"] == [
        {"unit": "水利局", "contact": "赵刚", "phone": "13800000003", "missing": ["plan", "results"]}
    ]
    assert data["totals"] == {
        "units": 3, "planned": 2, "held": 2, "invited": 47, "came": 44, "citizens_came": 14,
        "citizen_share": round(14 / 44, 4), "satisfaction": 1.0, "suggestions": 2,
        "suggestions_closed_on_time": 1, "suggestions_overdue": 1, "reports_on_time": 1,
        "postings_on_time": 1, "units_with_breaches": 2, "breaches": 12,
    }  # fmt: skip


def test_before_the_deadlines_nothing_is_overdue(
    year: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    units = {u["unit"]: u for u in status(year["county"], capsys, "2026-11-10")["units"]}
    # the open suggestion is due on 26 November: not yet a breach
    assert not any("意见建议" in b for b in units["科技局"]["breaches"])
    assert units["科技局"]["suggestions_open_not_due"] == 1
    # the window closed on 31 October: by now 水利局 has missed both
    assert units["水利局"]["breaches"] == ["未在 9月15日 前报备活动计划", "2026 年度未举办“政府开放日”活动"]
    early = {u["unit"]: u for u in status(year["county"], capsys, "2026-09-16")["units"]}
    assert early["水利局"]["breaches"] == ["未在 9月15日 前报备活动计划"]


def test_county_report_table_checked_by_hand(
    year: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "全县政府开放日活动开展情况.xlsx"
    assert run("county", "report", "--db", year["county"], "--out", out, "--as-of", "2026-12-31") == 0
    book = load_workbook(out)
    rows = [[c if c is not None else "" for c in r] for r in book.worksheets[0].iter_rows(values_only=True)]
    assert rows[0][0] == "沂水县2026年度“政府开放日”活动开展情况"
    assert rows[1] == ["单位", "计划报备", "已举办", "邀请/实到", "群众代表比例", "满意率", "意见建议按期办结",
                       "按期报送", "按期网站展示", "存在问题"]  # fmt: skip
    assert rows[2][:9] == ["科技局", "逾期", "是", "35/35", "28.6%", "—", "0/1", "否", "否"]
    assert rows[2][9].startswith("活动日期 11月5日 不在") and rows[2][9].count("；") == 9
    assert rows[3] == [
        "城关街道",
        "按期",
        "是",
        "12/9",
        "44.4%",
        "100.0%",
        "1/1",
        "是",
        "是",
        "无",
    ]
    assert rows[4] == ["水利局", "未报备", "否", "—", "—", "—", "—", "否", "否",
                       "未在 9月15日 前报备活动计划；2026 年度未举办“政府开放日”活动"]  # fmt: skip
    assert rows[5] == ["合计（3 个单位）", "2", "2", "47/44", "31.8%", "100.0%", "1/2", "1", "1",
                       "2 个单位共 12 处问题"]  # fmt: skip
    missing = [list(r) for r in book.worksheets[1].iter_rows(values_only=True)]
    assert missing == [
        ["单位", "缺少", "联系人", "联系电话"],
        ["水利局", "活动计划、活动结果", "赵刚", "13800000003"],
    ]

    docx = tmp_path / "全县政府开放日活动开展情况.docx"
    assert run("county", "report", "--db", year["county"], "--out", docx, "--as-of", "2026-12-31") == 0
    from docx import Document

    document = Document(str(docx))
    tables = {t.rows[0].cells[0].text + t.rows[0].cells[1].text: t for t in document.tables}
    units = [[c.text for c in row.cells] for row in tables["单位计划报备"].rows]
    assert units[0][0] == "单位" and units[2][:4] == ["城关街道", "按期", "是", "12/9"]
    assert units[-1][0] == "合计（3 个单位）"
    missing = [[c.text for c in row.cells] for row in tables["单位缺少"].rows]
    assert missing == [
        ["单位", "缺少", "联系人", "联系电话"],
        ["水利局", "活动计划、活动结果", "赵刚", "13800000003"],
    ]
    text = [p.text for p in document.paragraphs]
    assert "二、存在的问题" in text
    assert any(t.startswith("科技局：活动日期 11月5日 不在") and t.endswith("。") for t in text)
    assert document.sections[0].page_width < document.sections[0].page_height  # A4 portrait
    assert document.sections[-1].page_width > document.sections[-1].page_height  # the annex table, landscape


def _snapshot(county: Path) -> list[list[Any]]:
    conn = sqlite3.connect(county)
    try:
        return [
            list(conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"))
            for table in ("plans", "results", "result_suggestions", "received_files")
        ]
    finally:
        conn.close()


def test_results_twice_and_in_both_orders_give_the_same_county_file(
    year: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    results = [year["results-城关街道"], year["results-科技局"]]
    plans = [year["plan-城关街道"], year["plan-科技局"]]
    for county in (a, b):
        assert (
            run(
                "county",
                "init",
                "--db",
                county,
                "--year",
                "2026",
                "--units",
                year["units"],
                "--name",
                "沂水县",
            )
            == 0
        )
    assert run("county", "plans", "--db", a, plans[0], "--received", "2026-09-10") == 0
    assert run("county", "plans", "--db", a, plans[1], "--received", "2026-09-20") == 0
    assert run("county", "results", "--db", a, *results, "--received", "2026-11-10") == 0
    assert run("county", "results", "--db", a, *results, "--received", "2026-11-10") == 0
    capsys.readouterr()
    # b: the other order, each file twice, the results before the plans
    assert run("county", "results", "--db", b, *reversed(results), "--received", "2026-11-10") == 0
    assert "此前已收到，未重复计入" in (
        capsys.readouterr().out
        if run("county", "results", "--db", b, results[1], "--received", "2026-11-10") == 0
        else ""
    )
    assert run("county", "plans", "--db", b, plans[1], "--received", "2026-09-20") == 0
    assert run("county", "plans", "--db", b, plans[0], "--received", "2026-09-10") == 0
    assert _snapshot(a) == _snapshot(b)
    assert status(a, capsys)["units"] == status(b, capsys)["units"]
    # the report date is the first day a file arrived: taking it in again later changes nothing
    assert run("county", "results", "--db", a, *results, "--received", "2026-12-01") == 0
    assert _snapshot(a)[1] == _snapshot(b)[1]


def test_results_of_another_year_or_unknown_unit_are_refused(
    year: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    county = tmp_path / "c2027.db"
    assert run("county", "init", "--db", county, "--year", "2027", "--units", year["units"]) == 0
    before = hashlib.sha256(county.read_bytes()).hexdigest()
    assert run("county", "results", "--db", county, year["results-城关街道"]) == 2
    assert "是 2026 年的活动，本汇总文件是 2027 年度" in capsys.readouterr().err
    units = tmp_path / "u.csv"
    units.write_text("单位名称\n公安局\n", encoding="utf-8")
    other = tmp_path / "c.db"
    assert run("county", "init", "--db", other, "--year", "2026", "--units", units) == 0
    assert run("county", "results", "--db", other, year["results-科技局"]) == 2
    assert "“科技局”不在本县单位名单中" in capsys.readouterr().err
    assert hashlib.sha256(county.read_bytes()).hexdigest() == before


def _tamper(src: Path, dst: Path, sql: str) -> Path:
    dst.write_bytes(src.read_bytes())
    conn = sqlite3.connect(dst)
    conn.executescript(sql)
    conn.close()
    return dst


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("UPDATE results_info SET format_version = 7", "格式版本（7）"),
        (
            "UPDATE results_info SET event_id = 'x''); DROP TABLE units; --'",
            "活动编号：不是本程序导出的活动编号",
        ),
        ("UPDATE results_info SET attended = -1", "到场人数：应为 0 到 10000000 之间的整数（文件中为“-1”）"),
        (
            "UPDATE results_info SET attended = 'lots'",
            "到场人数：应为 0 到 10000000 之间的整数（文件中为“lots”）",
        ),
        ("UPDATE figures SET invited = 'many' WHERE category = 'citizen'", "分类统计中的邀请人数：应为"),
        (
            "UPDATE figures SET arrived = arrived + 1 WHERE category = 'total'",
            "分类统计的合计：与各类别之和不符",
        ),
        ("UPDATE ledger SET status = 'god'", "意见建议办理状态：本程序不认识（文件中为“god”）"),
        ("UPDATE results_info SET overall_satisfaction = 7", "总体满意率：应为 0 到 1 之间的比例"),
        ("UPDATE results_info SET exported_at = 'garbage'", "导出时间：不是日期（文件中为“garbage”）"),
        ("UPDATE results_info SET event_date = '2026-13-45'", "活动日期：不是日期（文件中为“2026-13-45”）"),
        (
            "DROP TABLE figures; CREATE VIEW figures AS SELECT 'citizen' AS category, 1 AS invited, 1 AS arrived",
            "分类统计：缺少",
        ),
        (
            "INSERT INTO publicity VALUES ('posted', '2026-10-30', 'javascript:alert(1)')",
            "公告与网站展示记录：重复（“网站展示”）",
        ),
        (
            "UPDATE publicity SET url = 'javascript:alert(1)'",
            "公告或网站展示网址：应以 http:// 或 https:// 开头",
        ),
        ("UPDATE results_info SET event_title = char(27) || '[31m走进'", "活动名称：含有控制字符"),
        ("DROP TABLE results_info", "不是活动结果文件"),
        ("UPDATE results_info SET organiser = '城关' || char(0) || '街道'", "控制字符"),
    ],
)
def test_hostile_results_files_change_nothing(
    year: dict[str, Path], tmp_path: Path, sql: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    county = tmp_path / "c.db"
    assert run("county", "init", "--db", county, "--year", "2026", "--units", year["units"]) == 0
    before = hashlib.sha256(county.read_bytes()).hexdigest()
    bad = _tamper(year["results-城关街道"], tmp_path / "bad.sqlite", sql)
    capsys.readouterr()
    # the good file beside it is not taken either: every file is checked before anything is written
    assert run("county", "results", "--db", county, year["results-科技局"], bad) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert "Traceback" not in err
    assert not CODE.search(err), err  # the field in words, never the file's column name
    assert hashlib.sha256(county.read_bytes()).hexdigest() == before


def test_not_a_results_file(
    year: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"PK\x03\x04 not sqlite at all")
    assert run("county", "results", "--db", year["county"], junk) == 2
    assert "不是活动结果文件" in capsys.readouterr().err
    # an event file is not a results file either
    assert run("county", "results", "--db", year["county"], year["county"].parent / "城关街道.db") == 2
    assert "是单位的活动文件（含报名者的个人信息），不是结果文件" in capsys.readouterr().err
    # a results file cut short on the way (a full USB stick): damaged, said in words, not SQLite's English
    cut = tmp_path / "cut.sqlite"
    cut.write_bytes(year["results-城关街道"].read_bytes()[:5000])
    assert run("county", "results", "--db", year["county"], cut) == 2
    err = capsys.readouterr().err
    assert "结果文件 cut.sqlite 有误，未导入任何结果：文件已损坏或不完整，无法读取" in err
    assert not CODE.search(err), err


def test_datasette_metadata_names_real_tables_views_and_columns(year: dict[str, Path]) -> None:
    from checkin.paths import data_dir

    metadata = json.loads((data_dir() / "datasette" / "county.json").read_text(encoding="utf-8"))
    tables = metadata["databases"]["county"]["tables"]
    conn = sqlite3.connect(year["county"])
    try:
        known = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        for name, config in tables.items():
            assert name in known, name
            columns = {r[1] for r in conn.execute("SELECT * FROM pragma_table_info(?)", [name])}
            for facet in config.get("facets", []):
                assert facet in columns, (name, facet)
            assert set(config.get("columns", {})) <= columns, name
        # the Chinese views read as the county table does
        rows = conn.execute("SELECT 单位, 计划报备, 已举办, 实到, 状态 FROM 单位一览").fetchall()
        assert rows == [
            ("科技局", "已报备", "是", 35, "存在问题"),
            ("城关街道", "已报备", "是", 9, "符合要求"),
            ("水利局", "未报备", "否", None, "未报备计划"),
        ]
        # shares and rates as the county table shows them, not 0.4444
        shares = conn.execute("SELECT 单位, 群众代表比例, 满意率 FROM 单位一览").fetchall()
        assert shares == [("科技局", "28.6%", None), ("城关街道", "44.4%", "100.0%"), ("水利局", None, None)]
        results = conn.execute("SELECT 单位, 群众代表比例, 满意率 FROM 活动结果 ORDER BY 单位").fetchall()
        assert sorted(results) == [("城关街道", "44.4%", "100.0%"), ("科技局", "28.6%", None)]
        problems = [r[0] for r in conn.execute("SELECT 问题 FROM 问题清单 WHERE 单位 = '科技局'")]
        assert "计划人数 35，超过每个开放点 30 人" in problems
        assert conn.execute("SELECT COUNT(*) FROM 问题清单 WHERE 单位 = '城关街道'").fetchone()[0] == 0
        assert conn.execute("SELECT 状态 FROM 意见建议 WHERE 单位 = '城关街道'").fetchall() == [("已反馈",)]
    finally:
        conn.close()


def test_results_intake_words_breaches_and_loaded_holidays_move_deadlines(
    year: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    county = tmp_path / "c.db"
    assert run("county", "init", "--db", county, "--year", "2026", "--units", year["units"]) == 0
    capsys.readouterr()
    assert run("county", "results", "--db", county, year["results-科技局"], "--received", "2026-11-10") == 0
    out = capsys.readouterr().out
    assert "科技局：活动开展情况 11月10日 报送，晚于 11月9日" in out
    assert "科技局：实到 35 人，超过每个开放点 30 人" in out
    # a holiday file that makes Monday 9 November a day off: the report due date moves to the 10th
    holidays = tmp_path / "2026.toml"
    holidays.write_text("year = 2026\nholidays = [2026-11-09]\nworkdays = []\n", encoding="utf-8")
    assert run("county", "holidays", "--db", county, holidays) == 0
    units = {u["unit"]: u for u in status(county, capsys)["units"]}
    assert units["科技局"]["report_on_time"] is True
    assert not any("报送，晚于" in b for b in units["科技局"]["breaches"])


def test_status_words_invited_and_came_by_category(
    year: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("county", "status", "--db", year["county"], "--as-of", "2026-12-31") == 0
    out = capsys.readouterr().out
    assert "  分类别 邀请/实到：群众代表 6/4、企业代表 3/2、人大代表 3/3" in out
    assert "  分类别 邀请/实到：群众代表 10/10、专家学者 25/25" in out
    assert (
        checkin(["--lang", "en", "county", "status", "--db", str(year["county"]), "--as-of", "2026-12-31"])
        == 0
    )
    assert (
        "  Invited/came by category: Citizen 6/4, Enterprise 3/2, NPC deputy 3/3" in capsys.readouterr().out
    )
