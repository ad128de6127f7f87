"""The demo event: an invented open day with about 40 invented sign-ups.

Names, ID numbers and phones are made up (the ID numbers have valid check digits so that
they pass validation); the generator is seeded, so every demo is the same.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from checkin.errors import CheckinError
from checkin.event import create_event, event_from_toml
from checkin.idcard import make_id
from checkin.importer import ImportResult, import_rows
from checkin.itinerary import assign_buses
from checkin.paths import data_dir
from checkin.selection import SelectionResult, select
from checkin.storage import open_db, refuse_if_open_elsewhere
from checkin.textcheck import private_file

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾单解仇"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文斌婷晨宇浩然欣怡"
AREAS = ("320102", "320104", "320105", "320106", "320111", "320113", "320114", "320115")
DEMO_HEADER = ["姓名", "性别", "身份证号", "联系电话", "工作单位", "类别", "报名时间", "邀请方式"]
# (category label, how many, directly invited)
DEMO_MIX = [
    ("群众代表", 20, False),
    ("人大代表", 3, True),
    ("政协委员", 2, True),
    ("企业代表", 4, False),
    ("专家学者", 2, False),
    ("社区工作者", 2, False),
    ("退休干部", 2, False),
    ("政务公开义务监督员", 1, False),
    ("科技特派员", 1, False),
    ("媒体记者", 2, False),
    ("其他", 1, False),
]
ORGS = {
    "群众代表": ["个体经营户", "某小学教师", "外卖骑手", "居民", "大学生", "出租车司机"],
    "企业代表": ["示范科技有限公司", "永兴建材厂", "惠民超市"],
    "媒体记者": ["示范县融媒体中心", "金陵晚报"],
}


def demo_rows(seed: int = 2026) -> list[list[str]]:
    """The invented sign-up sheet, header first."""
    rng = random.Random(seed)
    rows: list[list[str]] = [DEMO_HEADER]
    start = dt.datetime(2026, 12, 1, 9, 0)
    used: set[str] = set()
    people: list[tuple[str, bool]] = []
    for label, count, direct in DEMO_MIX:
        people += [(label, direct)] * count
    rng.shuffle(people)
    for i, (label, direct) in enumerate(people):
        while True:
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))
            if name not in used:
                used.add(name)
                break
        gender_digit = rng.randrange(10)
        birth = dt.date(rng.randint(1958, 2004), rng.randint(1, 12), rng.randint(1, 28))
        first17 = f"{rng.choice(AREAS)}{birth:%Y%m%d}{rng.randint(0, 99):02d}{gender_digit}"
        id_number = make_id(first17)
        phone = f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
        at = start + dt.timedelta(minutes=37 * i + rng.randint(0, 30))
        org = rng.choice(ORGS.get(label, ["示范县" + label.replace("代表", "")]))
        rows.append(
            [
                name,
                "男" if gender_digit % 2 else "女",
                id_number,
                phone,
                org,
                label,
                at.strftime("%Y-%m-%d %H:%M"),
                "定向邀请" if direct else "报名",
            ]
        )
    return rows


def write_demo_csv(path: str | Path, encoding: str = "utf-8-sig") -> Path:
    path = Path(path)
    private_file(path)  # a sign-up sheet: names and ID numbers (invented ones, kept like real ones)
    with path.open("w", newline="", encoding=encoding) as fh:
        csv.writer(fh).writerows(demo_rows())
    return path


def _may_replace(path: Path) -> None:
    """Only the demo's own file is deleted, and only when no program has it open: a real
    event file (or any other file) given by mistake is refused, and a desk still scanning on
    the demo file keeps its admissions."""
    with open_db(path) as db:  # a file that is not an event file is refused here, never deleted
        from_demo = db.execute("SELECT count(*) FROM people WHERE source = 'demo'").fetchone()[0]
    if not from_demo:
        raise CheckinError("cli.demo.not_demo", path=str(path))
    refuse_if_open_elsewhere(path)


def build_demo(path: str | Path) -> tuple[Database, ImportResult, SelectionResult]:
    """Create (or re-create) the demo event file, import the sign-ups and select."""
    path = Path(path)
    if path.exists():
        _may_replace(path)
    for suffix in ("", "-wal", "-shm"):
        try:
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        except OSError as exc:  # Windows: still open somewhere; a read-only folder
            why = exc.strerror or str(exc)
            raise CheckinError("cli.demo.cannot_delete", path=str(path), error=why) from exc
    db = open_db(path, create=True)
    event, pin = event_from_toml(data_dir() / "demo" / "event.toml")
    create_event(db, event, supervisor_pin=pin)
    rows = demo_rows()
    columns = {field: i for i, field in enumerate(
        ["name", "gender", "id_number", "phone", "organization", "category", "signed_up_at",
         "invitation"]
    )}  # fmt: skip
    body: list[tuple[int, list[Any]]] = [(i, list(r)) for i, r in enumerate(rows[1:], start=2)]
    imported = import_rows(db, body, columns, source="demo")
    selection = select(db)
    assign_buses(db, "category")  # the site visit: every guest has a seat on a bus
    return db, imported, selection
