"""The site visit: itinerary in the event file, bus assignment, roll calls, departures, schedule."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from checkin.cli import main as cli_main
from checkin.demo import demo_rows
from checkin.errors import CheckinError
from checkin.event import Event, create_event, event_from_toml, load_event
from checkin.i18n import tr
from checkin.importer import import_file
from checkin.itinerary import Bus, Stop, assign_buses, bus_loads, load_plan, plan_from_raw, set_bus, set_plan
from checkin.keys import issue_token
from checkin.rollcall import RollCall, schedule, visit_summary
from checkin.search import ensure_index, look_up
from checkin.selection import select
from checkin.storage import memory_db, open_db
from tests.conftest import EVENT_DATE, valid_id, write_csv
from tests.helpers import ManualClock, event_day_clock

STOPS = [Stop("东门集合", "13:50", 15, "assembly", "人民路1号"), Stop("办税服务厅", "14:20", 90, "visit")]


def riders_db(tmp_path: Path, people: list[tuple[str, str]], buses: list[Bus]) -> Database:
    """An event with these buses and one invited guest per (category, organisation)."""
    db = memory_db()
    create_event(db, Event(title="t", date=EVENT_DATE, capacity=100, min_citizen_share=0, stops=STOPS,
                           buses=buses))  # fmt: skip
    rows = [
        [f"客{n:03d}", "男", valid_id(n), "13812345678", org, category, f"2026-12-01 09:{n:02d}", "报名"]
        for n, (category, org) in enumerate(people)
    ]
    import_file(db, write_csv(tmp_path / "s.csv", rows))
    select(db)
    return db


def bus_of(db: Database) -> dict[str, str]:
    return {str(r[0]): str(r[1]) for r in db.execute("SELECT COALESCE(p.organization, '') || '/' || p.category || '/' || "
                                                      "p.number, r.bus FROM bus_riders r JOIN people p USING "
                                                      "(number)")}  # fmt: skip


# ---------------------------------------------------------------- the plan in the event file


def test_event_file_gives_stops_and_buses(tmp_path: Path) -> None:
    path = tmp_path / "e.toml"
    path.write_text(
        '[event]\ntitle = "t"\ndate = 2026-12-18\n'
        '[[event.stops]]\nname = "县政务中心B栋北门"\narrive = 13:50:00\nminutes = 10\nkind = "集合"\n'
        '[[event.stops]]\nname = "轴承小镇"\naddress = "工业园"\narrive = "14:30"\nminutes = 90\nkind = "观摩"\n'
        '[[event.stops]]\nname = "路演厅"\narrive = "16:10"\nminutes = 60\nkind = "座谈"\n'
        '[[event.buses]]\nname = "1号车"\nseats = 25\nleader = "王伟"\nphone = "139 0000 1111"\n',
        encoding="utf-8",
    )
    event, _ = event_from_toml(path)
    db = memory_db()
    create_event(db, event)
    loaded = load_event(db)
    assert [(s.name, s.arrive, s.minutes, s.kind) for s in loaded.stops] == [
        ("县政务中心B栋北门", "13:50", 10, "assembly"), ("轴承小镇", "14:30", 90, "visit"),
        ("路演厅", "16:10", 60, "forum"),
    ]  # fmt: skip
    assert loaded.stops[1].leave == "16:00" and loaded.stops[1].address == "工业园"
    assert loaded.buses == [Bus("1号车", 25, "王伟", "13900001111")]


@pytest.mark.parametrize(
    ("stops", "buses", "key"),
    [
        ([{"name": "a", "arrive": "9:00", "minutes": 5, "kind": "游览"}], [], "visit.bad_kind"),
        ([{"name": "a", "arrive": "25:00", "minutes": 5}], [], "event.bad_time"),
        (
            [{"name": "a", "arrive": "10:00"}, {"name": "b", "arrive": "09:00"}],
            [],
            "visit.stops_out_of_order",
        ),
        ([{"name": "a", "arrive": "10:00"}, {"name": "a", "arrive": "11:00"}], [], "visit.duplicate"),
        ([{"name": "a", "arrive": "10:00", "sql": "x"}], [], "event.file_unknown_keys"),
        ([{"name": "\x1b]52;c;x\x07", "arrive": "10:00"}], [], "visit.bad_value"),
        ([], [{"name": "1号车", "seats": 0}], "visit.out_of_range"),
        ([], [{"name": "1号车", "seats": True}], "visit.bad_value"),
        ([], [{"name": "1号车", "seats": 20, "phone": "123"}], "phone.invalid"),
        ([], [{"name": "x" * 61, "seats": 20}], "visit.too_long"),
        ("not a list", [], "visit.bad_value"),
    ],
)
def test_a_bad_itinerary_is_refused_in_words(stops: object, buses: object, key: str) -> None:
    with pytest.raises(CheckinError) as caught:
        plan_from_raw(stops, buses)
    assert caught.value.key == key
    assert "{" not in caught.value.message()


# ---------------------------------------------------------------- who rides which bus


def test_evenly_respects_seats_and_refuses_more_guests_than_seats(tmp_path: Path) -> None:
    buses = [Bus("1号车", 4), Bus("2号车", 2), Bus("3号车", 2)]
    db = riders_db(tmp_path, [("citizen", "")] * 6, buses)
    result = assign_buses(db, "even")
    # each guest to the bus least full for its size
    assert {bus: len(n) for bus, n in result.riders.items()} == {"1号车": 3, "2号车": 2, "3号车": 1}
    for bus in buses:
        assert len(result.riders[bus.name]) <= bus.seats
    # two more guests than seats: refused, the earlier assignment untouched
    before = bus_of(db)
    db.execute("UPDATE event SET buses = ?", [json.dumps([{"name": "1号车", "seats": 4, "leader": "",
                                                           "phone": ""}])])  # fmt: skip
    with pytest.raises(CheckinError) as caught:
        assign_buses(db, "even")
    assert caught.value.key == "visit.not_enough_seats"
    assert caught.value.params == {"guests": 6, "seats": 4}
    assert bus_of(db) == before


def test_by_category_keeps_each_category_on_one_bus(tmp_path: Path) -> None:
    people = [("citizen", "")] * 5 + [("npc_deputy", "")] * 3 + [("enterprise", "")] * 2
    db = riders_db(tmp_path, people, [Bus("1号车", 6), Bus("2号车", 6)])
    assign_buses(db, "category")
    per_category: dict[str, set[str]] = {}
    for key, bus in bus_of(db).items():
        per_category.setdefault(key.split("/")[1], set()).add(bus)
    assert all(len(buses) == 1 for buses in per_category.values()), per_category
    counts = Counter(bus_of(db).values())
    assert counts["1号车"] <= 6 and counts["2号车"] <= 6 and sum(counts.values()) == 10


def test_by_group_keeps_organisations_together_and_splits_only_what_cannot_fit(tmp_path: Path) -> None:
    people = [("citizen", "示范小学")] * 4 + [("citizen", "永兴建材厂")] * 3 + [("citizen", "")] * 2
    people += [("citizen", "大企业")] * 5  # fits no bus whole
    db = riders_db(tmp_path, people, [Bus("1号车", 4), Bus("2号车", 4), Bus("3号车", 4), Bus("4号车", 2)])
    result = assign_buses(db, "group")
    assert result.split == ["大企业"]
    by_org: dict[str, set[str]] = {}
    for key, bus in bus_of(db).items():
        by_org.setdefault(key.split("/")[0], set()).add(bus)
    assert len(by_org["示范小学"]) == 1 and len(by_org["永兴建材厂"]) == 1
    counts = Counter(bus_of(db).values())
    assert counts == {"1号车": 4, "2号车": 4, "3号车": 4, "4号车": 2}


def test_by_group_keeps_a_group_application_together_whatever_the_organisations(tmp_path: Path) -> None:
    people = [("citizen", f"单位{n}") for n in range(6)]
    db = riders_db(tmp_path, people, [Bus("1号车", 3), Bus("2号车", 3)])
    numbers = [str(r[0]) for r in db.execute("SELECT number FROM people ORDER BY seq")]
    group = [numbers[0], numbers[2], numbers[4]]  # came as one group application, G001
    db.conn.executemany("UPDATE people SET group_number = 'G001' WHERE number = ?", [(n,) for n in group])
    assign_buses(db, "group")
    riders = {number: bus for number, bus in db.execute("SELECT number, bus FROM bus_riders")}
    assert len({riders[n] for n in group}) == 1
    assert Counter(riders.values()) == {"1号车": 3, "2号车": 3}


def test_by_hand_respects_seats_and_is_kept_by_later_assignments(tmp_path: Path) -> None:
    db = riders_db(tmp_path, [("citizen", "")] * 4, [Bus("1号车", 2), Bus("2号车", 2)])
    numbers = [str(r[0]) for r in db.execute("SELECT number FROM people ORDER BY seq")]
    set_bus(db, numbers[3], "2号车")
    set_bus(db, numbers[2], "2号车")
    with pytest.raises(CheckinError) as caught:
        set_bus(db, numbers[1], "2号车")
    assert caught.value.key == "visit.bus_full"
    with pytest.raises(CheckinError) as unknown:
        set_bus(db, numbers[1], "9号车")
    assert unknown.value.key == "visit.unknown_bus"
    result = assign_buses(db, "even")
    assert result.kept == 2
    assert sorted(result.riders["2号车"]) == sorted(numbers[2:])
    assert sorted(result.riders["1号车"]) == sorted(numbers[:2])
    # a smaller bus in a new plan: the riders beyond its seats lose their place, hand ones last
    set_plan(db, STOPS, [Bus("1号车", 1), Bus("2号车", 2)])
    loads, unseated = bus_loads(db)
    assert [len(load.riders) for load in loads] == [1, 2] and len(unseated) == 1


def test_a_guest_who_declines_gives_up_their_seat(tmp_path: Path) -> None:
    """Seated (by hand or by assign), then they decline on the phone: the seat is free for the
    guest moved up from the waiting list, and the bus's list no longer names them."""
    from checkin.selection import confirm

    db = riders_db(tmp_path, [("citizen", "")] * 4, [Bus("1号车", 2), Bus("2号车", 2)])
    numbers = [str(r[0]) for r in db.execute("SELECT number FROM people ORDER BY seq")]
    set_bus(db, numbers[0], "1号车")
    set_bus(db, numbers[1], "1号车")
    assign_buses(db, "even")  # the other two on 2号车
    assert confirm(db, numbers[0], "declined")
    loads, unseated = bus_loads(db)
    assert [sorted(n for n, _ in load.riders) for load in loads] == [[numbers[1]], sorted(numbers[2:])]
    assert unseated == []
    set_bus(db, numbers[2], "1号车")  # the seat they held is free (was: 1号车已满)
    result = assign_buses(db, "even")
    assert sorted(result.riders["1号车"]) == sorted(numbers[1:3]) and result.riders["2号车"] == [numbers[3]]
    assert db.execute("SELECT COUNT(*) FROM bus_riders WHERE number = ?", [numbers[0]]).fetchone()[0] == 0


# ---------------------------------------------------------------- roll call at two stops, two buses


@pytest.fixture
def demo_db(demo: Path) -> Iterator[Database]:
    with open_db(demo) as db:
        yield db


@pytest.fixture
def clock() -> ManualClock:
    """Roll-call times under the test's control: clock.at("HH:MM") before each action."""
    return event_day_clock(13, 40)


def demo_ids() -> dict[str, str]:
    return {row[0]: row[2] for row in demo_rows()[1:]}


def test_roll_call_with_scans_lookups_keys_leaving_early_and_departures(
    demo_db: Database, clock: ManualClock
) -> None:
    db = demo_db
    ensure_index(db)
    loads = {load.bus.name: load.riders for load in bus_loads(db)[0]}
    one, two = loads["1号车"], loads["2号车"]
    assert len(one) >= 4 and len(two) >= 4
    ids = demo_ids()
    roll1 = RollCall(db, "1号车平板", "王志强", clock=clock)
    roll2 = RollCall(db, "2号车平板", "李秀英", clock=clock)
    first, second = "政务服务中心东门", "办税服务厅"

    # stop 1, bus 1: an invitation scan, an ID card through a reader (with the name after it),
    # a look-up, one key on the list for everyone else but one
    token = issue_token(db, one[0][0]).token
    assert roll1.scan(first, "1号车", token).outcome == "present"
    assert roll1.scan(first, "1号车", token).outcome == "already"
    reader_text = f"{ids[one[1][1]]} {one[1][1]}"
    assert roll1.scan(first, "1号车", reader_text).rider.number == one[1][0]
    found = look_up(db, one[2][1])
    assert found[0] == one[2][0]
    roll1.mark_present(first, "1号车", found[0], method="lookup")
    for number, _ in one[3:-1]:
        roll1.mark_present(first, "1号车", number)
    missing_one = one[-1]
    status = roll1.status(first, "1号车")
    assert status.expected == len(one)
    assert [r.number for r in status.missing] == [missing_one[0]]
    assert status.missing[0].phone  # the leader can call them
    assert status.departure_text() == f"1 missing: {missing_one[1]}"
    # departure with one missing: not recorded until the leader leaves anyway
    clock.at("14:05")
    assert not roll1.depart(first, "1号车").recorded
    gone = roll1.depart(first, "1号车", anyway=True)
    assert gone.recorded and gone.anyway and [r.number for r in gone.status.missing] == [missing_one[0]]

    # stop 1, bus 2: everyone by key; one of them rides bus 1 today
    clock.at("13:55")
    for number, _ in two:
        roll2.mark_present(first, "2号车", number)
    status = roll2.status(first, "2号车")
    assert status.missing == [] and status.departure_text() == f"All {len(two)} aboard"
    clock.at("14:06")
    assert roll2.depart(first, "2号车").recorded

    # stop 2: the one missing at stop 1 never came, so is no longer expected; one guest of bus 2
    # leaves the visit unwell; one of bus 1 is missing at departure
    clock.at("14:35")
    leaver = two[0]
    assert roll2.leave(second, "2号车", leaver[0], "unwell").outcome == "left"
    for number, _ in two[1:]:
        roll2.mark_present(second, "2号车", number)
    status2 = roll2.status(second, "2号车")
    assert status2.expected == len(two) - 1 and status2.missing == []
    assert [(r.number, r.reason, r.stop) for r in status2.left] == [(leaver[0], "unwell", second)]
    for number, _ in one[1:-1]:
        roll1.mark_present(second, "1号车", number)
    status1 = roll1.status(second, "1号车")
    assert [r.number for r in status1.missing] == [one[0][0]]
    assert missing_one[0] not in [r.number for r in status1.missing + status1.present]
    clock.at("15:55")
    check = roll1.depart(second, "1号车")
    assert not check.recorded and check.status.departure_text() == f"1 missing: {one[0][1]}"
    # ... then they turn up: a scan, and all are aboard
    roll1.scan(second, "1号车", one[0][0])
    assert roll1.depart(second, "1号车").status.departure_text() == f"All {len(one) - 1} aboard"

    # the whole stop, both buses: the counts the report uses
    summary = visit_summary(db)
    assert summary is not None
    counts = {c.stop.name: (c.expected, c.present, c.left_here) for c in summary.counts}
    everyone = len(one) + len(two)
    assert counts[first] == (everyone, everyone - 1, 0)
    assert counts[second] == (everyone - 2, everyone - 2, 1)
    assert [(r.number, r.reason) for r in summary.left] == [(leaver[0], "unwell")]
    assert len(summary.forced_departures) == 1


def test_a_guest_who_boarded_another_bus_is_expected_on_it_at_the_next_stop(
    demo_db: Database, clock: ManualClock
) -> None:
    """Assigned to bus 1, they got on bus 2 at the first stop (a friend was there): at the next
    stop bus 2's leader expects them, and bus 1's does not call them missing (they were expected
    by the wrong bus, and nobody on bus 2 would notice them left behind)."""
    db = demo_db
    one, two = (load.riders for load in bus_loads(db)[0])
    roll = RollCall(db, "desk", "op", clock=clock)
    first, second = "政务服务中心东门", "办税服务厅"
    switched = one[0][0]
    clock.at("13:55")
    for number, _ in one[1:]:
        roll.mark_present(first, "1号车", number)
    for number, _ in [*two, one[0]]:
        roll.mark_present(first, "2号车", number)
    assert switched not in [r.number for r in roll.status(first, "1号车").missing]
    clock.at("14:30")
    bus_one, bus_two = roll.status(second, "1号车"), roll.status(second, "2号车")
    assert switched not in [r.number for r in bus_one.missing + bus_one.present]
    assert switched in [r.number for r in bus_two.missing]
    assert bus_two.expected == len(two) + 1 and bus_one.expected == len(one) - 1
    # they leave the visit there: bus 2's list says so
    roll.leave(second, "2号车", switched, "went_home")
    assert [r.number for r in roll.status(second, "2号车").left] == [switched]
    assert roll.status(second, "1号车").left == []


def test_the_departure_names_the_missing_in_each_languages_own_way(demo_db: Database) -> None:
    """ "2 missing: 张三, 李四" in English, "缺2人：张三、李四" in Chinese (English had 、 and ，)."""
    from checkin.i18n import set_language

    db = demo_db
    riders = bus_loads(db)[0][0].riders
    roll = RollCall(db, "desk", "op")
    for number, _ in riders[2:]:
        roll.mark_present("政务服务中心东门", "1号车", number)
    status = roll.status("政务服务中心东门", "1号车")
    names = [name for _, name in riders[:2]]
    set_language("en")
    assert status.departure_text() == f"2 missing: {names[0]}, {names[1]}"
    with pytest.raises(CheckinError) as caught:
        roll.status("月球", None)
    assert caught.value.message().endswith("the stops are: 政务服务中心东门, 办税服务厅")
    set_language("zh")
    assert status.departure_text() == f"缺2人：{names[0]}、{names[1]}"


def test_a_person_not_on_the_visit_is_refused_and_nothing_is_written(demo_db: Database) -> None:
    db = demo_db
    roll = RollCall(db, "bus", "op")
    waiting = db.execute("SELECT number FROM people WHERE status = 'waiting' LIMIT 1").fetchone()[0]
    for text, key in (
        (waiting, "visit.not_on_visit"),
        ("https://u.wechat.com/abc", "verdict.web_address"),
        (valid_id(999), "verdict.not_on_list"),
        ("", "visit.not_recognised"),
        ("A999", "people.unknown_number"),
    ):
        with pytest.raises(CheckinError) as caught:
            roll.scan("办税服务厅", "1号车", text)
        assert caught.value.key == key
    for stop, bus, key in (
        ("地球", None, "visit.unknown_stop"),
        ("办税服务厅", "9号车", "visit.unknown_bus"),
    ):
        with pytest.raises(CheckinError) as caught:
            roll.status(stop, bus)
        assert caught.value.key == key
    assert db.execute("SELECT COUNT(*) FROM roll_marks").fetchone()[0] == 0
    # the ID number is only hashed: it is in no table
    assert not any(valid_id(999) in str(v) for r in db.execute("SELECT * FROM scans") for v in r)


def test_someone_who_left_and_comes_back_is_expected_again(demo_db: Database, clock: ManualClock) -> None:
    db = demo_db
    roll = RollCall(db, "bus", "op", clock=clock)
    number = bus_loads(db)[0][0].riders[0][0]
    clock.at("14:30")
    roll.leave("办税服务厅", None, number, "went_home")
    assert number in [r.number for r in roll.status("办税服务厅").left]
    clock.at("14:40")
    assert roll.mark_present("办税服务厅", None, number).outcome == "back"
    status = roll.status("办税服务厅")
    assert number in [r.number for r in status.present] and status.left == []


# ---------------------------------------------------------------- schedule


def test_schedule_says_where_the_visit_is_and_how_late(demo_db: Database, clock: ManualClock) -> None:
    db = demo_db
    event = load_event(db)
    roll = RollCall(db, "bus", "op", clock=clock)
    day = event.date

    def at(hhmm: str) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.fromisoformat(hhmm))

    before = schedule(db, event, at("13:00"))
    assert before is not None and before.state == "not_started" and before.next == event.stops[0]
    number = bus_loads(db)[0][0].riders[0][0]
    clock.at("13:45")
    roll.mark_present("政务服务中心东门", None, number)
    here = schedule(db, event, at("13:50"))
    assert here is not None and (here.state, here.behind) == ("at_stop", -5)
    assert here.text() == "now: 政务服务中心东门; next: 办税服务厅 · 5 min ahead of the plan"
    late = schedule(db, event, at("14:15"))  # planned to leave at 14:05 and still here
    assert late is not None and late.behind == 10
    clock.at("14:25")
    roll.depart("政务服务中心东门", None, anyway=True)
    road = schedule(db, event, at("14:26"))
    assert road is not None and (road.state, road.current, road.next, road.behind) == (
        "on_the_way",
        event.stops[0],
        event.stops[1],
        20,
    )
    clock.at("14:41")
    roll.mark_present("办税服务厅", None, number)
    there = schedule(db, event, at("14:45"))
    assert there is not None and (there.state, there.behind, there.next) == ("at_stop", 21, None)
    assert there.text() == "now: 办税服务厅 (last stop) · 21 min behind the plan"


def test_minutes_late_are_counted_between_the_minutes_shown(demo_db: Database, clock: ManualClock) -> None:
    """The report says "实际13:55到达（晚5分钟）": the minutes are those between the times shown,
    never rounded from the seconds (13:55:40 was "晚6分钟", a departure at 14:05:40 "晚1分钟")."""
    from checkin.rollcall import stop_runs

    db = demo_db
    event = load_event(db)
    roll = RollCall(db, "bus", "op", clock=clock)
    number = bus_loads(db)[0][0].riders[0][0]
    clock.start = dt.datetime(2026, 12, 18, 13, 55, 40)
    roll.mark_present("政务服务中心东门", None, number)
    clock.start = dt.datetime(2026, 12, 18, 14, 5, 40)
    assert roll.depart("政务服务中心东门", None, anyway=True).recorded
    run = stop_runs(db, event.stops)[0]
    assert (run.late_arriving(EVENT_DATE), run.late_leaving(EVENT_DATE)) == (5, 0)
    # on the way, 14:20:50 against a planned arrival at 14:20: the minute has not yet passed
    road = schedule(db, event, dt.datetime(2026, 12, 18, 14, 20, 50))
    assert road is not None and (road.state, road.behind) == ("on_the_way", 0)
    late = schedule(db, event, dt.datetime(2026, 12, 18, 14, 23, 59))
    assert late is not None and late.behind == 3


def test_seating_and_the_plan_are_changed_at_the_office_only(demo: Path, tmp_path: Path) -> None:
    """A door pack carries the seating; changed on the bus it would never travel back: refused in
    words, nothing changed."""
    from checkin.pack import station_pack

    pack = station_pack(demo, "1号车", tmp_path / "bus1.db")
    with open_db(pack) as db:
        before = db.execute("SELECT number, bus, how FROM bus_riders ORDER BY number").fetchall()
        number = before[0][0]
        for change in (
            lambda: assign_buses(db, "even"),
            lambda: set_bus(db, number, "2号车"),
            lambda: set_bus(db, number, None),
            lambda: set_plan(db, STOPS, [Bus("1号车", 40)]),
        ):
            with pytest.raises(CheckinError) as caught:
                change()
            assert caught.value.key == "visit.office_only"
            assert "1号车" in str(caught.value)
        assert db.execute("SELECT number, bus, how FROM bus_riders ORDER BY number").fetchall() == before
        assert len(load_event(db).stops) == 2


def test_the_whole_visit_has_left_a_stop_only_when_every_bus_there_has(
    demo_db: Database, clock: ManualClock
) -> None:
    """The board's line is the whole visit's: bus 1 leaving the first stop while bus 2 still calls
    its roll there is not "left 政务服务中心东门, on the way" (it said so)."""
    db = demo_db
    event = load_event(db)
    one, two = (load.riders for load in bus_loads(db)[0])
    roll = RollCall(db, "desk", "op", clock=clock)
    first = "政务服务中心东门"
    clock.at("13:55")
    roll.mark_present(first, "1号车", one[0][0])
    roll.mark_present(first, "2号车", two[0][0])
    clock.at("14:05")
    assert roll.depart(first, "1号车", anyway=True).recorded
    now = dt.datetime(2026, 12, 18, 14, 8)
    whole = schedule(db, event, now)
    assert whole is not None and (whole.state, whole.current) == ("at_stop", event.stops[0])
    assert whole.behind == 5  # arrived 13:55 against 13:50; planned to leave 14:05, now 14:08: 3
    bus_one = schedule(db, event, now, "1号车")
    assert bus_one is not None and (bus_one.state, bus_one.next) == ("on_the_way", event.stops[1])
    clock.at("14:09")
    assert roll.depart(first, "2号车", anyway=True).recorded
    gone = schedule(db, event, dt.datetime(2026, 12, 18, 14, 10))
    assert gone is not None and gone.state == "on_the_way" and gone.behind == 4  # left 14:09, not 14:05


# ---------------------------------------------------------------- the command line


def test_cli_marks_and_reports_status_in_the_documented_shape(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_db(demo) as db:
        riders = bus_loads(db)[0][1].riders  # 2号车
    base = ["--db", str(demo), "--stop", "政务服务中心东门", "--bus", "2号车"]
    for number, _ in riders[:-1]:
        assert cli_main(["rollcall", *base, number.lower()]) == 0
    assert cli_main(["rollcall", *base, "--left", "unwell", riders[-1][0]]) == 0
    capsys.readouterr()
    assert cli_main(["rollcall", "status", *base, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"stop", "bus", "expected", "present", "missing", "left"}
    assert data["stop"] == "政务服务中心东门" and data["bus"] == "2号车"
    assert data["expected"] == len(riders) - 1 and data["missing"] == []
    assert (
        data["left"][0]["number"] == riders[-1][0]
        and data["left"][0]["reason"] == "unwell"
        and data["left"][0]["reason_code"] == "unwell"
    )
    assert cli_main(["rollcall", "depart", *base]) == 0
    assert "All" in capsys.readouterr().out
    # a missing person: status lists the phone; depart refuses without --anyway
    base1 = ["--db", str(demo), "--stop", "政务服务中心东门", "--bus", "1号车"]
    assert cli_main(["rollcall", "status", *base1, "--json"]) == 0
    missing = json.loads(capsys.readouterr().out)["missing"]
    assert missing and set(missing[0]) == {"number", "name", "phone"} and missing[0]["phone"]
    assert cli_main(["rollcall", "depart", *base1]) == 1
    assert cli_main(["rollcall", "depart", *base1, "--anyway"]) == 0
    assert cli_main(["rollcall", "--db", str(demo), "--stop", "月球", "A001"]) == 2
    assert "no stop called" in capsys.readouterr().err


def test_cli_assigns_buses_and_speaks_chinese(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["--lang", "zh", "buses", "assign", "--db", str(demo), "--by", "even"]) == 0
    assert "已按平均分车" in capsys.readouterr().out
    assert cli_main(["--lang", "zh", "itinerary", "show", "--db", str(demo)]) == 0
    out = capsys.readouterr().out
    assert "政务服务中心东门（集合，15分钟）" in out and "1号车：20座，已安排16人" in out
    assert cli_main(["buses", "set", "--db", str(demo), "A001"]) == 2
    assert "--none" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("lang", "word", "said"), [("zh", "单位", "已按单位分车"), ("en", "Group", "by group")]
)
def test_buses_assign_takes_the_way_in_words_and_lists_words_not_codes(
    demo: Path, capsys: pytest.CaptureFixture[str], lang: str, word: str, said: str
) -> None:
    """--by 单位 (or group, or the code); --help and a wrong word list 类别|单位|平均, never the codes."""
    assert cli_main(["--lang", lang, "buses", "assign", "--db", str(demo), "--by", word]) == 0
    assert said in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli_main(["--lang", "zh", "buses", "assign", "--help"])
    shown = capsys.readouterr().out
    assert "--by 类别|单位|平均" in shown and "category" not in shown and "even" not in shown
    with pytest.raises(SystemExit) as refused:
        cli_main(["--lang", "zh", "buses", "assign", "--db", str(demo), "--by", "按车"])
    assert refused.value.code == 2
    err = capsys.readouterr().err.splitlines()[-1]
    assert "类别、单位、平均" in err and "category" not in err, err


# ---------------------------------------------------------------- two buses' laptops, merged


def _state(path: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], object]:
    with open_db(path) as db:
        marks = db.execute("SELECT uid, stop, bus, number, mark, reason, at, station FROM roll_marks "
                           "ORDER BY uid").fetchall()  # fmt: skip
        departures = db.execute(
            "SELECT uid, stop, bus, missing, anyway FROM departures ORDER BY uid"
        ).fetchall()
        summary = visit_summary(db)
        event = load_event(db)
        buses = [RollCall(db, "desk", "op").status(stop.name, bus.name).to_json()
                 for stop in event.stops for bus in event.buses]  # fmt: skip
    assert summary is not None
    return [tuple(r) for r in marks], [tuple(r) for r in departures], {**summary.to_json(), "buses": buses}


def test_two_buses_roll_calls_on_packs_merge_in_either_order(demo: Path, clock: ManualClock) -> None:
    import shutil

    from checkin.pack import station_pack
    from checkin.sync import export_bundle, merge_bundles

    with open_db(demo) as db:
        one, two = (load.riders for load in bus_loads(db)[0])
        token = issue_token(db, two[0][0]).token
    packs = {bus: station_pack(demo, bus, demo.parent / f"{bus}.db") for bus in ("1号车", "2号车")}
    first, second = "政务服务中心东门", "办税服务厅"
    with open_db(packs["1号车"]) as db:  # the laptop on bus 1, offline
        roll = RollCall(db, "ignored: a pack records under its own name", "王志强", clock=clock)
        clock.at("13:52")
        for number, _ in one:
            roll.mark_present(first, "1号车", number)
        roll.depart(first, "1号车")
        clock.at("14:25")
        roll.leave(second, "1号车", one[0][0], "went_home")
        for number, _ in one[1:-1]:
            roll.mark_present(second, "1号车", number)
        clock.at("15:52")
        assert roll.depart(second, "1号车", anyway=True).anyway
    with open_db(packs["2号车"]) as db:  # the laptop on bus 2
        roll = RollCall(db, "2号车", "李秀英", clock=clock)
        clock.at("13:55")
        roll.scan(first, "2号车", token)
        for number, _ in two[1:]:
            roll.mark_present(first, "2号车", number)
        roll.depart(first, "2号车")
        clock.at("14:30")
        for number, _ in two:
            roll.mark_present(second, "2号车", number)
        roll.depart(second, "2号车")
    bundles = [export_bundle(packs[bus], demo.parent / f"results-{bus}.sqlite") for bus in ("1号车", "2号车")]
    results = []
    for order in (bundles, bundles[::-1]):
        office = demo.parent / f"office-{len(results)}.db"
        shutil.copy(demo, office)
        reports = merge_bundles(office, order)
        assert sum(r.added.get("roll_marks", 0) for r in reports) == 2 * len(one) - 1 + 2 * len(two)
        merge_bundles(office, order)  # again: nothing doubled
        results.append(_state(office))
    assert results[0] == results[1]
    marks, departures, summary = results[0]
    assert {m[7] for m in marks} == {"1号车", "2号车"}  # the packs' own names
    assert len(departures) == 4 and sum(d[4] for d in departures) == 1
    everyone = len(one) + len(two)
    assert summary["stops"] == [
        {"stop": first, "expected": everyone, "present": everyone, "left": 0},
        {"stop": second, "expected": everyone - 1, "present": everyone - 2, "left": 1},
    ]
    assert [(r["number"], r["reason"]) for r in summary["left"]] == [(one[0][0], "went home")]
    assert summary["schedule"][0]["arrived"] == "13:52" and summary["schedule"][0]["late_arriving"] == 2


def test_a_roll_call_on_a_pack_on_another_day_is_refused_before_it_spoils_the_bundle(
    demo: Path, tmp_path: Path
) -> None:
    """A rehearsal with the real pack the day before: the merge takes only the event's day and
    refuses a bundle whole, so a mark on another day would later cost the day's own records.
    Refused at once, in words; on the office file a rehearsal still works."""
    from checkin.pack import station_pack

    day_before = ManualClock(dt.datetime(2026, 12, 17, 14, 0))
    pack = station_pack(demo, "1号车", tmp_path / "bus1.db")
    with open_db(pack) as db:
        number = bus_loads(db)[0][0].riders[0][0]
        roll = RollCall(db, "1号车", "王志强", clock=day_before)
        for attempt in (
            lambda: roll.mark_present("政务服务中心东门", "1号车", number),
            lambda: roll.leave("政务服务中心东门", "1号车", number, "other"),
            lambda: roll.depart("政务服务中心东门", "1号车", anyway=True),
        ):
            with pytest.raises(CheckinError) as caught:
                attempt()
            assert caught.value.key == "visit.pack_other_day" and "2026-12-18" in caught.value.message()
        assert db.execute("SELECT COUNT(*) FROM roll_marks").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM departures").fetchone()[0] == 0
        roll.status("政务服务中心东门", "1号车")  # reading is fine
    with open_db(demo) as db:  # the office file: a rehearsal is allowed
        assert RollCall(db, "desk", "op", clock=day_before).mark_present("政务服务中心东门", None, number)


@pytest.mark.parametrize(
    ("table", "index", "value", "error"),
    [
        ("roll_marks", 1, "长城", "stop"),
        ("roll_marks", 2, "9号车", "bus"),
        ("roll_marks", 3, "A999", "number"),
        ("roll_marks", 4, "vanished", "mark"),
        ("roll_marks", 7, "2099-01-01T10:00:00.000", "at"),
        # on the day, but not as the program writes it: the report said "arrived 2000"
        ("roll_marks", 7, "20261218T135200", "at"),
        ("roll_marks", 7, "2026-12-18 13:52:00", "at"),
        ("departures", 3, "2026-12-18T13:52", "at"),
        ("roll_marks", 8, "东门", "station"),
        ("departures", 5, '["A001"); DROP TABLE people; --', "missing"),
        ("departures", 6, 0, "anyway"),
    ],
)
def test_a_tampered_roll_call_in_a_bundle_is_refused_and_the_office_file_unchanged(
    demo: Path, clock: ManualClock, table: str, index: int, value: object, error: str
) -> None:
    from checkin.pack import station_pack
    from checkin.sync import station_records, write_bundle

    pack = station_pack(demo, "1号车", demo.parent / "bus1.db")
    with open_db(pack) as db:
        roll = RollCall(db, "1号车", "王志强", clock=clock)
        riders = bus_loads(db)[0][0].riders
        clock.at("13:52")
        roll.mark_present("政务服务中心东门", "1号车", riders[0][0])
        roll.depart("政务服务中心东门", "1号车", anyway=True)
    event_id, station, secrets, tables = station_records(pack)
    tables[table][0][index] = value
    from checkin.sync import OFFICE_SEAL_PUBLIC, STATION_PRIVATE

    out = write_bundle(demo.parent / "bad.sqlite", event_id, station, tables, secrets[STATION_PRIVATE],
                       secrets[OFFICE_SEAL_PUBLIC])  # fmt: skip
    before = demo.read_bytes()
    with pytest.raises(CheckinError) as caught:
        from checkin.sync import merge_bundles

        merge_bundles(demo, [out])
    assert caught.value.key == "sync14.invalid" and caught.value.params["field"] == error
    assert demo.read_bytes() == before


# ---------------------------------------------------------------- in the report


def test_the_report_tells_per_stop_counts_who_left_and_the_schedule_as_run(
    demo_db: Database, demo: Path, clock: ManualClock, tmp_path: Path
) -> None:
    from docx import Document

    from checkin.i18n import set_language
    from checkin.report import gather, write_report

    db = demo_db
    roll = RollCall(db, "desk", "op", clock=clock)
    first, second = "政务服务中心东门", "办税服务厅"
    one, two = (load.riders for load in bus_loads(db)[0])
    everyone = [n for n, _ in one + two]
    clock.at("13:55")
    for number in everyone[:-1]:  # one never comes
        roll.mark_present(first, None, number)
    clock.at("14:12")
    roll.depart(first, None, anyway=True)
    clock.at("14:31")
    leaver = one[0]
    roll.leave(second, None, leaver[0], "unwell")
    for number in everyone[1:-1]:
        roll.mark_present(second, None, number)
    clock.at("15:50")
    roll.depart(second, None)
    data = gather(db)
    assert data.visit is not None
    assert [(c.stop.name, c.expected, c.present, c.left_here) for c in data.visit.counts] == [
        (first, 32, 31, 0), (second, 30, 30, 1),
    ]  # fmt: skip
    set_language("zh")
    docx = write_report(db, tmp_path / "报告.docx", day=EVENT_DATE)
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert (
        "参加人员按行程依次到达政务服务中心东门（应到32人，实到31人）、办税服务厅（应到30人，实到30人）。"
        in text
    )
    assert (
        "政务服务中心东门计划13:50到达，实际13:55到达（晚5分钟），计划14:05出发，实际14:12出发（晚7分钟）"
        in text
    )
    assert "办税服务厅计划14:20到达，实际14:31到达（晚11分钟），计划15:50出发，实际15:50出发（准时）" in text
    # who left is counted by reason, never named beside a health reason (PIPL)
    assert "中途离队1人（身体不适1人）" in text and leaver[1] not in text
    assert "点名时在政务服务中心东门有1人未到即出发，已记录在案。" in text
    # the web page names no guest: the reason is counted
    page = write_report(db, tmp_path / "报告.html", day=EVENT_DATE).read_text(encoding="utf-8")
    assert "中途离队1人（身体不适1人）" in page and leaver[1] not in page


def test_the_report_does_not_count_a_stop_where_no_roll_was_called_as_everyone_missing(
    demo_db: Database, clock: ManualClock
) -> None:
    """The visit stopped after its first stop (or nobody called the roll at the second): the
    report says so instead of "应到31人，实到0人"."""
    from checkin.i18n import set_language
    from checkin.report import gather, visit_words

    db = demo_db
    roll = RollCall(db, "desk", "op", clock=clock)
    clock.at("13:52")
    set_language("zh")
    assert visit_words(gather(db).visit)["visit_text"] == ""  # nobody called any roll: nothing said
    for number, _ in bus_loads(db)[0][0].riders:
        roll.mark_present("政务服务中心东门", None, number)
    words = visit_words(gather(db).visit)
    assert words["visit_text"].endswith("、办税服务厅（未点名）。")
    assert "政务服务中心东门（应到32人，实到17人）" in words["visit_text"]


def test_purge_forgets_who_was_unwell(demo: Path, clock: ManualClock) -> None:
    from checkin.purge import purge

    with open_db(demo) as db:
        roll = RollCall(db, "bus", "op", clock=clock)
        riders = bus_loads(db)[0][0].riders
        roll.leave("办税服务厅", None, riders[0][0], "unwell")
        roll.leave("办税服务厅", None, riders[1][0], "went_home")
    purge(demo, force=True)
    with open_db(demo) as db:
        reasons = [r[0] for r in db.execute("SELECT reason FROM roll_marks ORDER BY id")]
    assert reasons == [None, "went_home"]


def test_the_roll_call_command_survives_a_gbk_console(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows, output redirected (`> 点名.txt`) or an old console: stdout is GBK. A mark, a leaver
    and a name outside GBK (䶮) print without a traceback; the mark is recorded."""
    import io
    import sys

    with open_db(demo) as db:
        riders = bus_loads(db)[0][0].riders
        db.execute("UPDATE people SET name = '王䶮' WHERE number = ?", [riders[1][0]])
    base = ["--lang", "zh", "rollcall", "--db", str(demo), "--stop", "政务服务中心东门", "--bus", "1号车"]
    for extra in ([riders[0][0]], ["--left", "unwell", riders[1][0]], ["status"]):
        out = io.TextIOWrapper(io.BytesIO(), encoding="gbk", newline="\n")
        monkeypatch.setattr(sys, "stdout", out)
        assert cli_main([*base, *extra]) == 0
        out.flush()
        text = out.buffer.getvalue().decode("gbk")  # type: ignore[attr-defined]
        assert text.strip()
    assert "已到" in text or "应到" in text
    with open_db(demo) as db:
        assert db.execute("SELECT COUNT(*) FROM roll_marks").fetchone()[0] == 2


def test_the_demo_says_where_the_site_visit_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A new user runs `checkin demo`: it says the event has an itinerary and which key calls the
    roll; `run --help` names the roll-call screen."""
    from screens.main import main as app_main

    assert app_main(["--lang", "zh", "demo", "--no-app", "--db", str(tmp_path / "demo.db")]) == 0
    out = capsys.readouterr().out
    assert "行程：2个站点、2辆车" in out and "F1" in out
    with pytest.raises(SystemExit):
        app_main(["--lang", "zh", "run", "--help"])
    assert "报名审核|点名" in capsys.readouterr().out  # --screen in words (rollcall still works)


def test_someone_who_came_back_is_expected_at_every_later_stop(demo_db: Database, clock: ManualClock) -> None:
    """Back on the visit is back for the rest of it: a guest who left at one stop and was marked
    present again (there or later) is expected at every stop after — the departure from the next
    stop said "all aboard" while they were not on the bus."""
    db = demo_db
    stops, buses = load_plan(db)
    set_plan(db, [*stops, Stop("档案室", "16:00", 30), Stop("座谈室", "16:40", 30)], buses)
    roll = RollCall(db, "1号车", "op", clock=clock)
    number, other = (n for n, _ in bus_loads(db)[0][0].riders[:2])
    clock.at("13:55")
    roll.mark_present("政务服务中心东门", "1号车", number)
    roll.mark_present("政务服务中心东门", "1号车", other)
    clock.at("14:30")
    roll.leave("办税服务厅", "1号车", number, "unwell")
    clock.at("14:40")
    assert roll.mark_present("办税服务厅", "1号车", number).outcome == "back"
    roll.mark_present("办税服务厅", "1号车", other)
    clock.at("16:05")
    roll.mark_present("档案室", "1号车", other)
    status = roll.status("档案室", "1号车")
    assert [r.number for r in status.missing] == [number] and status.left == []
    departure = roll.depart("档案室", "1号车")
    assert not departure.recorded and departure.status.departure_text() != tr("visit.all_aboard", n=1)
    # left again later: gone from there on, with that stop's reason
    roll.leave("档案室", "1号车", number, "went_home")
    clock.at("16:45")
    later = roll.status("座谈室", "1号车")
    assert number not in [r.number for r in later.missing + later.present]
    assert [(r.number, r.stop, r.reason) for r in later.left] == [(number, "档案室", "went_home")]
    # left at a stop, back at a later one: expected at the stops after that too
    roll.mark_present("座谈室", "1号车", number)
    assert number in [r.number for r in roll.status("座谈室", "1号车").present]


def test_a_bus_whose_roll_was_not_called_before_expects_all_its_riders(
    demo_db: Database, clock: ManualClock
) -> None:
    """A bus laptop first used at the second stop (its pack knows no door check-in and no roll
    call before): every rider is expected there — it expected nobody, and the departure said
    "all 0 aboard" while the bus had not been counted; nor does the first one marked there hide
    the others as never come."""
    db = demo_db
    assert db.execute("SELECT COUNT(*) FROM live_checkins").fetchone()[0] == 0
    one, two = ([n for n, _ in load.riders] for load in bus_loads(db)[0])
    roll = RollCall(db, "1号车", "op", clock=clock)
    clock.at("14:25")
    status = roll.status("办税服务厅", "1号车")
    assert status.expected == len(one) and [r.number for r in status.missing] == one
    assert not roll.depart("办税服务厅", "1号车").recorded
    assert roll.status("办税服务厅").expected == len(one) + len(two)
    roll.mark_present("办税服务厅", "1号车", one[1])
    clock.advance(60)
    roll.leave("办税服务厅", "1号车", one[1], "unwell")
    status = roll.status("办税服务厅", "1号车")
    assert status.expected == len(one) - 1 and [r.number for r in status.missing] == [one[0], *one[2:]]
    assert not roll.depart("办税服务厅", "1号车").recorded
    # once anyone of the bus is known to have come, a guest never seen is a no-show, not missing
    roll.mark_present("办税服务厅", "1号车", one[0])
    set_plan(db, [*load_plan(db)[0], Stop("档案室", "16:00", 30)], load_plan(db)[1])
    roll = RollCall(db, "1号车", "op", clock=clock)
    clock.at("16:00")
    assert roll.status("档案室", "1号车").expected == 1
    roll.mark_present("档案室", "2号车", two[0])
    assert roll.status("档案室", "2号车").expected == len(two)


@pytest.mark.parametrize(
    "agenda",
    ['[[event.agenda]]\nminutes = 10\n', '[[event.agenda]]\nitem = "签到"\nminutes = "十"\n',
     'agenda = ["签到"]\n', '[[event.agenda]]\nitem = "签到"\nminutes = -1\n'],
)  # fmt: skip
def test_an_agenda_item_without_its_words_or_minutes_is_refused_in_words(tmp_path: Path, agenda: str) -> None:
    """It ended init and itinerary load in a KeyError / ValueError / TypeError traceback."""
    path = tmp_path / "event.toml"
    path.write_text(f'[event]\ntitle = "T"\ndate = 2026-12-18\n{agenda}', encoding="utf-8")
    with pytest.raises(CheckinError) as caught:
        event_from_toml(path)
    assert caught.value.key == "visit.agenda_bad_item"


def test_loading_a_plan_never_drops_the_seats_or_the_roll_calls_by_mistake(
    demo_db: Database, tmp_path: Path, clock: ManualClock
) -> None:
    """A file without the itinerary emptied the plan and every seat ("0 stops, 0 buses"); a stop
    or a bus renamed after its roll was called lost its marks from the roll and the report, and
    made every bus laptop's bundle holding them refused at merge. Both refused, nothing changed."""
    db = demo_db
    stops, buses = load_plan(db)
    seated = db.execute("SELECT COUNT(*) FROM bus_riders").fetchone()[0]
    with pytest.raises(CheckinError) as caught:
        set_plan(db, [], [])
    assert caught.value.key == "visit.plan_empty"
    number = bus_loads(db)[0][0].riders[0][0]
    clock.at("13:55")
    RollCall(db, "1号车", "op", clock=clock).mark_present(stops[0].name, "1号车", number)
    renamed = Stop("东门", stops[0].arrive, stops[0].minutes)
    for new_stops, new_buses, key in (
        ([renamed, stops[1]], buses, "visit.called_stop_dropped"),
        (stops, [Bus("一号车", 20), buses[1]], "visit.called_bus_dropped"),
    ):
        with pytest.raises(CheckinError) as caught:
            set_plan(db, new_stops, new_buses)
        assert caught.value.key == key
    assert load_plan(db) == (stops, buses)
    assert db.execute("SELECT COUNT(*) FROM bus_riders").fetchone()[0] == seated
    # changing what was not called yet is fine
    set_plan(db, [stops[0], Stop("办税服务厅（一楼）", "14:20", 90)], buses)
    assert [s.name for s in load_plan(db)[0]] == [stops[0].name, "办税服务厅（一楼）"]


def test_the_report_counts_as_left_early_only_those_who_did_not_come_back(
    demo_db: Database, clock: ManualClock
) -> None:
    """A guest who felt unwell at the first stop and was marked present again at the next was
    counted in the report as having left early (中途离队1人（身体不适）)."""
    db = demo_db
    roll = RollCall(db, "office", "op", clock=clock)
    first, second = (n for n, _ in bus_loads(db)[0][0].riders[:2])
    clock.at("13:52")
    roll.mark_present("政务服务中心东门", None, first)
    roll.mark_present("政务服务中心东门", None, second)
    clock.at("13:55")
    roll.leave("政务服务中心东门", None, first, "unwell")
    clock.at("14:25")
    roll.mark_present("办税服务厅", None, first)
    roll.leave("办税服务厅", None, second, "went_home")
    summary = visit_summary(db)
    assert summary is not None
    assert [(r.number, r.reason, r.stop) for r in summary.left] == [(second, "went_home", "办税服务厅")]
    assert [c.left_here for c in summary.counts] == [1, 1]


def test_a_hidden_character_in_a_stop_name_is_shown_where_it_is() -> None:
    """A zero-width space pasted into 办税服务厅 was refused as \\u529e\\u7a0e… — the whole name
    escaped, unreadable; now only the hidden character is shown as a code."""
    with pytest.raises(CheckinError) as caught:
        plan_from_raw([{"name": "办税服务厅\u200b", "arrive": "14:20"}], [])
    assert caught.value.params["value"] == "办税服务厅\\u200b" and "办税服务厅" in caught.value.message()


def test_a_stop_a_door_pack_carries_keeps_its_name_while_the_pack_is_out(demo: Path, tmp_path: Path) -> None:
    """Renaming a stop after the bus packs were made (政务服务中心东门 → 东门集合) made every
    bundle of those buses refused whole at merge ("行程站点：不是允许的取值"): all their roll calls
    lost. Refused in words while a pack is out; times and new stops are fine; after revoking, allowed."""
    from checkin.pack import revoke_station, station_pack

    station_pack(demo, "1号车", tmp_path / "bus1.db")
    with open_db(demo) as db:
        stops, buses = load_plan(db)
        renamed = [Stop("东门集合", stops[0].arrive, stops[0].minutes), stops[1]]
        for new_stops, new_buses in ((renamed, buses), (stops, buses[:1])):
            with pytest.raises(CheckinError) as caught:
                set_plan(db, new_stops, new_buses)
            assert caught.value.key == "visit.plan_packed" and caught.value.params["stations"] == "1号车"
        assert load_plan(db) == (stops, buses)
        later = [Stop(stops[0].name, "14:00", 20), stops[1], Stop("档案室", "16:00", 30)]
        set_plan(db, later, [*buses, Bus("3号车", 10)])
        assert [s.arrive for s in load_plan(db)[0]] == ["14:00", "14:20", "16:00"]
        revoke_station(db, "1号车")
        set_plan(db, renamed, buses)
        assert load_plan(db)[0][0].name == "东门集合"


def test_changing_the_seating_after_packs_were_made_says_the_packs_keep_the_old_one(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bus laptops' packs carry the seating of when they were made: buses assign / buses set
    afterwards changed the office's file only, silently, and the leaders called the old lists."""
    from checkin.pack import station_pack

    assert cli_main(["--lang", "zh", "buses", "set", "--db", str(demo), "A001", "1号车"]) == 0
    assert "数据包" not in capsys.readouterr().err
    station_pack(demo, "2号车", tmp_path / "bus2.db")
    assert cli_main(["--lang", "zh", "buses", "assign", "--db", str(demo), "--by", "平均"]) == 0
    err = capsys.readouterr().err
    assert "2号车" in err and "不会带过去" in err
    assert cli_main(["buses", "set", "--db", str(demo), "A002", "1号车"]) == 0
    assert "carry the old seating" in capsys.readouterr().err


def test_a_bus_nobody_is_expected_on_does_not_say_all_aboard(demo_db: Database, clock: ManualClock) -> None:
    """A bus nobody rides (or whose riders all left): the departure check said "全部到齐：0人"."""
    db = demo_db
    set_plan(db, load_plan(db)[0], [*load_plan(db)[1], Bus("3号车", 10)])
    roll = RollCall(db, "3号车", "op", clock=clock)
    clock.at("13:55")
    status = roll.status("政务服务中心东门", "3号车")
    assert status.expected == 0
    assert status.departure_text() == tr("visit.nobody_expected") != tr("visit.all_aboard", n=0)


def test_the_whole_stop_is_every_bus_roll_added_up(demo_db: Database, clock: ManualClock) -> None:
    """Bus 1 called its roll at the first stop, bus 2's laptop only from the second: bus 2's
    leader expects all 15, but the whole stop (and the report) expected only bus 1's people."""
    db = demo_db
    one, two = ([n for n, _ in load.riders] for load in bus_loads(db)[0])
    roll = RollCall(db, "office", "op", clock=clock)
    clock.at("13:52")
    for number in one[:3]:
        roll.mark_present("政务服务中心东门", "1号车", number)
    clock.at("14:25")
    roll.mark_present("办税服务厅", "2号车", two[0])
    per_bus = [roll.status("办税服务厅", name) for name in ("1号车", "2号车")]
    assert [s.expected for s in per_bus] == [3, len(two)]
    whole = roll.status("办税服务厅")
    assert whole.expected == 3 + len(two) and len(whole.present) == 1
    summary = visit_summary(db)
    assert summary is not None and summary.counts[1].expected == 3 + len(two)


def test_loading_a_plan_with_fewer_seats_says_who_lost_a_seat(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Seats cut from 20 to 5 a bus: 22 guests lost their seats and itinerary load said only
    "行程已更新：2个站点，2辆车"."""
    source = (Path(__file__).parent.parent / "data" / "demo" / "event.toml").read_text(encoding="utf-8")
    path = tmp_path / "event.toml"
    path.write_text(source.replace("seats = 20", "seats = 5"), encoding="utf-8")
    assert cli_main(["--lang", "zh", "itinerary", "load", "--db", str(demo), "--from", str(path)]) == 0
    out = capsys.readouterr().out
    assert "有22位嘉宾因车辆删去或座位减少失去了座位" in out, out
    assert cli_main(["--lang", "zh", "itinerary", "load", "--db", str(demo), "--from", str(path)]) == 0
    assert "失去了座位" not in capsys.readouterr().out
