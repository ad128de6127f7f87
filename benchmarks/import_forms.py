"""Import a folder of 1,000 e-mailed .docx registration forms (活动报名+姓名.docx).

Baseline, same run: python-docx opening the same 1,000 files and reading their table cells,
the floor for any import that reads them with python-docx.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import tempfile
import zipfile
from pathlib import Path

from benchmarks.common import emit, timed
from checkin.event import Event, create_event
from checkin.idcard import make_id
from checkin.importer import import_file
from checkin.storage import open_db


def _template() -> bytes:
    from docx import Document

    document = Document()
    document.add_heading("政府开放日报名表", level=1)
    document.add_paragraph("填好后请发送至 kaifangri@example.gov.cn，文件请命名为“活动报名+姓名”。")
    rows = [
        ["姓名", "NAMEXX", "性别", "男"],
        ["证件类型", "居民身份证", "证件号码", "IDNUMBERXXXXXXXXXX"],
        ["联系电话", "PHONEXXXXXX", "电子邮箱", ""],
        ["工作单位及职务", "某单位 职员", "人员类别", "群众代表"],
    ]
    table = document.add_table(rows=len(rows), cols=4)
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_forms(folder: Path, count: int) -> list[Path]:
    """`count` filled-in forms: the template's document.xml with each person's values put in."""
    template = _template()
    with zipfile.ZipFile(io.BytesIO(template)) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    body = parts["word/document.xml"].decode("utf-8")
    paths = []
    for n in range(count):
        name = f"报名{n:04d}"
        number = make_id(f"320102{dt.date(1960, 1, 1) + dt.timedelta(days=n * 7):%Y%m%d}{n % 1000:03d}")
        xml = body.replace("NAMEXX", name).replace("IDNUMBERXXXXXXXXXX", number)
        xml = xml.replace("PHONEXXXXXX", f"139{n:08d}")
        path = folder / f"活动报名+{name}.docx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
            for part, data in parts.items():
                package.writestr(part, xml.encode("utf-8") if part == "word/document.xml" else data)
        paths.append(path)
    return paths


def main(count: int = 1000) -> None:
    from docx import Document

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "forms"
        folder.mkdir()
        paths = make_forms(folder, count)

        def bare_read() -> int:
            cells = 0
            for path in paths:
                for table in Document(str(path)).tables:
                    cells += sum(len(row.cells) for row in table.rows)
            return cells

        baseline, _ = timed(bare_read)
        db = open_db(Path(tmp) / "event.db", create=True)
        create_event(db, Event(title="bench", date=dt.date(2026, 12, 18)))
        seconds, result = timed(lambda: import_file(db, folder))
        assert result.imported == count, (result.imported, result.rejected[:3])
        emit(
            f"import: folder of {count:,} .docx forms",
            seconds,
            "s",
            "≤ 20 s",
            baseline,
            f"{count / seconds:,.0f} forms/s",
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
