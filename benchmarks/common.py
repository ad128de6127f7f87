"""Helpers shared by the benchmarks: timing, peak memory, result rows, synthetic sign-ups."""

from __future__ import annotations

import csv
import datetime as dt
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checkin.idcard import make_id


def peak_rss_mb() -> float:
    """Peak resident memory of this process (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def emit(
    name: str, value: float, unit: str, target: str, baseline: float | None = None, note: str = ""
) -> None:
    """One result row as a JSON line; the runner collects them into the table."""
    row = {
        "name": name,
        "value": value,
        "unit": unit,
        "target": target,
        "baseline": baseline,
        "note": note,
    }
    print(json.dumps(row, ensure_ascii=False), flush=True)


def signup_csv(path: Path, rows: int) -> Path:
    """`rows` invented sign-ups with valid, distinct ID numbers, written as GB18030 like Excel."""
    start = dt.date(1960, 1, 1)
    with path.open("w", newline="", encoding="gb18030") as fh:
        writer = csv.writer(fh)
        writer.writerow(["姓名", "性别", "身份证号", "联系电话", "工作单位", "类别", "报名时间"])
        for i in range(rows):
            birth = start + dt.timedelta(days=i % 14000)
            serial = i // 14000
            number = make_id(f"320102{birth:%Y%m%d}{serial:03d}")
            at = dt.datetime(2026, 12, 1) + dt.timedelta(seconds=i * 5)
            category = "群众代表" if i % 3 else "企业代表"
            writer.writerow(
                [
                    f"测试{i}",
                    "男",
                    number,
                    f"138{i:08d}",
                    "某单位",
                    category,
                    f"{at:%Y-%m-%d %H:%M}",
                ]
            )
    return path
