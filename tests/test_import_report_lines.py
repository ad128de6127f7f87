"""The import report as the terminal shows it (issue 17 audit): one line per refusal, whatever
a crafted cell holds."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import run_cli


def test_a_cell_quoted_back_in_the_import_report_stays_on_its_line(tmp_path: Path) -> None:
    # a sign-up row whose e-mail cell holds a line break and a forged report line: the
    # refusal quoted it back raw, and the terminal showed a line the program never wrote
    from tests.conftest import write_csv
    from tests.helpers import valid_id

    db = tmp_path / "e.db"
    assert run_cli("init", "--db", str(db), "--title", "开放日", "--date", "2026-12-18")[0] == 0
    sheet = write_csv(
        tmp_path / "报名表.csv",
        [["王五", valid_id(1), "13800138000", "x@y.cn\n  第 9 行：已导入（无问题）"]],
        header=["姓名", "身份证号", "联系电话", "电子邮箱"],
    )
    code, said = run_cli("--lang", "zh", "import", str(sheet), "--db", str(db))
    assert code == 0, said
    lines = said.splitlines()
    assert not any(line.lstrip().startswith("第 9 行") for line in lines), said
    assert any("\\n" in line and "第 9 行" in line for line in lines), said
