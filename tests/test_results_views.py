"""The results file's Chinese views read as a person reads them in Datasette (issue 18).

Shares and rates are percentages (57.1%, not 0.5714285714285714), times have no ISO "T", and
the website posting recorded with `event posted` has a view in words (公开情况) like every
other table — no `announced`/`posted` codes for people to decode.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from checkin.cli import main as cli_main
from checkin.door import Door
from checkin.storage import open_db
from checkin.survey import add_entry, allocate_forms, event_template


def test_the_views_show_percentages_times_and_the_posting_in_words(demo: Path, tmp_path: Path) -> None:
    db = open_db(demo)
    db.execute("UPDATE event SET checks = 'none'")
    invited = [r[0] for r in db.execute("SELECT number FROM people WHERE status = 'invited' ORDER BY seq")]
    door = Door(db, "东门", "小王")
    for number in invited[:3]:
        assert door.judge(number).admitted
    forms = allocate_forms(db, 3)
    width = len(event_template(db).items)
    add_entry(db, forms[0], [1] * width)
    add_entry(db, forms[1], [1] * (width - 1) + [3])
    db.conn.close()
    assert (
        cli_main(
            ["event", "posted", "--db", str(demo), "--on", "2026-12-21", "--url", "http://gov.example/kfr/1"]
        )
        == 0
    )
    out = tmp_path / "results.sqlite"
    assert cli_main(["export", "results", "--db", str(demo), "--out", str(out)]) == 0
    conn = sqlite3.connect(out)
    try:
        info = conn.execute("SELECT 问卷回收率, 总体满意率, 导出时间 FROM 活动信息").fetchone()
        rates = [r[0] for r in conn.execute("SELECT 满意率 FROM 满意度")]
        posted = conn.execute("SELECT 事项, 日期, 网址 FROM 公开情况").fetchall()
    finally:
        conn.close()
    assert info[0] == "66.7%" and info[1] == "50.0%", info  # 2 forms of 3 guests; 1 of 2 overall
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", info[2]), info[2]
    assert rates and all(re.fullmatch(r"\d+\.\d%", r) for r in rates), rates
    assert posted == [("网站“政府开放日”栏目展示", "2026-12-21", "http://gov.example/kfr/1")]
