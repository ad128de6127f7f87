"""Survey forms: templates, numbering, keying rules, double entry, and every formula by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlite_utils import Database

from checkin.cli import main as cli_main
from checkin.errors import CheckinError
from checkin.forms_pdf import render_forms
from checkin.survey import (
    SurveyKeyer,
    add_entry,
    allocate_forms,
    counted_forms,
    load_template,
    mismatches,
    parse_answers,
    parse_form,
    resolve,
    summarise,
)
from tests.helpers import FONT


@pytest.fixture
def sdb(db: Database) -> Database:
    allocate_forms(db, 20)
    return db


def double(db: Database) -> Database:
    db.execute("UPDATE event SET double_entry = 1")
    return db


def test_default_template_has_the_five_items() -> None:
    template = load_template("satisfaction")
    assert [i.label_zh for i in template.items] == [
        "工作成效",
        "办事效率",
        "服务态度",
        "工作作风",
        "总体评价",
    ]
    assert {i.scale for i in template.items} == {"3level"}
    assert load_template("five-point").items[-1].scale == "yesno"


def test_form_numbers_are_never_reused(db: Database) -> None:
    assert allocate_forms(db, 3) == [1, 2, 3]
    assert allocate_forms(db, 2) == [4, 5]


@pytest.mark.parametrize(("text", "number"), [("F00012", 12), ("f12", 12), ("12", 12), (" 0007 ", 7)])
def test_form_number_forms(text: str, number: int) -> None:
    assert parse_form(text) == number


@pytest.mark.parametrize("text", ["", "F0", "X12", "12a"])
def test_bad_form_numbers(text: str) -> None:
    with pytest.raises(CheckinError):
        parse_form(text)


def test_keyer_refuses_illegal_keys_and_advances_on_legal_ones() -> None:
    keyer = SurveyKeyer(load_template("satisfaction"))
    assert not keyer.press("4")  # only 1, 2, 3 and 0 on a three-level item
    assert not keyer.press("a")
    assert keyer.values == []
    assert keyer.press("1") and keyer.current is not None and keyer.current.name == "efficiency"
    assert keyer.press("0")  # blank
    assert keyer.press("backspace") and keyer.values == [1]
    for key in "2310":
        assert keyer.press(key)
    assert keyer.items_done and keyer.values == [1, 2, 3, 1, 0]
    assert not keyer.press("1")  # nothing more to answer


def test_five_point_and_yes_no_scales() -> None:
    keyer = SurveyKeyer(load_template("five-point"))
    assert keyer.press("5") and keyer.press("4") and keyer.press("3")
    assert not keyer.press("3")  # yes/no takes only 1, 2 and 0
    assert keyer.press("2") and keyer.items_done


def test_parse_answers_checks_each_scale() -> None:
    template = load_template("satisfaction")
    assert parse_answers(template, "1,1,2,1,0") == [1, 1, 2, 1, 0]
    assert parse_answers(template, "11210") == [1, 1, 2, 1, 0]
    with pytest.raises(CheckinError) as info:
        parse_answers(template, "1,1,2,1")
    assert info.value.key == "survey.wrong_count"
    with pytest.raises(CheckinError) as info:
        parse_answers(template, "1,1,4,1,0")
    assert info.value.key == "survey.bad_value"


def test_a_keyed_number_is_never_overwritten(sdb: Database) -> None:
    add_entry(sdb, 1, [1, 1, 1, 1, 1], "first text")
    with pytest.raises(CheckinError) as info:
        add_entry(sdb, 1, [3, 3, 3, 3, 3], "other")
    assert info.value.key == "survey.already_keyed"
    row = sdb.execute("SELECT answers, text FROM survey_entries").fetchone()
    assert (json.loads(row[0]), row[1]) == ([1, 1, 1, 1, 1], "first text")


def test_unknown_form_number_is_refused(sdb: Database) -> None:
    with pytest.raises(CheckinError) as info:
        add_entry(sdb, 999, [1, 1, 1, 1, 1])
    assert info.value.key == "survey.unknown_form"


def test_second_pass_only_with_double_entry_and_after_the_first(sdb: Database) -> None:
    with pytest.raises(CheckinError) as info:
        add_entry(sdb, 1, [1, 1, 1, 1, 1], pass_no=2)
    assert info.value.key == "survey.no_double_entry"
    double(sdb)
    with pytest.raises(CheckinError) as info:
        add_entry(sdb, 1, [1, 1, 1, 1, 1], pass_no=2)
    assert info.value.key == "survey.second_before_first"


def test_double_entry_mismatches_and_resolution(sdb: Database) -> None:
    double(sdb)
    add_entry(sdb, 1, [1, 1, 2, 1, 1], "停车难")
    add_entry(sdb, 1, [1, 1, 3, 1, 1], "停车难", pass_no=2)
    add_entry(sdb, 2, [2, 2, 2, 2, 2], "")
    add_entry(sdb, 2, [2, 2, 2, 2, 2], "", pass_no=2)
    add_entry(sdb, 3, [1, 1, 1, 1, 1], "")  # no second pass yet
    found = mismatches(sdb)
    assert [(m.form, m.item, m.first, m.second, m.resolved) for m in found] == [
        (1, "attitude", "2", "3", None)
    ]
    assert sorted(counted_forms(sdb)) == [2]  # 1 unresolved, 3 awaiting its second pass
    assert resolve(sdb, 1, "attitude", "second", operator="老李") == "3"
    assert sorted(counted_forms(sdb)) == [1, 2]
    assert counted_forms(sdb)[1][0] == [1, 1, 3, 1, 1]
    resolve(sdb, 1, "attitude", "new", "1")
    assert counted_forms(sdb)[1][0] == [1, 1, 1, 1, 1]
    assert sdb.execute("SELECT choice, resolved_by FROM survey_resolutions").fetchone() == ("new", "cli")
    summary = summarise(sdb)
    assert summary.mismatches_per_item == {"attitude": 1}
    assert summary.forms_keyed == 3 and summary.forms_counted == 2 and summary.forms_awaiting == 1


def test_text_mismatch_is_resolved_too(sdb: Database) -> None:
    double(sdb)
    add_entry(sdb, 1, [1, 1, 1, 1, 1], "停车难")
    add_entry(sdb, 1, [1, 1, 1, 1, 1], "停车很难", pass_no=2)
    assert [m.item for m in mismatches(sdb)] == ["text"]
    resolve(sdb, 1, "text", "new", "停车位很难找")
    assert counted_forms(sdb)[1][1] == "停车位很难找"
    with pytest.raises(CheckinError):
        resolve(sdb, 1, "attitude", "first")


def test_formulas_on_a_hand_computed_example(sdb: Database) -> None:
    """Six forms; attended 8 (so the return rate is 6/8 = 75%).

    工作成效 answers 1,1,2,3,0,1 → counts {1:3, 2:1, 3:1}, blank 1, valid 5,
    满意率 = (3 + 1) / 5 = 80%, share of 满意 = 3/6 = 50%, share of blanks = 1/6.
    总体评价 answers 1,2,2,3,3,0 → valid 5, 满意率 = 3/5 = 60% (the overall method).
    Pooled: every item's satisfied answers ÷ every valid answer.
    """
    effectiveness = [1, 1, 2, 3, 0, 1]
    overall = [1, 2, 2, 3, 3, 0]
    for form, (a, o) in enumerate(zip(effectiveness, overall, strict=True), start=1):
        add_entry(sdb, form, [a, 1, 1, 1, o], "建议" if form == 2 else "")
    people = [r[0] for r in sdb.execute("SELECT number FROM people")]
    assert people == []  # an empty event: record attendance directly
    for i in range(8):
        sdb.execute(
            "INSERT INTO checkins (uid, number, at, station, operator, method) VALUES (?, ?, '2026-12-18', 's', 'o', 'scan')",
            [f"u{i}", f"A{i:03d}"],
        )
    summary = summarise(sdb)
    first = summary.items[0]
    assert first.counts == {1: 3, 2: 1, 3: 1} and first.blanks == 1 and first.valid == 5
    assert first.satisfaction_rate == pytest.approx(0.8)
    assert first.share(1) == pytest.approx(0.5)
    assert first.share(0) == pytest.approx(1 / 6)
    assert first.mean is None
    last = summary.items[-1]
    assert last.satisfaction_rate == pytest.approx(0.6)
    assert summary.overall_rate == pytest.approx(0.6)
    assert "总体评价" in summary.overall_method or "Overall" in summary.overall_method
    valid = 5 + 6 + 6 + 6 + 5
    satisfied = 4 + 6 + 6 + 6 + 3
    assert summary.pooled_rate == pytest.approx(satisfied / valid)
    assert summary.return_rate == pytest.approx(6 / 8)
    assert summary.texts == [(2, "建议")]


def test_five_point_mean_and_top_two_rate(sdb: Database) -> None:
    sdb.execute("UPDATE event SET survey_template = 'five-point'")
    for form, answers in enumerate([[5, 4, 5, 1], [4, 3, 2, 2], [2, 0, 4, 1]], start=1):
        add_entry(sdb, form, answers)
    summary = summarise(sdb)
    organisation = summary.items[0]
    assert organisation.mean == pytest.approx((5 + 4 + 2) / 3)
    assert organisation.satisfaction_rate == pytest.approx(2 / 3)  # 4 and 5 count as satisfied
    explanation = summary.items[1]
    assert explanation.valid == 2 and explanation.mean == pytest.approx(3.5)
    again = summary.items[3]
    assert again.satisfaction_rate == pytest.approx(2 / 3)


def test_forms_pdf_has_one_page_per_form_and_numbers(db: Database, tmp_path: Path) -> None:
    from checkin.i18n import set_language

    set_language("zh")
    path, numbers = render_forms(db, tmp_path / "forms.pdf", 4, font=FONT)
    assert numbers == [1, 2, 3, 4]
    reader = PdfReader(path)
    assert len(reader.pages) == 4
    text = "".join(p.extract_text() for p in reader.pages).replace("\x00", "")
    for form in ("F00001", "F00004"):
        assert form in text
    assert "工作成效" in text and "意见建议" in text
    assert render_forms(db, tmp_path / "more.pdf", 1, font=FONT)[1] == [5]


def test_survey_cli(sdb: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "e.db"
    from checkin.event import Event, create_event
    from checkin.storage import open_db
    from tests.conftest import EVENT_DATE

    db = open_db(path, create=True)
    create_event(db, Event(title="t", date=EVENT_DATE, double_entry=True))
    allocate_forms(db, 3)
    db.conn.close()
    assert (
        cli_main(
            ["survey", "add", "--db", str(path), "--form", "F00001", "--answers", "1,1,2,1,0", "--text", "好"]
        )
        == 0
    )
    assert (
        cli_main(["survey", "add", "--db", str(path), "--form", "1", "--answers", "1,1,3,1,0", "--pass", "2"])
        == 0
    )
    assert cli_main(["survey", "add", "--db", str(path), "--form", "1", "--answers", "1,1,3,1,0"]) == 2
    assert "not overwritten" in capsys.readouterr().err
    assert cli_main(["survey", "add", "--db", str(path), "--form", "2", "--answers", "1,1,9,1,0"]) == 2
    assert cli_main(["survey", "mismatches", "--db", str(path), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert {(m["item"], m["first"], m["second"]) for m in found} == {
        ("attitude", "2", "3"),
        ("text", "好", ""),
    }
    assert (
        cli_main(
            ["survey", "resolve", "--db", str(path), "--form", "1", "--item", "attitude", "--use", "first"]
        )
        == 0
    )
    assert (
        cli_main(["survey", "resolve", "--db", str(path), "--form", "1", "--item", "text", "--use", "first"])
        == 0
    )
    capsys.readouterr()
    assert cli_main(["survey", "summary", "--db", str(path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["forms_counted"] == 1
    assert summary["items"][2]["counts"] == {"1": 0, "2": 1, "3": 0}
    assert summary["items"][0]["satisfaction_rate"] == 1.0
    assert summary["suggestions"] == [{"form": "F00001", "text": "好"}]
