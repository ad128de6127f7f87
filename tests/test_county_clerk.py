"""The county year as a clerk meets it: the county's own unit list (a title line above the
header, its own column names, phone numbers Excel keeps as numbers), a plan filed before the
announcement, a results file whose organiser is spelt otherwise, and the outputs read as words."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.helpers import checkin_says as run
from tests.helpers import event_from_toml as make_event
from tests.helpers import person_row, write_csv


def units_xlsx(path: Path) -> Path:
    """A county office's own list: a title line, 序号 and 备注 columns, phones typed as numbers."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["附件1：2026年度“政府开放日”活动责任单位名单"])
    sheet.merge_cells("A1:F1")
    sheet.append(["序号", "部门（单位）名称", "单位性质", "联系人姓名", "手机号码", "备注"])
    sheet.append([1, "城关街道", "乡镇（街道）", "李华", "0539-2251234", None])
    sheet.append([2, "县科学技术局", "县政府部门", "王明", 13800000001, None])
    sheet.append([3, "县水利局", "县政府部门", "赵刚", 13800000003, "新任联系人"])
    book.save(path)
    return path


def test_units_list_with_a_title_line_own_headers_and_numeric_phones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    county = tmp_path / "county.db"
    units = units_xlsx(tmp_path / "单位.xlsx")
    assert run("county", "init", "--db", county, "--year", "2026", "--units", units) == 0
    out = capsys.readouterr().out
    assert "（3 个单位）" in out
    assert "表头在第 2 行，其上的标题行未作为单位导入" in out
    assert run("county", "status", "--db", county, "--json", "--as-of", "2026-09-01") == 0
    data = json.loads(capsys.readouterr().out)
    assert [(u["unit"], u["kind"], u["contact"], u["phone"]) for u in data["units"]] == [
        ("城关街道", "乡镇（街道）", "李华", "0539-2251234"),
        ("县科学技术局", "县政府部门", "王明", "13800000001"),  # not 13800000001.0
        ("县水利局", "县政府部门", "赵刚", "13800000003"),
    ]


def test_units_csv_in_gbk_with_a_title_line_and_an_extension(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = tmp_path / "单位.csv"
    units.write_bytes(
        "2026年政府开放日责任单位名单,,,\n责任单位,类型,联系人,联系方式\n"
        "城关街道,乡镇（街道）,李华,0539-2251234转8001\n县水利局,县政府部门,赵刚,138 0000 0003\n".encode(
            "gbk"
        )
    )
    assert run("county", "init", "--db", tmp_path / "c.db", "--year", "2026", "--units", units) == 0
    out = capsys.readouterr().out
    assert "（2 个单位）" in out
    # the extension is kept as written for county staff to dial, and said
    assert "第 3 行：“城关街道”的联系电话“0539-2251234转8001”不是手机号或带区号的固定电话，已照录" in out


def test_a_list_without_a_unit_column_is_refused_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = tmp_path / "u.csv"
    units.write_text("姓名,电话\n王明,13800000001\n", encoding="utf-8")
    assert run("county", "init", "--db", tmp_path / "c.db", "--year", "2026", "--units", units) == 2
    assert "前 15 行中找不到“单位名称”列" in capsys.readouterr().err
    assert not (tmp_path / "c.db").exists()
    junk = tmp_path / "u.xlsx"
    junk.write_bytes(b"PK\x03\x04 not a workbook")
    assert run("county", "init", "--db", tmp_path / "c.db", "--year", "2026", "--units", junk) == 2
    assert "单位名单" in capsys.readouterr().err and not (tmp_path / "c.db").exists()


@pytest.fixture
def county(tmp_path: Path) -> Path:
    db = tmp_path / "county.db"
    assert (
        run("county", "init", "--db", db, "--year", "2026", "--units", units_xlsx(tmp_path / "u.xlsx")) == 0
    )
    return db


def test_a_plan_filed_before_its_announcement_is_not_a_breach_until_the_announcement_is_due(
    tmp_path: Path, county: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 县水利局 files on 10 September for 15 October; it announces on 5 October (10 days ahead)
    event = make_event(
        tmp_path, "水利", 'title = "走进水利局"\norganizer = "县水利局"\ndate = 2026-10-15\ncapacity = 20'
    )
    plan = tmp_path / "备案-水利局.toml"
    assert run("plan", "export", "--db", event, "--out", plan) == 0
    capsys.readouterr()
    assert run("county", "plans", "--db", county, plan, "--received", "2026-09-10") == 0
    out = capsys.readouterr().out
    assert "县水利局：符合各项要求" in out  # the announcement is due by 30 September, not yet
    assert run("county", "status", "--db", county, "--json", "--as-of", "2026-09-20") == 0
    units = {u["unit"]: u for u in json.loads(capsys.readouterr().out)["units"]}
    assert units["县水利局"]["breaches"] == []
    assert run("county", "status", "--db", county, "--json", "--as-of", "2026-10-01") == 0
    units = {u["unit"]: u for u in json.loads(capsys.readouterr().out)["units"]}
    assert units["县水利局"]["breaches"] == ["计划未写明公告日期（应不晚于 9月30日 公告）"]
    # the results file carries the announcement made after the plan: late, said once
    assert run("event", "announced", "--db", event, "--on", "2026-10-05", "--url", "https://x.gov.cn/9") == 0
    results = tmp_path / "results-水利局.sqlite"
    assert run("export", "results", "--db", event, "--out", results) == 0
    assert run("county", "results", "--db", county, results, "--received", "2026-10-16") == 0
    capsys.readouterr()
    assert run("county", "status", "--db", county, "--json", "--as-of", "2026-10-16") == 0
    units = {u["unit"]: u for u in json.loads(capsys.readouterr().out)["units"]}
    announce = [b for b in units["县水利局"]["breaches"] if "公告" in b]
    assert announce == ["公告日期 10月5日，晚于活动前 15 日（应不晚于 9月30日）"]


def test_results_of_an_organiser_spelt_otherwise_count_for_the_unit_that_filed_the_plan(
    tmp_path: Path, county: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the event says 县科技局; the county's list says 县科学技术局 (plan export --unit)
    event = make_event(
        tmp_path, "科技", 'title = "走进科技局"\norganizer = "县科技局"\ndate = 2026-10-20\ncapacity = 20'
    )
    plan = tmp_path / "p.toml"
    assert run("plan", "export", "--db", event, "--out", plan, "--unit", "县科学技术局") == 0
    assert run("county", "plans", "--db", county, plan, "--received", "2026-09-10") == 0
    results = tmp_path / "r.sqlite"
    assert run("export", "results", "--db", event, "--out", results) == 0
    capsys.readouterr()
    assert run("county", "results", "--db", county, results, "--received", "2026-10-21") == 0
    out = capsys.readouterr().out
    assert "已收到活动结果：县科学技术局（r.sqlite）" in out
    assert "文件中的主办单位为“县科技局”，不在单位名单中；按该活动报备的计划计入“县科学技术局”" in out
    # without a plan for that event, an unknown organiser is refused, naming the file
    other = make_event(
        tmp_path, "别的", 'title = "t"\norganizer = "县科技局"\ndate = 2026-10-22\ncapacity = 20'
    )
    stray = tmp_path / "stray.sqlite"
    assert run("export", "results", "--db", other, "--out", stray) == 0
    capsys.readouterr()
    assert run("county", "results", "--db", county, stray) == 2
    assert "stray.sqlite：“县科技局”不在本县单位名单中" in capsys.readouterr().err


def test_status_reads_as_words_in_both_languages(county: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("county", "status", "--db", county, "--as-of", "2026-11-30") == 0
    out = capsys.readouterr().out
    assert "合计（3 个单位）：计划报备 0" in out and "单位 合计" not in out
    assert "未报备计划或未报送结果的单位（请联系）：" in out and "三、" not in out
    assert "县科学技术局：计划报备 未报备" in out
    assert run("county", "status", "--db", county, "--as-of", "2026-11-30", lang="en") == 0
    out = capsys.readouterr().out
    assert "县科学技术局: Plan not filed" in out
    assert "Total (3 units): Plan 0" in out
    assert "：" not in out.replace("附件1：", "") and "、" not in out  # no Chinese punctuation in English
    assert "plan, results" in out
    assert not re.search(r"[a-z]+_[a-z]+", out)


def test_docx_title_breaks_into_two_balanced_lines_and_unit_rows_stay_whole(
    tmp_path: Path, county: Path
) -> None:
    from docx import Document

    out = tmp_path / "全县政府开放日活动开展情况.docx"
    assert run("county", "report", "--db", county, "--out", out, "--as-of", "2026-12-31") == 0
    document = Document(str(out))
    title = document.paragraphs[0]
    assert title.text == "2026年度“政府开放日”\n活动开展情况"  # no county name given: the year leads
    annex = document.tables[-1]
    assert [c.text for c in annex.rows[1].cells][:2] == ["城关街道", "未报备"]
    # one breach a line in the annex
    assert annex.rows[1].cells[-1].text == "未在 9月15日 前报备活动计划\n2026 年度未举办“政府开放日”活动"
    for row in list(annex.rows)[1:]:
        assert (
            row._tr.trPr is not None
            and row._tr.trPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}cantSplit")
            is not None
        )


def test_datasette_metadata_for_a_county_file_of_any_name(
    tmp_path: Path, county: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    named = tmp_path / "沂水县2026.db"
    named.write_bytes(county.read_bytes())
    out = tmp_path / "元数据.json"
    assert run("county", "datasette", "--db", named, "--out", out) == 0
    said = capsys.readouterr().out
    assert f"datasette {named} --metadata {out}" in said
    metadata = json.loads(out.read_text(encoding="utf-8"))
    # Datasette names a database after its file: the labels and facets follow the file's name
    assert list(metadata["databases"]) == ["沂水县2026"]
    assert metadata["databases"]["沂水县2026"]["tables"]["单位一览"]["facets"][0] == "状态"
    # the breaches Datasette shows are brought up to the day asked
    import sqlite3

    assert run("county", "datasette", "--db", named, "--out", out, "--as-of", "2026-12-31") == 0
    conn = sqlite3.connect(named)
    try:
        problems = conn.execute(
            "SELECT 单位, 问题, 统计截至 FROM 问题清单 WHERE 单位 = '县水利局'"
        ).fetchall()
    finally:
        conn.close()
    assert problems == [
        ("县水利局", "未在 9月15日 前报备活动计划", "2026-12-31"),
        ("县水利局", "2026 年度未举办“政府开放日”活动", "2026-12-31"),
    ]
    assert run("county", "datasette", "--db", tmp_path / "nowhere.db", "--out", out) == 2
    assert "nowhere.db" in capsys.readouterr().err


def test_the_other_breaches_are_found_and_worded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two open days a year (rules), a site over 30 in a plan written by hand, a day never posted,
    a suggestion answered late and one never answered, a planned day never reported."""
    rules = tmp_path / "rules.toml"
    rules.write_text("[rules]\nmin_events = 2\n", encoding="utf-8")
    county = tmp_path / "county.db"
    units = units_xlsx(tmp_path / "u.xlsx")
    assert run("county", "init", "--db", county, "--year", "2026", "--units", units, "--rules", rules) == 0
    good = make_event(
        tmp_path,
        "城关",
        'title = "走进城关"\norganizer = "城关街道"\ndate = 2026-10-20\ncapacity = 20\nchecks = "none"',
    )
    assert run("event", "announced", "--db", good, "--on", "2026-09-30", "--url", "https://x.gov.cn/1") == 0
    people = write_csv(tmp_path / "报名.csv", [person_row(n) for n in range(1, 4)])
    assert run("import", people, "--db", good) == 0
    assert run("select", "--db", good) == 0
    for number in ("A001", "A002", "A003"):
        assert run("scan", number, "--db", good, "--station", "东门", "--operator", "小王") == 0
    for text in ("停车位太少", "希望延长办事时间"):
        assert run("suggestions", "add", "--db", good, "--text", text) == 0
    for step in (
        ["--to", "assigned", "--department", "综合办", "--on", "2026-10-21"],
        ["--to", "in_progress", "--on", "2026-10-22"],
        ["--to", "resolved", "--outcome", "adopted", "--on", "2026-11-11"],
        ["--to", "replied", "--reply", "已增设车位", "--on", "2026-11-12"],  # due 10 November
    ):
        assert run("suggestions", "status", "S001", "--db", good, *step) == 0
    plan = tmp_path / "备案-城关街道.toml"
    assert run("plan", "export", "--db", good, "--out", plan) == 0
    # a plan written by hand, with a number per open site
    water = tmp_path / "备案-县水利局.toml"
    water.write_text(
        '[plan]\nformat = 1\nyear = 2026\nunit = "县水利局"\nevent_id = "water2026"\ntitle = "走进水利局"\n'
        'date = 2026-10-15\nsites = [{name = "水厂", people = 40}, {name = "局机关", people = 20}]\n'
        'capacity = 60\ncitizen_share = "1/3"\nannounce_on = 2026-09-25\nexported_at = 2026-09-01T10:00:00\n',
        encoding="utf-8",
    )
    assert run("county", "plans", "--db", county, plan, water, "--received", "2026-09-10") == 0
    results = tmp_path / "results-城关街道.sqlite"
    assert run("export", "results", "--db", good, "--out", results) == 0
    assert run("county", "results", "--db", county, results, "--received", "2026-10-21") == 0
    capsys.readouterr()
    assert run("county", "status", "--db", county, "--json", "--as-of", "2026-12-31") == 0
    units_seen = {u["unit"]: u for u in json.loads(capsys.readouterr().out)["units"]}
    assert units_seen["城关街道"]["breaches"] == [
        "未在 10月27日 前于政府网站“政府开放日”栏目展示",
        "意见建议 1 条逾期办结、1 条逾期未办结（应在 15 个工作日内即 11月10日 前办结）",
        "2026 年度举办“政府开放日”活动 1 次，应至少 2 次",
    ]
    assert units_seen["城关街道"]["posting_on_time"] is False
    assert units_seen["县水利局"]["breaches"] == [
        "开放点“水厂”计划人数 40，超过每个开放点 30 人",
        "10月15日 的活动未报送开展情况（应于 10月19日 前）",
    ]
    assert units_seen["县水利局"]["missing"] == ["results"]
    # taken in again later (--json): nothing changes, and the results' breaches as of that day come with it
    assert run("county", "results", "--db", county, results, "--received", "2026-12-31", "--json") == 0
    (again,) = json.loads(capsys.readouterr().out)
    assert again["outcome"] == "already" and again["unit"] == "城关街道"
    assert again["breaches"] == units_seen["城关街道"]["breaches"]


def test_rules_for_another_year_written_edited_and_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "2027规则.toml"
    assert run("county", "rules", "--year", "2027", "--out", rules) == 0
    text = rules.read_text(encoding="utf-8")
    assert (
        "window_start = 2027-09-15" in text and "plan_deadline = 2027-09-15" in text and "2026-" not in text
    )
    assert run("county", "rules", "--year", "2027", "--out", rules) == 2  # never overwritten
    assert "已存在，未覆盖" in capsys.readouterr().err
    rules.write_text(text.replace("max_per_site = 30", "max_per_site = 25"), encoding="utf-8")
    county = tmp_path / "c2027.db"
    units = units_xlsx(tmp_path / "u.xlsx")
    assert run("county", "init", "--db", county, "--year", "2027", "--units", units, "--rules", rules) == 0
    capsys.readouterr()
    assert run("county", "rules", "--db", county) == 0
    shown = capsys.readouterr().out
    assert "year = 2027" in shown and "max_per_site = 25" in shown and "window_end = 2027-10-31" in shown
    # what it shows is itself a rules file the next init takes
    again = tmp_path / "again.toml"
    again.write_text(shown, encoding="utf-8")
    assert (
        run("county", "init", "--db", tmp_path / "d.db", "--year", "2027", "--units", units, "--rules", again)
        == 0
    )
    assert run("county", "rules") == 2
    assert "二者选一" in capsys.readouterr().err


def test_results_received_before_the_day_are_refused(
    tmp_path: Path, county: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = make_event(
        tmp_path, "城关", 'title = "走进城关"\norganizer = "城关街道"\ndate = 2026-10-20\ncapacity = 20'
    )
    results = tmp_path / "r.sqlite"
    assert run("export", "results", "--db", event, "--out", results) == 0
    capsys.readouterr()
    before = county.read_bytes()
    # --received 2026-09-21 for 2026-10-21: the report would have counted as on time
    assert run("county", "results", "--db", county, results, "--received", "2026-09-21") == 2
    assert "收到日期 2026-09-21 早于 r.sqlite 的活动日期 2026-10-20（--received 写错了？），未导入" in (
        capsys.readouterr().err
    )
    assert county.read_bytes() == before


def test_xlsx_table_prints_on_landscape_pages_with_its_header(tmp_path: Path, county: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "全县政府开放日活动开展情况.xlsx"
    assert run("county", "report", "--db", county, "--out", out, "--as-of", "2026-12-31") == 0
    sheet = load_workbook(out).worksheets[0]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$2:$2" and sheet.freeze_panes == "B3"
    assert sheet["J3"].alignment.wrap_text and sheet.row_dimensions[3].height >= 15


async def test_county_screen_shows_every_column_at_120_and_the_categories_in_words(
    tmp_path: Path, county: Path
) -> None:
    from textual.widgets import DataTable, Static

    from checkin.i18n import set_language
    from screens.county import CountyApp
    from tests.helpers import settle

    event = make_event(
        tmp_path,
        "城关",
        'title = "走进城关"\norganizer = "城关街道"\ndate = 2026-10-20\ncapacity = 20\nchecks = "none"',
    )
    assert (
        run("import", write_csv(tmp_path / "报名.csv", [person_row(n) for n in range(1, 4)]), "--db", event)
        == 0
    )
    assert run("select", "--db", event) == 0
    for number in ("A001", "A002"):
        assert run("scan", number, "--db", event, "--station", "东门", "--operator", "小王") == 0
    plan, results = tmp_path / "p.toml", tmp_path / "r.sqlite"
    assert run("plan", "export", "--db", event, "--out", plan) == 0
    assert run("export", "results", "--db", event, "--out", results) == 0
    assert run("county", "plans", "--db", county, plan, "--received", "2026-09-10") == 0
    assert run("county", "results", "--db", county, results, "--received", "2026-10-21") == 0
    set_language("zh")
    app = CountyApp(county, as_of=dt.date(2026, 10, 21), still=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#county-units", DataTable)
        # the breaches column (the last) fits in 120 columns beside the others
        assert sum(column.get_render_width(table) for column in table.columns.values()) <= 120
        assert str(table.get_row_at(0)[1]) == "按期"
        detail = str(app.screen.query_one("#county-detail", Static).render())
        assert "分类别 邀请/实到：群众代表 3/2" in detail


def test_plans_and_results_from_a_folder_or_a_pattern_as_the_windows_prompt_passes_it(
    tmp_path: Path, county: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "收到的计划"
    inbox.mkdir()
    for name, day in (("城关街道", "2026-10-20"), ("县水利局", "2026-10-15")):
        event = make_event(
            tmp_path, name, f'title = "走进{name}"\norganizer = "{name}"\ndate = {day}\ncapacity = 20'
        )
        assert run("plan", "export", "--db", event, "--out", inbox / f"备案-{name}.toml") == 0
        assert run("export", "results", "--db", event, "--out", inbox / f"results-{name}.sqlite") == 0
    (inbox / "说明.txt").write_text("not a plan", encoding="utf-8")
    capsys.readouterr()
    # cmd.exe does not expand 备案-*.toml: the program does
    assert run("county", "plans", "--db", county, str(inbox / "备案-*.toml"), "--received", "2026-09-10") == 0
    out = capsys.readouterr().out
    assert "已备案：城关街道（备案-城关街道.toml）" in out and "已备案：县水利局（备案-县水利局.toml）" in out
    # a folder gives its results files (the .txt beside them is not one)
    assert run("county", "results", "--db", county, inbox, "--received", "2026-10-21") == 0
    out = capsys.readouterr().out
    assert "已收到活动结果：城关街道" in out and "已收到活动结果：县水利局" in out
    empty = tmp_path / "空"
    empty.mkdir()
    assert run("county", "plans", "--db", county, empty) == 2
    assert "文件夹" in capsys.readouterr().err
    assert run("county", "plans", "--db", county, str(tmp_path / "没有-*.toml")) == 2
    assert "没有-*.toml" in capsys.readouterr().err


def test_units_updated_during_the_year_keep_plans_and_results(
    tmp_path: Path, county: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = make_event(
        tmp_path, "水利", 'title = "走进水利局"\norganizer = "县水利局"\ndate = 2026-10-15\ncapacity = 20'
    )
    plan = tmp_path / "p.toml"
    assert run("plan", "export", "--db", event, "--out", plan) == 0
    assert run("county", "plans", "--db", county, plan, "--received", "2026-09-10") == 0
    new_list = tmp_path / "新名单.csv"
    new_list.write_text(
        "单位名称,类别,联系人,联系电话\n县科学技术局,县政府部门,陈新,13800000011\n"
        "城关街道,乡镇（街道）,李华,0539-2251234\n县公安局,县政府部门,周正,13800000021\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert run("county", "units", "--db", county, "--units", new_list) == 0
    out = capsys.readouterr().out
    assert "已更新单位名单：新增 1 个，联系人或电话等有变化 1 个，未变 1 个" in out
    assert "新增：县公安局" in out and "有变化：县科学技术局" in out
    assert "新名单中没有，仍保留（其计划和结果不删除）：县水利局" in out
    assert run("county", "status", "--db", county, "--json", "--as-of", "2026-09-20") == 0
    data = json.loads(capsys.readouterr().out)
    assert [(u["unit"], u["contact"], u["phone"], u["planned"]) for u in data["units"]] == [
        ("县科学技术局", "陈新", "13800000011", False),
        ("城关街道", "李华", "0539-2251234", False),
        ("县公安局", "周正", "13800000021", False),
        ("县水利局", "赵刚", "13800000003", True),  # kept, last, with its plan
    ]
    # a list that cannot be read changes nothing
    before = county.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("姓名\n王明\n", encoding="utf-8")
    assert run("county", "units", "--db", county, "--units", bad) == 2
    assert county.read_bytes() == before


def test_a_unit_list_with_a_stray_value_in_excels_last_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A value typed by mistake in XFD1048576: a whole-sheet reader would try to hold 17 billion
    cells (python-calamine aborts the process); the list is read only as far as units go."""
    from openpyxl import load_workbook

    units = units_xlsx(tmp_path / "单位.xlsx")
    book = load_workbook(units)
    sheet = book.active
    assert sheet is not None
    sheet["XFD1048576"] = "x"
    book.save(units)
    assert run("county", "init", "--db", tmp_path / "c.db", "--year", "2026", "--units", units) == 0
    assert "（3 个单位）" in capsys.readouterr().out
    many = tmp_path / "many.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["单位名称"])
    for n in range(5001):
        sheet.append([f"单位{n}"])
    book.save(many)
    assert run("county", "init", "--db", tmp_path / "d.db", "--year", "2026", "--units", many) == 2
    assert "超过 5000 行" in capsys.readouterr().err
