"""Every stored code has words in both languages, and the labelling function gives them."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from checkin import labels
from checkin.storage import open_db


def test_every_closed_set_has_a_label_in_both_languages() -> None:
    assert labels.missing_labels() == []


def test_codes_become_words() -> None:
    assert labels.label("category", "citizen", "zh") == "群众代表"
    assert labels.label("suggestion_status", "pending", "zh") == "待办"
    assert (
        labels.label("suggestion_status", "in_progress", "en") == "in progress"
        or labels.label("suggestion_status", "in_progress", "en") != "in_progress"
    )
    assert labels.label("operator", "office", "zh") == "办公室"
    assert labels.label("verdict", "not_token", "zh") == "不是邀请函二维码"
    assert labels.label("history_field", "created", "zh") == "登记"
    assert labels.history_value("status", "assigned", "zh") == "交办"
    assert labels.history_value("department", "办公室", "zh") == "办公室"
    # Free text a person typed comes back as it is.
    assert labels.label("operator", "张三", "zh") == "张三"
    assert labels.label("category", None) == ""


def test_no_label_is_itself_a_code() -> None:
    for lang in ("zh", "en"):
        for kind, rows in labels.all_tables(lang).items():
            for code, text in rows:
                assert "_" not in text, (kind, code, text)
                assert text != code or kind == "operator" or lang == "en", (kind, code)


def test_check_results_read_as_the_profile_words_them(demo: Path) -> None:
    db: Database = open_db(demo)
    words = labels.CheckLabels.for_event(db)
    assert words.result("id_card", "seen", "zh") == "本人身份证：已核验"
    assert words.result("id_card", "mismatch", "zh") == "本人身份证：号码不符"
    assert words.result("health_code", "green", "zh") == "健康码：绿码"
    assert words.result("temperature", "37.5", "zh") == "体温：37.5°C"
    assert words.result("mask", "no", "en") == "Wearing a mask: no"
