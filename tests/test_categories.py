"""Categories per event: the built-in set plus the event's own, short forms, place and share flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkin.categories import category_label, citizen_codes, event_categories, parse_category
from checkin.errors import CheckinError
from checkin.event import create_event, event_from_toml
from checkin.importer import import_file
from checkin.storage import memory_db
from tests.conftest import person_row, write_csv

EVENT_TOML = """
[event]
title = "科技局政府开放日"
date = 2026-12-18
capacity = 20
outside_capacity = ["媒体记者"]

[[event.categories]]
code = "sanqu_talent"
zh = "三区人才"
en = "Three-regions talent"
aliases = ["三区"]

[[event.categories]]
code = "quake_observer"
zh = "地震宏观观测员"
en = "Earthquake observer"
aliases = ["观测员"]

[[event.categories]]
code = "netizen"
zh = "网民代表"
citizen = true

[[event.categories]]
code = "guest_speaker"
zh = "特邀嘉宾"
takes_place = false
"""


def toml_db(tmp_path: Path, text: str = EVENT_TOML):  # type: ignore[no-untyped-def]
    path = tmp_path / "event.toml"
    path.write_text(text, encoding="utf-8")
    event, _ = event_from_toml(path)
    db = memory_db()
    create_event(db, event)
    return db


def test_event_categories_are_builtin_then_own(tmp_path: Path) -> None:
    db = toml_db(tmp_path)
    cats = event_categories(db)
    codes = [c.code for c in cats]
    assert codes[:11] == [
        "citizen", "npc_deputy", "cppcc_member", "enterprise", "commissioner", "expert",
        "community", "retired", "monitor", "media", "other",
    ]  # fmt: skip
    assert codes[11:] == ["sanqu_talent", "quake_observer", "netizen", "guest_speaker"]
    by_code = {c.code: c for c in cats}
    assert by_code["netizen"].citizen and by_code["citizen"].citizen
    assert not by_code["sanqu_talent"].citizen
    assert not by_code["media"].takes_place and not by_code["guest_speaker"].takes_place
    assert by_code["sanqu_talent"].takes_place
    assert citizen_codes(cats) == {"citizen", "netizen"}
    # an English label falls back to the Chinese one
    assert by_code["netizen"].en == "网民代表"


def test_short_forms_labels_and_codes_all_parse(tmp_path: Path) -> None:
    db = toml_db(tmp_path)
    assert parse_category(db, "三区人才") == "sanqu_talent"
    assert parse_category(db, "三区") == "sanqu_talent"
    assert parse_category(db, "earthquake OBSERVER") == "quake_observer"
    assert parse_category(db, "quake_observer") == "quake_observer"
    assert parse_category(db, "观测员") == "quake_observer"
    assert parse_category(db, "记者") == "media"
    assert parse_category(db, "") == "citizen"
    # a list works as well as a database
    assert parse_category(event_categories(db), "网民代表") == "netizen"
    # the built-in set only
    assert parse_category(None, "人大") == "npc_deputy"


def test_unknown_category_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    db = toml_db(tmp_path)
    with pytest.raises(CheckinError) as info:
        parse_category(db, "劳动模范")
    message = info.value.message()
    assert "劳动模范" in message
    assert "三区人才" in message and "地震宏观观测员" in message and "群众代表" in message


def test_import_understands_the_events_own_categories_and_refuses_others(tmp_path: Path) -> None:
    db = toml_db(tmp_path)
    rows = [
        person_row(1, category="三区人才"),
        person_row(2, category="观测员"),
        person_row(3, category="特邀嘉宾"),
        person_row(4, category="劳动模范"),
    ]
    result = import_file(db, write_csv(tmp_path / "s.csv", rows))
    assert result.imported == 3
    assert [r.line for r in result.rejected] == [5]
    assert "地震宏观观测员" in result.rejected[0].reason
    got = {r["category"]: r["in_capacity"] for r in db.query("SELECT category, in_capacity FROM people")}
    assert got == {"sanqu_talent": 1, "quake_observer": 1, "guest_speaker": 0}


def test_labels_of_own_categories_reach_every_screen(tmp_path: Path) -> None:
    toml_db(tmp_path)
    assert category_label("quake_observer", "zh") == "地震宏观观测员"
    assert category_label("quake_observer", "en") == "Earthquake observer"
    assert category_label("citizen", "zh") == "群众代表"


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ('[[event.categories]]\ncode = "Bad Code"\nzh = "x"\n', "category.bad_code"),
        ('[[event.categories]]\ncode = "ok"\nzh = ""\n', "category.bad_label"),
        ('[[event.categories]]\ncode = "mine"\nzh = "人大代表"\n', "category.name_taken"),
        ('[[event.categories]]\ncode = "mine"\nzh = "甲"\ncolour = "red"\n', "category.bad_definition"),
        ('[[event.categories]]\ncode = "mine"\nzh = "甲"\ncitizen = "yes"\n', "category.bad_definition"),
        # "false" in quotes was taken as taking a place, the opposite of what was written
        (
            '[[event.categories]]\ncode = "mine"\nzh = "甲"\ntakes_place = "false"\n',
            "category.bad_definition",
        ),
        # the code the program keeps for a category it no longer knows: its label was the
        # unknown-category message with its blanks showing ("未知类别“{value}”…") on every list
        ('[[event.categories]]\ncode = "unknown"\nzh = "网民代表"\n', "category.reserved_code"),
        # a line break or an escape sequence in a label reached every list, terminal and e-mail
        ('[[event.categories]]\ncode = "net"\nzh = "网民\\n代表"\n', "text.control"),
        ('[[event.categories]]\ncode = "net"\nzh = "网民"\nen = "Net\\u001b[31m"\n', "text.control"),
        ('[[event.categories]]\ncode = "net"\nzh = "网民"\naliases = ["网\\r民"]\n', "text.control"),
    ],
)
def test_bad_category_definitions_are_refused(tmp_path: Path, extra: str, key: str) -> None:
    path = tmp_path / "event.toml"
    path.write_text('[event]\ntitle = "t"\ndate = 2026-12-18\n' + extra, encoding="utf-8")
    with pytest.raises(CheckinError) as info:
        event, _ = event_from_toml(path)
        create_event(memory_db(), event)
    assert info.value.key == key


def test_a_name_taken_is_refused_in_words_not_codes(tmp_path: Path) -> None:
    from checkin.i18n import set_language

    path = tmp_path / "event.toml"
    path.write_text(
        '[event]\ntitle = "t"\ndate = 2026-12-18\n[[event.categories]]\ncode = "mine"\nzh = "群众"\n'
    )
    messages = {}
    for lang in ("zh", "en"):
        set_language(lang)
        with pytest.raises(CheckinError) as info:
            event_from_toml(path)
        messages[lang] = info.value.message()
    assert messages["zh"] == "类别名称“群众”已被类别“群众代表”使用"
    assert messages["en"] == 'category name "群众" is already used by the category "Citizen"'


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_known_categories_are_listed_in_the_users_language(tmp_path: Path, lang: str) -> None:
    from checkin.i18n import set_language

    db = toml_db(tmp_path)
    set_language(lang)
    with pytest.raises(CheckinError) as info:
        parse_category(db, "劳动模范")
    message = info.value.message()
    if lang == "zh":
        assert message.endswith(
            "本次活动的类别：群众代表、人大代表、政协委员、企业代表、科技特派员、专家学者、社区工作者、"
            "退休干部、政务公开义务监督员、媒体记者、其他、三区人才、地震宏观观测员、网民代表、特邀嘉宾"
        )
    else:
        # the sheet is written in Chinese: each Chinese name, with its English name to read it by
        assert "群众代表 (Citizen)" in message and "三区人才 (Three-regions talent)" in message
        assert "网民代表" in message  # an own category without an English name: its Chinese one


def test_event_show_in_english_has_no_chinese_punctuation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the event's own categories, places per category and the outside-capacity list were
    # joined with 、 and ；, the policy put in （）, whatever the language
    from checkin.cli import main

    toml = tmp_path / "event.toml"
    toml.write_text(
        EVENT_TOML.replace("capacity = 20", 'capacity = 20\nsignup_excluded = ["人大代表", "政协委员"]')
        + '\n[event.quotas]\n"企业代表" = 3\n"科技特派员+三区人才" = 3\n',
        encoding="utf-8",
    )
    db = tmp_path / "e.db"
    assert main(["init", "--db", str(db), "--from", str(toml)]) == 0
    capsys.readouterr()
    assert main(["--lang", "en", "event", "show", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "Three-regions talent, Earthquake observer, 网民代表, 特邀嘉宾" in out
    assert "Enterprise 3; Science commissioner+Three-regions talent 3 (" in out
    assert "NPC deputy, CPPCC member" in out
    assert not {"、", "；", "（"} & set(out)
    assert main(["--lang", "zh", "event", "show", "--db", str(db)]) == 0
    assert "企业代表 3；科技特派员+三区人才 3（" in capsys.readouterr().out


def test_own_categories_count_for_the_share_and_take_no_place_as_declared(tmp_path: Path) -> None:
    # 网民代表 (citizen = true) counts as 群众代表 for the share; 特邀嘉宾 (takes_place = false)
    # comes without taking one of the 3 places.
    from checkin.selection import select

    db = toml_db(tmp_path, EVENT_TOML.replace("capacity = 20", 'capacity = 3\nmin_citizen_share = "1/3"'))
    rows = [
        person_row(i, category=c, at=f"2026-12-01 09:0{i}")
        for i, c in enumerate(
            ["专家学者", "专家学者", "专家学者", "网民代表", "特邀嘉宾", "特邀嘉宾"], start=1
        )
    ]
    assert import_file(db, write_csv(tmp_path / "s.csv", rows)).rejected == []
    result = select(db)
    # by hand: a third expert would leave no place for the one citizen (网民代表): A003 waits
    assert result.invited == ["A001", "A002", "A004", "A005", "A006"]
    assert result.waiting == ["A003"]
    assert (result.counted, result.citizens) == (3, 1)
