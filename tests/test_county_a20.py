"""The county office at the end of the year, adversarially (a20): the units' names as units and
lists really write them, and what a clerk is shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import checkin_says as run
from tests.helpers import county_with_units
from tests.helpers import event_from_toml as make_event


def test_a_unit_written_with_or_without_the_countys_name_is_one_unit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The list says 科技局; the unit's event file says 县科技局; the new list in November says
    沂水县科技局 and leaves out a company that never filed anything. It stays one unit: its plan
    and results are taken (and said), the new list does not add a second 科技局 owing an open day,
    and the company no longer counts as a unit that held none."""
    county = county_with_units(
        tmp_path,
        "单位名称,类别,联系人,联系电话\n科技局,县政府部门,王明,13800000001\n"
        "城关街道,乡镇（街道）,李华,13800000002\n自来水公司,企事业单位,卫九,13800000003\n",
        "--name",
        "沂水县",
    )
    event = make_event(
        tmp_path, "科技", 'title = "走进科技局"\norganizer = "县科技局"\ndate = 2026-10-15\ncapacity = 20'
    )
    plan, results = tmp_path / "备案-县科技局.toml", tmp_path / "results-县科技局.sqlite"
    assert run("plan", "export", "--db", event, "--out", plan) == 0
    capsys.readouterr()
    assert run("county", "plans", "--db", county, plan, "--received", "2026-09-10") == 0
    out = capsys.readouterr().out
    assert "已备案：科技局" in out
    assert "文件中的单位为“县科技局”，即单位名单中的“科技局”" in out
    assert run("export", "results", "--db", event, "--out", results) == 0
    capsys.readouterr()
    assert run("county", "results", "--db", county, results, "--received", "2026-10-16") == 0
    out = capsys.readouterr().out
    assert "已收到活动结果：科技局" in out and "即单位名单中的“科技局”" in out

    new_list = tmp_path / "新名单.csv"
    new_list.write_text(
        "单位名称,类别,联系人,联系电话\n沂水县科技局,县政府部门,陈新,13800000011\n"
        "城关街道,乡镇（街道）,李华,13800000002\n",
        encoding="utf-8",
    )
    assert run("county", "units", "--db", county, "--units", new_list) == 0
    out = capsys.readouterr().out
    assert "新增" not in out.replace("新增 0 个", "")
    assert "新名单中的“沂水县科技局”即已有的“科技局”" in out
    assert "已移出名单：自来水公司" in out
    assert run("county", "status", "--db", county, "--json", "--as-of", "2026-12-31") == 0
    data = json.loads(capsys.readouterr().out)
    assert [(u["unit"], u["contact"], u["planned"], u["held"]) for u in data["units"]] == [
        ("科技局", "陈新", True, False),  # nobody was invited: the results say none came
        ("城关街道", "李华", False, False),
    ]
    assert data["totals"]["units"] == 2
    with_breaches = {u["unit"] for u in data["units"] if u["breaches"]}
    assert "自来水公司" not in with_breaches
    # the Datasette list of breaches follows the new list
    import sqlite3

    conn = sqlite3.connect(county)
    try:
        assert conn.execute("SELECT COUNT(*) FROM breaches WHERE unit = '自来水公司'").fetchone()[0] == 0
    finally:
        conn.close()


def test_a_name_two_units_share_without_the_county_is_not_guessed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """县医院 and 医院 both on the list: a file saying 沂水县医院 is not credited to either."""
    county = county_with_units(tmp_path, "单位名称\n县医院\n医院\n", "--name", "沂水县")
    event = make_event(
        tmp_path, "医院", 'title = "走进医院"\norganizer = "沂水县医院"\ndate = 2026-10-15\ncapacity = 20'
    )
    plan = tmp_path / "p.toml"
    assert run("plan", "export", "--db", event, "--out", plan) == 0
    before = county.read_bytes()
    assert run("county", "plans", "--db", county, plan, "--received", "2026-09-10") == 2
    assert "“沂水县医院”不在本县单位名单中" in capsys.readouterr().err
    assert county.read_bytes() == before


def test_reporters_take_no_place_and_a_units_own_citizen_category_counts_as_citizens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A township's open day for 30: 10 村民代表 (its own category, counted as 群众代表) and 20
    enterprise representatives come, and 2 reporters, who take no place (媒体记者不占用名额). The
    county said '实到 32 人，超过每个开放点 30 人' and put the county's citizen share at 0% while
    the unit's own line said 33.3%."""
    from tests.helpers import person_row, write_csv

    county = county_with_units(tmp_path, "单位名称\n城关街道\n")
    event = make_event(
        tmp_path,
        "城关",
        'title = "走进城关"\norganizer = "城关街道"\ndate = 2026-10-20\ncapacity = 30\nchecks = "none"\n'
        '[[event.categories]]\ncode = "villager"\nzh = "村民代表"\nen = "Villager"\ncitizen = true',
    )
    people = (
        [person_row(n, category="村民代表") for n in range(1, 11)]
        + [person_row(n, category="企业代表") for n in range(11, 31)]
        + [person_row(n, category="媒体记者") for n in range(31, 33)]
    )
    assert run("import", write_csv(tmp_path / "p.csv", people), "--db", event) == 0
    assert run("select", "--db", event) == 0
    capsys.readouterr()
    assert run("people", "--db", event, "--status", "invited", "--json") == 0
    invited = json.loads(capsys.readouterr().out)
    assert len(invited) == 32
    for person in invited:
        assert run("scan", person["number"], "--db", event, "--station", "东门") == 0
    results = tmp_path / "results.sqlite"
    assert run("export", "results", "--db", event, "--out", results) == 0
    capsys.readouterr()
    assert run("county", "results", "--db", county, results, "--received", "2026-10-21") == 0
    out = capsys.readouterr().out
    assert "超过每个开放点" not in out
    assert "城关街道：符合各项要求" in out
    assert run("county", "status", "--db", county, "--json", "--as-of", "2026-10-21") == 0
    data = json.loads(capsys.readouterr().out)
    line = data["units"][0]
    assert (line["came"], line["citizens_came"], line["citizen_share"]) == (32, 10, 0.3333)
    assert data["totals"]["citizen_share"] == line["citizen_share"]
    assert line["breaches"] == ["未在 9月15日 前报备活动计划"]  # no plan filed here: that one alone


async def test_the_county_screens_keys_are_all_in_chinese(tmp_path: Path) -> None:
    """The key line ended in Textual's own '^p palette' on the county screen (and every other)."""
    from textual.widgets._footer import FooterKey

    from checkin.i18n import set_language
    from screens.county import CountyApp
    from tests.helpers import settle

    county = county_with_units(tmp_path, "单位名称\n[@click=app.quit]统计局\n")
    set_language("zh")
    app = CountyApp(county, still=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        keys = [str(key.description) for key in app.screen.query(FooterKey)]
        assert "命令面板" in keys
        assert not [k for k in keys if any("a" <= c.lower() <= "z" for c in k)], keys
        await pilot.press("ctrl+l")  # 中/英
        await settle(app, pilot)
        keys = [str(key.description) for key in app.screen.query(FooterKey)]
        assert "palette" in keys and "命令面板" not in keys
        assert app.is_running  # the unit's name is shown, never run as an action


@pytest.mark.parametrize("command", [[], ["county", "results"], ["county", "plans"], ["scan"]])
def test_help_is_in_chinese_in_chinese_mode(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """argparse wrote its own 'usage:', 'positional arguments:', 'options:' and
    'show this help message and exit' in English around the Chinese help."""
    for lang, absent, present in (
        ("zh", ("usage", "options", "positional", "show this help", "version number"), ("用法：", "选项：")),
        ("en", ("用法", "选项"), ("usage: ", "options:", "show this help message and exit")),
    ):
        with pytest.raises(SystemExit) as exited:
            run(*command, "--help", lang=lang)
        assert exited.value.code == 0
        out = capsys.readouterr().out
        assert not [word for word in absent if word in out], out
        assert all(word in out for word in present), out


def test_results_from_an_event_file_made_again_count_for_the_plan_of_that_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """城关街道 filed plans for 15 and 20 October from one event file, then made the 20 October
    event file again on a new laptop (a new event id) and sent its results on the 21st. The
    county said '10月20日 的活动未报送开展情况' and 按期报送 否; the 15th's is still missing."""
    county = county_with_units(tmp_path, "单位名称\n城关街道\n")
    body = 'title = "走进城关"\norganizer = "城关街道"\ncapacity = 30\ndate = '
    for day in ("2026-10-15", "2026-10-20"):
        event = make_event(tmp_path, f"城关{day}", body + day)
        assert run("plan", "export", "--db", event, "--out", tmp_path / f"{day}.toml") == 0
        assert (
            run("county", "plans", "--db", county, tmp_path / f"{day}.toml", "--received", "2026-09-10") == 0
        )
    again = make_event(tmp_path, "城关又一次", body + "2026-10-20")
    results = tmp_path / "results.sqlite"
    assert run("export", "results", "--db", again, "--out", results) == 0
    assert run("county", "results", "--db", county, results, "--received", "2026-10-21") == 0
    capsys.readouterr()
    assert run("county", "status", "--db", county, "--json", "--as-of", "2026-12-31") == 0
    line = json.loads(capsys.readouterr().out)["units"][0]
    assert not [b for b in line["breaches"] if "10月20日 的活动未报送" in b], line["breaches"]
    assert [b for b in line["breaches"] if "10月15日 的活动未报送" in b]


def test_the_wrong_file_sent_instead_of_results_or_a_plan_is_named_for_what_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A unit sends its event file, a door station's pack or the bundle a station hands back
    instead of its results file; the clerk gives a plan to `county results`, a results file or
    a Word document to `county plans`, or the county file itself (a *.db pattern catches it).
    Each is refused saying what it is and what to send — and the county file itself is never
    read with open() while its connection is open (that drops SQLite's locks on POSIX)."""
    import re

    county = county_with_units(tmp_path, "单位名称\n城关街道\n")
    event = make_event(tmp_path, "城关", 'title = "走进城关"\norganizer = "城关街道"\ndate = 2026-10-20')
    plan, results = tmp_path / "备案.toml", tmp_path / "results.sqlite"
    assert run("plan", "export", "--db", event, "--out", plan) == 0
    assert run("export", "results", "--db", event, "--out", results) == 0
    pack, bundle = tmp_path / "东门.pack", tmp_path / "results-东门.sqlite"
    assert run("station", "pack", "--db", event, "--station", "东门", "--out", pack) == 0
    passphrase = re.findall(r"[A-Z0-9]{4}(?:-[A-Z0-9]{4}){3}", capsys.readouterr().out)[-1]
    assert run("station", "export", "--db", pack, "--out", bundle, "--passphrase", passphrase) == 0
    word = tmp_path / "计划.docx"
    word.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    before = county.read_bytes()
    for command, given, words in (
        ("results", event, "是单位的活动文件（含报名者的个人信息），不是结果文件"),
        ("results", pack, "是签到点数据包（含报名者的个人信息），不是结果文件"),
        ("results", bundle, "是签到点交回的结果包（供单位合并），不是结果文件"),
        ("results", plan, "是活动计划（备案）文件，未作为结果导入：计划请用 checkin county plans 导入"),
        ("results", county, "就是本县级汇总文件（--db）本身"),
        ("plans", results, "是 SQLite 文件（结果文件或活动文件），不是计划文件"),
        ("plans", word, "是 Word、Excel 或 WPS 文件，不是计划文件"),
        ("plans", county, "就是本县级汇总文件（--db）本身"),
    ):
        capsys.readouterr()
        assert run("county", command, "--db", county, given, "--received", "2026-10-21") == 2
        err = capsys.readouterr().err
        assert f"{given.name} {words}" in err, err
    assert county.read_bytes() == before


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE county_info SET rules = '[rules'",
        "UPDATE results SET by_category = 'not json'",
        "UPDATE plans SET date = '2026-13-45'",
        "UPDATE plans SET sites = '[{\"floor\": 3}]'",
    ],
)
def test_a_county_file_edited_in_another_program_is_said_in_words(
    tmp_path: Path, edit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A clerk 'corrects' the county file in DB Browser: status, report and the Datasette
    refresh ended in a Python traceback (tomllib / json / a date), the screen in English."""
    import sqlite3

    county = county_with_units(tmp_path, "单位名称\n城关街道\n")
    event = make_event(tmp_path, "城关", 'title = "走进城关"\norganizer = "城关街道"\ndate = 2026-10-20')
    plan, results = tmp_path / "备案.toml", tmp_path / "results.sqlite"
    assert run("plan", "export", "--db", event, "--out", plan) == 0
    assert run("export", "results", "--db", event, "--out", results) == 0
    assert run("county", "plans", "--db", county, plan, "--received", "2026-09-10") == 0
    assert run("county", "results", "--db", county, results, "--received", "2026-10-21") == 0
    conn = sqlite3.connect(county)
    with conn:
        conn.execute(edit)
    conn.close()
    capsys.readouterr()
    for argv in (
        ("status",),
        ("report", "--out", tmp_path / "全县.docx"),
        ("datasette", "--out", tmp_path / "m.json"),
    ):
        assert run("county", *argv, "--db", county) == 2
        err = capsys.readouterr().err
        assert "县级汇总文件中的数据被改动或已损坏" in err, err
        assert "Traceback" not in err and "Expecting" not in err


def test_the_county_document_writes_its_day_as_an_official_document_does(tmp_path: Path) -> None:
    """'统计截至 2026-12-31。' in the .docx and .xlsx: an official document writes 2026年12月31日."""
    from docx import Document
    from openpyxl import load_workbook

    county = county_with_units(tmp_path, "单位名称\n城关街道\n")
    for suffix in (".docx", ".xlsx"):
        out = tmp_path / f"全县{suffix}"
        assert run("county", "report", "--db", county, "--out", out, "--as-of", "2026-12-31") == 0
        if suffix == ".docx":
            text = "\n".join(p.text for p in Document(str(out)).paragraphs)
        else:
            book = load_workbook(out)
            text = "\n".join(
                str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
            )
        assert "统计截至2026年12月31日。" in text
        assert "2026-12-31" not in text


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (
            "UPDATE publicity SET on_date = '2026-10-01' WHERE kind = 'posted'",
            "2026-10-01 早于活动日期 2026-10-20：活动结果不能在活动之前展示",
        ),
        (
            "UPDATE publicity SET on_date = '2026-10-25' WHERE kind = 'announced'",
            "2026-10-25 晚于活动日期 2026-10-20：公告应在活动之前",
        ),
    ],
)
def test_a_results_file_posted_before_its_day_is_refused(
    tmp_path: Path, edit: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A results file edited by hand says the results went on the website on 1 October for a
    day on the 20th: the county counted the posting as on time (a breach missed)."""
    import shutil
    import sqlite3

    county = county_with_units(tmp_path, "单位名称\n城关街道\n")
    event = make_event(tmp_path, "城关", 'title = "走进城关"\norganizer = "城关街道"\ndate = 2026-10-20')
    assert run("event", "announced", "--db", event, "--on", "2026-10-01") == 0
    assert run("event", "posted", "--db", event, "--on", "2026-10-21", "--url", "https://ys.gov.cn/kf/2") == 0
    results = tmp_path / "results.sqlite"
    assert run("export", "results", "--db", event, "--out", results) == 0
    edited = tmp_path / "results-改.sqlite"
    shutil.copy(results, edited)
    conn = sqlite3.connect(edited)
    with conn:
        conn.execute(edit)
    conn.close()
    capsys.readouterr()
    assert run("county", "results", "--db", county, edited, "--received", "2026-10-21") == 2
    assert words in capsys.readouterr().err
    assert run("county", "results", "--db", county, results, "--received", "2026-10-21") == 0


def test_a_plan_rules_or_holidays_file_nested_thousands_deep_is_refused_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sites = [[[[…` a hundred thousand deep (under the 256 KB a plan may weigh) ended in
    Python's RecursionError traceback; a rules file with a typo said the TOML parser's English."""
    county = county_with_units(tmp_path, "单位名称\n城关街道\n")
    capsys.readouterr()
    plan = tmp_path / "备案.toml"
    plan.write_text("[plan]\nsites = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    assert run("county", "plans", "--db", county, plan) == 2
    assert "计划文件 备案.toml 有误，未导入任何计划：括号嵌套过深" in capsys.readouterr().err
    holidays = tmp_path / "2027.toml"
    holidays.write_text("year = 2027\nholidays = " + "[" * 30_000 + "]" * 30_000 + "\n", encoding="utf-8")
    assert run("county", "holidays", "--db", county, holidays) == 2
    assert "2027.toml 有误：格式不对，不是有效的 TOML 文件" in capsys.readouterr().err
    rules = tmp_path / "rules.toml"
    for text, words in (
        ("[rules]\nx = " + "[" * 3000 + "]" * 3000 + "\n", "括号嵌套过深"),
        ("[rules]\nmax_per_site 30\n", "不是有效的规则文件（TOML 格式在第 2 行第 14 列附近出错）"),
    ):
        rules.write_text(text, encoding="utf-8")
        argv = (
            "county",
            "init",
            "--db",
            tmp_path / "d.db",
            "--year",
            "2026",
            "--units",
            tmp_path / "单位.csv",
            "--rules",
            rules,
        )
        assert run(*argv) == 2
        err = capsys.readouterr().err
        assert words in err and "Expected" not in err, err


def test_an_event_file_with_a_typo_or_nested_deep_is_refused_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """init --from: a typo said the TOML parser's English ('Expected '=' after a key…'), and
    brackets nested thousands deep ended in a RecursionError traceback."""
    event = tmp_path / "event.toml"
    for text, words in (
        ('[event]\ntitle "走进城关"\n', "event.toml 有误：TOML 格式在第 2 行第 7 列附近出错"),
        ("[event]\nplaces = " + "[" * 5000 + "]" * 5000 + "\n", "括号嵌套过深，不是有效的活动配置文件"),
    ):
        event.write_text(text, encoding="utf-8")
        assert run("init", "--db", tmp_path / "e.db", "--from", event) == 2
        err = capsys.readouterr().err
        assert words in err and "Expected" not in err, err


def test_results_from_an_event_file_copied_from_another_unit_are_not_credited_to_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """税务分局 started its event file from a copy of 城关街道's (the same event id), gave it its
    own title, day and name — a name not on the list. Its results were counted for 城关街道 (the
    unit that filed a plan for that id) and, exported later, replaced 城关街道's own."""
    import shutil
    import sqlite3

    county = county_with_units(tmp_path, "单位名称\n城关街道\n国家税务总局沂水县税务局\n")
    event = make_event(
        tmp_path, "城关", 'title = "走进城关"\norganizer = "城关街道"\ndate = 2026-10-20\ncapacity = 30'
    )
    plan, results = tmp_path / "备案.toml", tmp_path / "results-城关.sqlite"
    assert run("plan", "export", "--db", event, "--out", plan) == 0
    assert run("county", "plans", "--db", county, plan, "--received", "2026-09-10") == 0
    assert run("export", "results", "--db", event, "--out", results) == 0
    assert run("county", "results", "--db", county, results, "--received", "2026-10-21") == 0
    copied = tmp_path / "results-税务.sqlite"
    shutil.copy(results, copied)
    conn = sqlite3.connect(copied)
    with conn:
        conn.execute(
            "UPDATE results_info SET organiser = '县税务分局', event_title = '走进税务', "
            "event_date = '2026-10-25', exported_at = '2026-10-26T09:00:00'"
        )
    conn.close()
    before = county.read_bytes()
    capsys.readouterr()
    assert run("county", "results", "--db", county, copied, "--received", "2026-10-26") == 2
    assert "“县税务分局”不在本县单位名单中" in capsys.readouterr().err
    assert county.read_bytes() == before
    # the legitimate case still works: the plan's own event, its organiser spelt otherwise
    respelt = tmp_path / "results-城关-改名.sqlite"
    shutil.copy(results, respelt)
    conn = sqlite3.connect(respelt)
    with conn:
        conn.execute("UPDATE results_info SET organiser = '城关街道办事处'")
    conn.close()
    assert run("county", "results", "--db", county, respelt, "--received", "2026-10-21") == 0
    assert "按该活动报备的计划计入“城关街道”" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("enterprise", "breach"), [(30, None), (45, "实到 65 人，超过 2 个开放点每个 30 人以内的 60 人")]
)
def test_a_day_with_two_open_sites_of_25_may_bring_50(
    tmp_path: Path, enterprise: int, breach: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    """水利局 planned two open sites, 25 people each (水厂, 局机关); 50 came in all. The county said
    '实到 50 人，超过每个开放点 30 人' — the rule is per site (每个开放点30人以内)."""
    import shutil
    import sqlite3

    county = county_with_units(tmp_path, "单位名称\n县水利局\n")
    event = make_event(
        tmp_path, "水利", 'title = "走进水利局"\norganizer = "县水利局"\ndate = 2026-10-15\ncapacity = 50'
    )
    plan = tmp_path / "备案-县水利局.toml"
    plan.write_text(
        '[plan]\nformat = 1\nyear = 2026\nunit = "县水利局"\nevent_id = "EVENT"\ntitle = "走进水利局"\n'
        'date = 2026-10-15\nsites = [{name = "水厂", people = 25}, {name = "局机关", people = 25}]\n'
        'capacity = 50\ncitizen_share = "2/5"\nannounce_on = 2026-09-25\nexported_at = 2026-09-01T10:00:00\n'.replace(
            "EVENT", _event_id(event)
        ),
        encoding="utf-8",
    )
    assert run("county", "plans", "--db", county, plan, "--received", "2026-09-10") == 0
    exported = tmp_path / "r.sqlite"
    assert run("export", "results", "--db", event, "--out", exported) == 0
    results = tmp_path / "results-县水利局.sqlite"
    shutil.copy(exported, results)
    conn = sqlite3.connect(results)  # 20 citizens and the enterprise representatives came
    with conn:
        conn.execute("DELETE FROM figures")
        conn.executemany(
            "INSERT INTO figures (category, category_label, invited, arrived, no_show, declined, citizen, "
            "takes_place, turned_away) VALUES (?, ?, ?, ?, 0, 0, ?, ?, 0)",
            [("citizen", "群众代表", 20, 20, 1, 1), ("enterprise", "企业代表", enterprise, enterprise, 0, 1)],
        )
        conn.execute(
            "UPDATE results_info SET attended = ?, citizen_share = ?",
            [20 + enterprise, 20 / (20 + enterprise)],
        )
    conn.close()
    assert run("county", "results", "--db", county, results, "--received", "2026-10-16") == 0
    capsys.readouterr()
    assert run("county", "status", "--db", county, "--json", "--as-of", "2026-10-16") == 0
    line = json.loads(capsys.readouterr().out)["units"][0]
    over = [b for b in line["breaches"] if "超过" in b]
    assert over == ([breach] if breach else []), line["breaches"]


def _event_id(db: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("SELECT id FROM event").fetchone()[0])
    finally:
        conn.close()


def test_datasette_share_of_a_unit_with_two_days_matches_the_county_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two days of 城关街道, reporters at each (媒体记者不占用名额): 单位一览 divided the citizens by
    everyone who came, status by those who take a place — Datasette and the table disagreed."""
    import sqlite3

    from tests.helpers import person_row, write_csv

    county = county_with_units(tmp_path, "单位名称\n城关街道\n")
    for day in ("2026-10-15", "2026-10-20"):
        event = make_event(
            tmp_path,
            f"城关{day}",
            f'title = "走进城关"\norganizer = "城关街道"\ndate = {day}\ncapacity = 30\nchecks = "none"',
        )
        people = [person_row(n, category="群众代表") for n in range(1, 3)] + [
            person_row(n, category="媒体记者") for n in range(3, 5)
        ]
        people += [person_row(n, category="企业代表") for n in range(5, 7)]
        assert run("import", write_csv(tmp_path / f"{day}.csv", people), "--db", event) == 0
        assert run("select", "--db", event) == 0
        capsys.readouterr()
        assert run("people", "--db", event, "--status", "invited", "--json") == 0
        for person in json.loads(capsys.readouterr().out):
            assert run("scan", person["number"], "--db", event, "--station", "东门") == 0
        results = tmp_path / f"results-{day}.sqlite"
        assert run("export", "results", "--db", event, "--out", results) == 0
        assert run("county", "results", "--db", county, results, "--received", day) == 0
    capsys.readouterr()
    assert run("county", "status", "--db", county, "--json", "--as-of", "2026-10-21") == 0
    line = json.loads(capsys.readouterr().out)["units"][0]
    assert (line["came"], line["citizens_came"], line["citizen_share"]) == (12, 4, 0.5)
    conn = sqlite3.connect(county)
    try:
        shown = conn.execute("SELECT 群众代表比例 FROM 单位一览 WHERE 单位 = '城关街道'").fetchone()[0]
    finally:
        conn.close()
    assert shown == "50.0%"


async def test_the_county_screen_fits_120_columns_in_english_too(tmp_path: Path) -> None:
    """In English the headings ('Suggestions closed on time', 'Report on time' …) pushed the
    posting and breaches columns past the right edge at 120 columns."""
    from textual.widgets import DataTable

    from checkin.i18n import set_language
    from screens.county import CountyApp
    from tests.helpers import settle

    county = county_with_units(tmp_path, "单位名称\n城关街道\n")
    set_language("en")
    try:
        app = CountyApp(county, still=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            table = app.screen.query_one("#county-units", DataTable)
            assert sum(column.get_render_width(table) for column in table.columns.values()) <= 120
            assert str(table.columns[list(table.columns)[-1]].label) == "Breaches"
    finally:
        set_language("zh")


async def test_switching_language_on_the_county_screen_keeps_the_unit_being_read(tmp_path: Path) -> None:
    """中/英 took the cursor back to the first unit (and the detail with it)."""
    from textual.widgets import DataTable, Static

    from checkin.i18n import set_language
    from screens.county import CountyApp
    from tests.helpers import settle

    county = county_with_units(tmp_path, "单位名称\n城关街道\n科技局\n水利局\n")
    set_language("zh")
    try:
        app = CountyApp(county, still=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            table = app.screen.query_one("#county-units", DataTable)
            table.focus()
            await pilot.press("down", "down")
            await settle(app, pilot)
            assert table.cursor_row == 2
            await pilot.press("ctrl+l")
            await settle(app, pilot)
            assert table.cursor_row == 2
            assert str(app.screen.query_one("#county-detail", Static).render()).startswith("水利局")
    finally:
        set_language("zh")
