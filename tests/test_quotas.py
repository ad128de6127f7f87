"""Places per category (名额), with each example taken from the seed plans and the invited list
worked out by hand; conflicts between quotas, capacity and the share are named with by how much."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from checkin.categories import CustomCategory
from checkin.errors import CheckinError
from checkin.event import Event, create_event
from checkin.i18n import set_language
from checkin.importer import import_file
from checkin.selection import check_walk_in, confirm, select
from checkin.storage import memory_db
from tests.conftest import EVENT_DATE, person_row, write_csv


def event_db(capacity: int, share: str = "1/3", **settings: object) -> Database:
    event = Event(title="开放日", date=EVENT_DATE, capacity=capacity, min_citizen_share=Fraction(share))
    for name, value in settings.items():
        setattr(event, name, value)
    db = memory_db()
    create_event(db, event)
    return db


def sign_up(db: Database, tmp_path: Path, categories: list[str]) -> None:
    """One person per entry, a minute apart, in this order: A001, A002, …"""
    rows = [
        person_row(i, category=c, at=f"2026-12-01 {8 + i // 60:02d}:{i % 60:02d}")
        for i, c in enumerate(categories, start=1)
    ]
    result = import_file(db, write_csv(tmp_path / "signups.csv", rows))
    assert result.rejected == []


def nums(*ranges: tuple[int, int] | int) -> list[str]:
    out: list[str] = []
    for r in ranges:
        first, last = (r, r) if isinstance(r, int) else r
        out += [f"A{n:03d}" for n in range(first, last + 1)]
    return out


def test_seed_000_plan_3_npc_cppcc_one_each_citizens_and_commissioners_28_media_1(
    tmp_path: Path,
) -> None:
    # "人大代表、政协委员各1名；群众代表、科技特派员共28名；媒体记者1名" — 30 places, citizens ≥ 1/3,
    # the journalist outside capacity.
    db = event_db(
        30,
        quotas={"npc_deputy": 1, "cppcc_member": 1, "citizen+commissioner": 28, "media": 1},
    )
    sign_up(
        db,
        tmp_path,
        ["人大代表"] * 2 + ["科技特派员"] * 20 + ["群众代表"] * 15 + ["媒体记者"] * 2 + ["政协委员"],
    )
    result = select(db)
    # By hand: A001 (NPC; A002 waits, 1 place). Commissioners A003…: the 19th would leave
    # 9 places for 15 citizens, 9 of 29 < 1/3, so A003–A020 (18) go in, A021–A022 wait.
    # Citizens A023–A032 fill the group to 28; A033–A037 wait. Journalist A038 in, A039 waits.
    # CPPCC A040 takes the 30th place. 10 citizens of 30: exactly one third.
    assert sorted(result.invited) == nums(1, (3, 20), (23, 32), 38, 40)
    assert sorted(result.waiting) == nums(2, 21, 22, (33, 37), 39)
    assert result.counted == 30 and result.citizen_share == Fraction(1, 3)
    assert {q.key: (q.filled, q.places) for q in result.quotas} == {
        "npc_deputy": (1, 1), "cppcc_member": (1, 1), "citizen+commissioner": (28, 28), "media": (1, 1),
    }  # fmt: skip
    assert result.warnings == []


def test_seed_000_plan_4_enterprise_8_commissioners_and_sanqu_8_community_1_observers_2_media_1(
    tmp_path: Path,
) -> None:
    # "企业代表8名；科技特派员、三区人才8名；社区工作者1名；地震宏观观测员2名；媒体记者1名" (20 人):
    # here the journalist is one of the 20, and there is no citizen share.
    db = event_db(
        20,
        share="0",
        outside_capacity=[],
        categories=[
            CustomCategory("sanqu_talent", "三区人才", "Three-regions talent"),
            CustomCategory("quake_observer", "地震宏观观测员", "Earthquake observer"),
        ],
        quotas={
            "enterprise": 8, "commissioner+sanqu_talent": 8, "community": 1, "quake_observer": 2, "media": 1,
        },
    )  # fmt: skip
    sign_up(
        db,
        tmp_path,
        ["企业代表"] * 10
        + ["科技特派员", "三区人才"] * 5
        + ["社区工作者"] * 2
        + ["地震宏观观测员"] * 3
        + ["媒体记者"],
    )
    result = select(db)
    # By hand: enterprises A001–A008; the first 8 of the commissioner/三区 group A011–A018;
    # community A021; observers A023–A024; journalist A026.
    assert sorted(result.invited) == nums((1, 8), (11, 18), 21, 23, 24, 26)
    assert sorted(result.waiting) == nums(9, 10, 19, 20, 22, 25)
    assert result.counted == 20 and result.warnings == []


def test_seed_001_plan_4_five_each_of_four_categories(tmp_path: Path) -> None:
    # "5名群众代表、5名人大代表、5名党员代表、5名村（居）干部" — a town plan without a share rule.
    db = event_db(
        20,
        share="0",
        categories=[
            CustomCategory("party_member", "党员代表"),
            CustomCategory("village_cadre", "村（居）干部", aliases=("村干部", "居干部")),
        ],
        quotas={"citizen": 5, "npc_deputy": 5, "party_member": 5, "village_cadre": 5},
    )
    sign_up(db, tmp_path, ["党员代表"] * 7 + ["村干部"] * 7 + ["人大代表"] * 7 + ["群众代表"] * 7)
    result = select(db)
    assert sorted(result.invited) == nums((1, 5), (8, 12), (15, 19), (22, 26))
    assert sorted(result.waiting) == nums(6, 7, 13, 14, 20, 21, 27, 28)


def _five_each_with_share(tmp_path: Path, unfilled: str) -> Database:
    db = event_db(
        20,
        unfilled=unfilled,
        categories=[
            CustomCategory("party_member", "党员代表"),
            CustomCategory("village_cadre", "村（居）干部"),
        ],
        quotas={"citizen": 5, "npc_deputy": 5, "party_member": 5, "village_cadre": 5},
    )
    sign_up(db, tmp_path, ["党员代表"] * 7 + ["村（居）干部"] * 7 + ["人大代表"] * 7 + ["群众代表"] * 7)
    return db


def test_quotas_against_the_share_with_free_places_left_empty(tmp_path: Path) -> None:
    # The same plan under the county rule (群众代表 ≥ 1/3): 5 citizen places can carry at most
    # 15 people. Party members and cadres signed up first and take 10; the NPC deputies wait.
    db = _five_each_with_share(tmp_path, "empty")
    result = select(db)
    assert sorted(result.invited) == nums((1, 5), (8, 12), (22, 26))
    assert result.counted == 15 and result.citizen_share == Fraction(1, 3)
    assert [code for code, _ in result.warnings] == [
        "select.quota_share_conflict", "select.quota_not_filled", "select.not_full",
    ]  # fmt: skip
    conflict, npc, not_full = (params for _, params in result.warnings)
    assert (conflict["total"], conflict["needed"], conflict["citizen_places"], conflict["short"]) == (
        20,
        7,
        5,
        2,
    )
    assert (npc["group"], npc["filled"], npc["short"], npc["why"]) == ("npc_deputy", 0, 5, "share")
    assert not_full["short"] == 5
    set_language("zh")
    messages = result.messages()
    assert messages[0] == (
        "名额分配与群众代表比例冲突：20 个名额至少需要 7 名群众代表，但分给群众代表的名额最多 5 个，差 2 个。"
        "已优先保证比例，其他类别少邀请"
    )
    assert messages[1] == (
        "名额“人大代表”未选满：名额 5 个，选出 0 人，差 5 人（为保证群众代表比例，其余报名者暂列候补）"
        "；按活动设置，空出的名额保持空缺"
    )
    assert messages[2] == "名额未满：15/20，空 5 个，可定向邀请补足"


def test_quotas_against_the_share_with_free_places_to_the_pool(tmp_path: Path) -> None:
    # unfilled = pool: the 5 places nobody could take under the share go to the next people
    # in sign-up order whom the share allows: party members A006–A007, cadre A013, then the
    # two remaining citizens A027–A028 (7 citizens of 20 ≥ 1/3). NPC deputies still wait.
    db = _five_each_with_share(tmp_path, "pool")
    result = select(db)
    assert sorted(result.invited) == nums((1, 7), (8, 13), (22, 28))
    assert result.counted == 20 and result.citizens == 7
    lines = {q.key: (q.filled, q.extra) for q in result.quotas}
    assert lines == {"citizen": (5, 2), "npc_deputy": (0, 0), "party_member": (5, 2), "village_cadre": (5, 1)}
    assert [code for code, _ in result.warnings] == ["select.quota_share_conflict", "select.quota_not_filled"]


def test_seed_001_plan_2_ten_places_media_outside_citizens_a_third(tmp_path: Path) -> None:
    # "开放对象10名（媒体记者不占用名额，其中群众代表比例不低于三分之一）", with 劳动模范, 道德模范,
    # 离退休老干部 and 政务公开监督员 signing up before the citizens.
    db = event_db(
        10,
        categories=[CustomCategory("labour_model", "劳动模范"), CustomCategory("moral_model", "道德模范")],
    )
    sign_up(
        db,
        tmp_path,
        ["劳动模范"] * 3 + ["道德模范"] * 2 + ["退休干部"] * 2 + ["监督员"] * 2
        + ["群众代表"] * 5 + ["媒体记者"] * 2,
    )  # fmt: skip
    result = select(db)
    # By hand: the 7th non-citizen would leave 3 places, 3 of 10 < 1/3 → A001–A006 in; then
    # citizens A010–A013 fill the 10 places (4 of 10); A014 waits; both journalists come.
    assert sorted(result.invited) == nums((1, 6), (10, 13), 15, 16)
    assert sorted(result.waiting) == nums(7, 8, 9, 14)
    assert result.counted == 10 and result.citizens == 4


def _plan_3_without_cppcc(tmp_path: Path, unfilled: str) -> Database:
    db = event_db(
        30,
        unfilled=unfilled,
        quotas={"npc_deputy": 1, "cppcc_member": 1, "citizen+commissioner": 28, "media": 1},
    )
    sign_up(db, tmp_path, ["人大代表"] * 2 + ["科技特派员"] * 20 + ["群众代表"] * 15 + ["媒体记者"] * 2)
    return db


def test_unfilled_place_stays_empty(tmp_path: Path) -> None:
    result = select(_plan_3_without_cppcc(tmp_path, "empty"))
    assert sorted(result.invited) == nums(1, (3, 20), (23, 32), 38)
    assert "A002" in result.waiting
    assert [(c, p["short"]) for c, p in result.warnings] == [
        ("select.quota_not_filled", 1), ("select.not_full", 1),
    ]  # fmt: skip
    assert result.warnings[0][1]["why"] == "few" and result.warnings[0][1]["applied"] == 0


def test_unfilled_place_goes_to_the_next_in_sign_up_order(tmp_path: Path) -> None:
    # the CPPCC place nobody applied for goes to the first waiting person: the second NPC deputy
    # (10 citizens of 30 still make one third)
    result = select(_plan_3_without_cppcc(tmp_path, "pool"))
    assert sorted(result.invited) == nums((1, 20), (23, 32), 38)
    assert result.counted == 30
    assert [c for c, _ in result.warnings] == ["select.quota_not_filled"]
    assert result.warnings[0][1]["policy"] == "pool"


def test_quotas_over_capacity_say_by_how_much(tmp_path: Path) -> None:
    db = event_db(10, share="0", quotas={"enterprise": 8, "commissioner": 4})
    sign_up(db, tmp_path, ["企业代表"] * 8 + ["科技特派员"] * 4)
    result = select(db)
    assert sorted(result.invited) == nums((1, 10))
    over = dict(result.warnings)["select.quota_over_capacity"]
    assert (over["total"], over["capacity"], over["over"]) == (12, 10, 2)
    set_language("zh")
    assert "各类别名额合计 12 个，超过总名额 10 个 2 个" in result.messages()[0]


def test_direct_invitations_beyond_a_quota_are_named(tmp_path: Path) -> None:
    db = event_db(10, share="0", quotas={"npc_deputy": 1})
    rows = [person_row(i, category="人大代表", invitation="定向邀请") for i in (1, 2, 3)]
    import_file(db, write_csv(tmp_path / "d.csv", rows))
    result = select(db)
    assert len(result.invited) == 3
    exceeded = dict(result.warnings)["select.quota_exceeded"]
    assert (exceeded["places"], exceeded["filled"], exceeded["over"]) == (1, 3, 2)


def test_share_shortfall_is_counted(tmp_path: Path) -> None:
    db = event_db(6)
    rows = [person_row(i, category="人大代表", invitation="定向邀请") for i in range(1, 6)]
    rows.append(person_row(6, category="群众代表"))
    import_file(db, write_csv(tmp_path / "d.csv", rows))
    result = select(db)
    short = dict(result.warnings)["select.share_not_met"]
    # 1 citizen of 6; one third of 6 needs 2 → 1 short
    assert (short["citizens"], short["counted"], short["short"]) == (1, 6, 1)


def test_a_decline_is_replaced_from_the_same_quota(tmp_path: Path) -> None:
    db = event_db(
        20,
        share="0",
        outside_capacity=[],
        categories=[
            CustomCategory("sanqu_talent", "三区人才"), CustomCategory("quake_observer", "地震宏观观测员"),
        ],
        quotas={
            "enterprise": 8, "commissioner+sanqu_talent": 8, "community": 1, "quake_observer": 2, "media": 1,
        },
    )  # fmt: skip
    sign_up(
        db,
        tmp_path,
        ["企业代表"] * 10 + ["科技特派员", "三区人才"] * 5 + ["社区工作者"] * 2 + ["地震宏观观测员"] * 3
        + ["媒体记者"],
    )  # fmt: skip
    select(db)
    # the community worker declines: the enterprises A009/A010 wait ahead of A022 but their
    # quota is full, so the second community worker moves up
    assert confirm(db, "A021", "declined").moved_up == "A022"
    assert confirm(db, "A003", "declined").moved_up == "A009"


def test_journalist_quota_outside_capacity_moves_up_too(tmp_path: Path) -> None:
    db = event_db(6, quotas={"media": 1})
    sign_up(db, tmp_path, ["媒体记者", "媒体记者", "群众代表"])
    result = select(db)
    assert result.invited == nums(1, 3) and result.waiting == nums(2)
    assert confirm(db, "A001", "declined").moved_up == "A002"


def test_walk_ins_respect_the_quotas(tmp_path: Path) -> None:
    from checkin.door import Door
    from checkin.keys import issue_token

    db = event_db(10, share="0", unfilled="empty", quotas={"enterprise": 1})
    sign_up(db, tmp_path, ["企业代表", "群众代表"])
    select(db)
    door = Door(db, "gate", "tester")
    assert door.scan(issue_token(db, "A001").token, {"id_card": "seen"}).admitted
    with pytest.raises(CheckinError) as info:
        check_walk_in(db, "enterprise")
    assert info.value.key == "quota.walk_in_full"
    check_walk_in(db, "citizen")  # no quota, room in capacity: allowed
    # with free places going to the pool, capacity alone decides
    db.execute("UPDATE event SET unfilled = 'pool'")
    check_walk_in(db, "enterprise")


def test_quota_file_keys_are_labels_and_groups(tmp_path: Path) -> None:
    from checkin.event import event_from_toml

    path = tmp_path / "event.toml"
    path.write_text(
        '[event]\ntitle = "t"\ndate = 2026-12-18\ncapacity = 30\nunfilled = "empty"\n'
        '[event.quotas]\n"人大代表" = 1\n"政协" = 1\n"群众代表+科技特派员" = 28\n"记者" = 1\n',
        encoding="utf-8",
    )
    event, _ = event_from_toml(path)
    assert event.quotas == {"npc_deputy": 1, "cppcc_member": 1, "citizen+commissioner": 28, "media": 1}
    create_event(memory_db(), event)


@pytest.mark.parametrize(
    ("quotas", "key"),
    [
        ('"人大代表" = -1', "quota.bad_places"),
        ('"人大代表" = 1\n"人大代表+政协委员" = 2', "quota.twice"),
        ('"群众代表+媒体记者" = 3', "quota.mixed"),
        ('"劳动模范" = 3', "category.unknown"),
    ],
)
def test_bad_quotas_are_refused(tmp_path: Path, quotas: str, key: str) -> None:
    from checkin.event import event_from_toml

    path = tmp_path / "event.toml"
    path.write_text(f'[event]\ntitle = "t"\ndate = 2026-12-18\n[event.quotas]\n{quotas}\n', encoding="utf-8")
    with pytest.raises(CheckinError) as info:
        event, _ = event_from_toml(path)
        create_event(memory_db(), event)
    assert info.value.key == key


def test_quota_status_for_the_report(tmp_path: Path) -> None:
    from checkin.selection import quota_status

    db = event_db(10, share="0", unfilled="pool", quotas={"enterprise": 2, "media": 1})
    sign_up(db, tmp_path, ["企业代表"] * 3 + ["媒体记者"] + ["群众代表"] * 9)
    select(db)
    lines = {q.key: (q.filled, q.extra, q.places, q.applied) for q in quota_status(db)}
    assert lines == {"enterprise": (2, 0, 2, 3), "media": (1, 0, 1, 1)}


CATS = ["群众代表", "企业代表", "科技特派员", "人大代表", "媒体记者"]


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    cats=st.lists(st.sampled_from(CATS), min_size=1, max_size=24),
    capacity=st.integers(1, 12),
    enterprise=st.integers(0, 5),
    group=st.integers(0, 8),
    media=st.integers(0, 2),
    unfilled=st.sampled_from(["pool", "empty"]),
)
def test_quota_invariants(
    tmp_path_factory: pytest.TempPathFactory,
    cats: list[str],
    capacity: int,
    enterprise: int,
    group: int,
    media: int,
    unfilled: str,
) -> None:
    db = event_db(
        capacity,
        unfilled=unfilled,
        quotas={"enterprise": enterprise, "citizen+commissioner": group, "media": media},
    )
    sign_up(db, tmp_path_factory.mktemp("q"), cats)
    result = select(db)
    by_number = dict(db.execute("SELECT number, category FROM people").fetchall())
    invited = [by_number[n] for n in result.invited]
    # capacity and the share always hold (no direct invitations here)
    assert result.counted == sum(c != "media" for c in invited) <= capacity
    assert result.citizens * 3 >= result.counted
    # a quota outside capacity is never exceeded; with unfilled = empty none is
    assert invited.count("media") <= media
    if unfilled == "empty":
        assert invited.count("enterprise") <= enterprise
        assert sum(c in ("citizen", "commissioner") for c in invited) <= group
    # everyone is either invited or waiting, once
    assert sorted(result.invited + result.waiting) == sorted(by_number)
    # nobody waits while their quota has room, capacity has room and taking them keeps the share
    if result.counted < capacity:
        waiting = [by_number[n] for n in result.waiting]
        assert not any(
            c == "citizen" and sum(x in ("citizen", "commissioner") for x in invited) < group for c in waiting
        )


@pytest.mark.parametrize(
    ("quotas", "words"),
    [
        ('"群众代表+科技特派员" = 28\n"群众代表" = 3', ["群众代表", "群众代表+科技特派员"]),
        ('"群众代表+媒体记者" = 3', ["群众代表+媒体记者"]),
    ],
)
def test_conflicting_quotas_are_named_in_words_not_codes(
    tmp_path: Path, quotas: str, words: list[str]
) -> None:
    from checkin.event import event_from_toml

    set_language("zh")
    path = tmp_path / "event.toml"
    path.write_text(f'[event]\ntitle = "t"\ndate = 2026-12-18\n[event.quotas]\n{quotas}\n', encoding="utf-8")
    with pytest.raises(CheckinError) as info:
        event, _ = event_from_toml(path)
        event.validate()
    message = str(info.value)
    for word in words:
        assert f"“{word}”" in message or f" {word} " in message, message
    assert not re.search(r"[a-z]{4,}", message), message


def test_a_quota_left_unfilled_with_the_pool_unable_to_take_it_says_so(tmp_path: Path) -> None:
    # Capacity 10, 企业代表 3 (so 7 places in the pool), only three citizens. The message said
    # the free places "went to the next people in sign-up order" — but one stays empty (9/10),
    # and the journalists' unused place (outside capacity) can go to nobody.
    db = event_db(10, unfilled="pool", quotas={"enterprise": 3, "media": 2})
    sign_up(
        db,
        tmp_path,
        ["群众代表"] + ["专家学者"] * 6 + ["群众代表"] + ["企业代表"] * 3 + ["群众代表"] + ["媒体记者"],
    )
    result = select(db)
    # By hand: the pool's 7 places hold citizen A001 and experts A002–A005; a 5th expert would
    # leave the pool room for one more citizen only (2 of 7 < 1/3), so A006–A007 wait. Citizen
    # A008 (pool). Enterprises A009–A010; a third (A011) would make 9 with 2 citizens and one
    # place left: 3 of 10 < 1/3, it waits. Citizen A012 (from the enterprises' free place, the
    # pool policy). 9 counted, 3 citizens; nobody else keeps the share. Journalist A013 comes.
    assert sorted(result.invited) == nums((1, 5), 8, 9, 10, 12, 13)
    assert sorted(result.waiting) == nums(6, 7, 11)
    set_language("zh")
    messages = result.messages()
    assert messages[0] == (
        "名额“企业代表”未选满：名额 3 个，选出 2 人，差 1 人（为保证群众代表比例，其余报名者暂列候补）"
        "；空出的名额按报名顺序给其他报名者，仍未补满"
    )
    assert messages[1] == (
        "名额“媒体记者”未选满：名额 2 个，选出 1 人，差 1 人（只有 1 人报名并通过审核）"
        "；该类别不占名额，空出的不转给他人"
    )
    assert messages[2] == "名额未满：9/10，空 1 个，可定向邀请补足"


def test_a_walk_in_without_a_quota_cannot_take_a_place_kept_for_a_quota(tmp_path: Path) -> None:
    # Capacity 4, 企业代表 2, unfilled places stay empty: the other categories have 2 places.
    # Two citizens are inside; a third walked in on the places kept for the enterprises.
    from checkin.door import Door
    from checkin.keys import issue_token

    db = event_db(4, share="0", unfilled="empty", quotas={"enterprise": 2})
    sign_up(db, tmp_path, ["群众代表", "群众代表", "企业代表"])
    select(db)
    door = Door(db, "gate", "tester")
    for number in ("A001", "A002"):
        assert door.scan(issue_token(db, number).token, {"id_card": "seen"}).admitted
    set_language("zh")
    with pytest.raises(CheckinError) as info:
        check_walk_in(db, "citizen")
    assert info.value.key == "quota.walk_in_pool_full"
    assert (
        info.value.message() == "不在各类别名额内的人员已到 2 人，其余 2 个名额留给：企业代表，不能现场登记"
    )
    check_walk_in(db, "enterprise")  # its own quota has room
    db.execute("UPDATE event SET unfilled = 'pool'")
    check_walk_in(db, "citizen")  # free places go to anyone: capacity decides
