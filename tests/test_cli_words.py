"""The command line takes a closed set's values in the user's words (issue 18).

`suggestions status --to 交办 --outcome 部分采纳`, `confirm --status 不参加`, `people --status
已邀请`: the words the program prints are the words it takes (the stored codes still work, for
scripts). `--help` lists the words, and a value not in the set is refused in words that list
the words — never `in_progress` or `partly_adopted`.
"""

from __future__ import annotations

import io
import itertools
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from checkin.cli import main as cli_main
from checkin.ledger import add_suggestion, list_suggestions
from checkin.storage import open_db

SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def _cli(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = cli_main(list(args))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue() + err.getvalue()


@pytest.fixture
def ledger(demo: Path) -> Path:
    db = open_db(demo)
    add_suggestion(db, "建议周末开放")
    add_suggestion(db, "希望增加停车位")
    db.conn.close()
    return demo


def test_statuses_and_outcomes_are_taken_in_words(ledger: Path) -> None:
    db = str(ledger)
    for to in ("交办", "办理中", "办结"):  # 办结 as the help says it, for 已办结
        extra = (
            ["--department", "办公室"] if to == "交办" else ["--outcome", "部分采纳"] if to == "办结" else []
        )
        assert _cli("--lang", "zh", "suggestions", "status", "S001", "--to", to, "--db", db, *extra)[0] == 0
    assert (
        _cli(
            "--lang",
            "en",
            "suggestions",
            "status",
            "S002",
            "--to",
            "Assigned",
            "--department",
            "X",
            "--db",
            db,
        )[0]
        == 0
    )
    assert (
        _cli("suggestions", "status", "S002", "--to", "in_progress", "--db", db)[0] == 0
    )  # codes still work
    with open_db(ledger) as handle:
        states = {s.number: (s.status, s.outcome) for s in list_suggestions(handle)}
    assert states == {"S001": ("resolved", "partly_adopted"), "S002": ("in_progress", None)}
    code, said = _cli("--lang", "zh", "suggestions", "list", "--status", "已办结", "--db", db)
    assert code == 0 and "S001" in said and "S002" not in said


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_value_outside_the_set_is_refused_in_words(ledger: Path, lang: str) -> None:
    code, said = _cli("--lang", lang, "suggestions", "status", "S001", "--to", "完成", "--db", str(ledger))
    assert code == 2 and "Traceback" not in said
    last = said.strip().splitlines()[-1]
    assert "完成" in last and not SNAKE.search(last), last
    if lang == "zh":
        assert last.endswith("参数 --to：“完成”不是可选的值，可选：交办、转办、办理中、已办结、已反馈"), last
    else:
        assert "argument --to: “完成” is not one of: Assigned" in last, last


def test_help_lists_the_words_not_the_codes(capsys: pytest.CaptureFixture[str]) -> None:
    for lang, args in itertools.product(
        ("zh", "en"),
        (
            ["suggestions", "status"],
            ["confirm"],
            ["people"],
            ["suggestions", "add"],
            ["rollcall"],
            ["review", "list"],
            ["review", "reject"],
            ["scan"],
        ),
    ):
        with pytest.raises(SystemExit):
            cli_main(["--lang", lang, *args, "--help"])
        shown = capsys.readouterr().out
        assert not SNAKE.search(shown), (args, shown)
    with pytest.raises(SystemExit):
        cli_main(["--lang", "zh", "suggestions", "status", "--help"])
    assert "--to 交办|转办|办理中|已办结|已反馈" in capsys.readouterr().out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_file_the_system_refuses_is_told_in_words(demo: Path, tmp_path: Path, lang: str) -> None:
    """Python's own words for a refused file are English ("File exists", "No such file or
    directory") on Linux and macOS: the command line says them in the user's language."""
    (tmp_path / "plain.txt").write_text("", encoding="utf-8")
    code, said = _cli(
        "--lang",
        lang,
        "export",
        "attendance",
        "--db",
        str(demo),
        "--out",
        str(tmp_path / "plain.txt" / "a.csv"),
    )
    assert code == 2 and "File exists" not in said and "Traceback" not in said
    assert ("已有同名的文件" if lang == "zh" else "a file of that name is already there") in said


def test_scan_checks_are_taken_in_words(demo: Path, tmp_path: Path) -> None:
    """`--check 本人身份证=已核验` is `--check id_card=seen`; a check the event does not have is
    told by the name typed (体温), never by its code."""
    from tests.helpers import invited, token

    first, second = invited(demo, 0), invited(demo, 1)
    db = str(demo)
    code, said = _cli("--lang", "zh", "scan", "--db", db, "--check", "本人身份证=已核验", token(demo, first))
    assert code == 0 and said.startswith("准予入场"), said
    code, said = _cli("--lang", "zh", "scan", "--db", db, "--check", "体温=36.5", token(demo, second))
    assert code == 2 and "体温" in said and "temperature" not in said, said
    code, said = _cli(
        "--lang", "zh", "scan", "--db", db, "--check", "本人身份证=110101199001010011", token(demo, second)
    )
    assert code == 1 and "号码不符" in said, said
    code, said = _cli("--lang", "en", "scan", "--db", db, "--check", "Own ID card=seen", token(demo, second))
    assert code == 0, said
    code, said = _cli("--lang", "zh", "scan", "--help")
    assert "本人身份证=已核验" in said and "id_card" not in said


def test_a_scan_from_the_command_line_names_its_station_in_words(demo: Path) -> None:
    """Without --station the check-in was recorded at station "cli", shown as 首次签到：…，cli and
    exported in the 签到点 column."""
    from tests.helpers import invited, token

    guest = token(demo, invited(demo, 0))
    assert _cli("--lang", "zh", "scan", "--db", str(demo), "--check", "本人身份证=已核验", guest)[0] == 0
    code, said = _cli("--lang", "zh", "scan", "--db", str(demo), guest)
    assert code == 1 and said.rstrip().endswith("，命令行"), said  # already in: said where


def test_the_survey_summary_reads_as_chinese(demo: Path) -> None:
    """It printed 工作成效: 满意率 95.7% (22/23), 未填 0 — half-width colon, brackets and comma in a
    Chinese sentence."""
    from checkin.survey import add_entry, allocate_forms

    with open_db(demo) as db:
        allocate_forms(db, 2)
        add_entry(db, 1, [1, 1, 1, 1, 1])
        add_entry(db, 2, [3, 1, 0, 1, 1])
    code, said = _cli("--lang", "zh", "survey", "summary", "--db", str(demo))
    assert (
        code == 0
        and "工作成效：满意率50.0%（1/2），未填0份" in said
        and "服务态度：满意率100.0%（1/1），未填1份" in said
    )
    code, said = _cli("--lang", "en", "survey", "summary", "--db", str(demo))
    assert "Effectiveness of the work: satisfied 50.0% (1/2), blank 0" in said


def test_event_show_writes_a_full_width_colon_in_chinese(demo: Path) -> None:
    code, said = _cli("--lang", "zh", "event", "show", "--db", str(demo))
    lines = [line for line in said.splitlines() if line.strip()]
    assert code == 0 and lines[0].startswith("活动名称：“走进税务")
    assert not [line for line in lines if re.match(r"^[\u4e00-\u9fff]+: ", line)], lines
    code, said = _cli("--lang", "en", "event", "show", "--db", str(demo))
    assert said.startswith("Title: ")


def test_a_report_without_an_organising_unit_says_so_and_it_can_be_set(tmp_path: Path) -> None:
    """`init` without an event file sets no organiser: the report's title and signature lacked
    the unit without a word, and nothing could set it afterwards."""
    from docx import Document

    db = str(tmp_path / "e.db")
    assert _cli("--lang", "zh", "init", "--db", db, "--title", "政府开放日", "--date", "2026-11-27")[0] == 0
    code, said = _cli(
        "--lang", "zh", "report", "--db", db, "--out", str(tmp_path / "a.docx"), "--date", "2026-11-30"
    )
    assert code == 0 and "没有承办单位" in said
    assert _cli("--lang", "zh", "event", "set", "--db", db, "--organizer", " ")[0] == 2
    code, said = _cli("--lang", "zh", "event", "set", "--db", db, "--organizer", "示范县科技局")
    assert code == 0 and "承办单位已设为：示范县科技局" in said
    code, said = _cli(
        "--lang", "zh", "report", "--db", db, "--out", str(tmp_path / "b.docx"), "--date", "2026-11-30"
    )
    assert code == 0 and "没有承办单位" not in said
    paragraphs = [p.text for p in Document(str(tmp_path / "b.docx")).paragraphs]
    assert paragraphs[0] == "示范县科技局政府开放日活动开展情况" and paragraphs[-2] == "示范县科技局"
