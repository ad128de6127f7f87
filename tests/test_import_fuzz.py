"""Hostile files at the import: random and damaged bytes under every name the import reads.
Each is either read or refused with a CheckinError (a message), never a traceback."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkin.errors import CheckinError
from checkin.sheets import read_bytes
from tests.data.make_corpus import LIBREOFFICE_DIR, label_form_docx

SUFFIXES = ["x.csv", "x.txt", "x.xlsx", "x.xls", "x.ods", "x.docx", "x.eml", "x"]


def _read_all(data: bytes, name: str) -> None:
    try:
        source = read_bytes(data, name)
        for table in source.tables:
            for _ in table.rows:
                pass
    except CheckinError as exc:
        assert exc.message()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048), st.sampled_from(SUFFIXES))
def test_random_bytes_are_read_or_refused(data: bytes, name: str) -> None:
    _read_all(data, name)


@pytest.fixture(scope="module")
def real_files(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, bytes]]:
    form = label_form_docx(tmp_path_factory.mktemp("f") / "活动报名+甲.docx", {"姓名": "甲"})
    files = [(p.name, p.read_bytes()) for p in LIBREOFFICE_DIR.iterdir()]
    return [*files, (form.name, form.read_bytes())]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_bit_flipped_and_truncated_real_files(
    real_files: list[tuple[str, bytes]], data: st.DataObject
) -> None:
    name, content = data.draw(st.sampled_from(real_files))
    cut = data.draw(st.integers(0, len(content)))
    flips = data.draw(st.lists(st.integers(0, len(content) - 1), max_size=8))
    damaged = bytearray(content[:cut] if data.draw(st.booleans()) else content)
    for at in flips:
        if at < len(damaged):
            damaged[at] ^= 0xFF
    _read_all(bytes(damaged), name)


def test_zip_bomb_form_is_refused_before_inflating() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", b"<" + b" " * (30 << 20))
    with pytest.raises(CheckinError) as info:
        read_bytes(out.getvalue(), "活动报名+甲.docx")
    assert info.value.key == "import.bad_docx"


def test_a_folder_with_only_noise_says_so(tmp_path: Path) -> None:
    from checkin.importer import import_file
    from checkin.storage import memory_db

    (tmp_path / "~$lock.docx").write_bytes(b"x")
    with pytest.raises(CheckinError) as info:
        import_file(memory_db(), tmp_path)
    assert info.value.key == "import.empty_folder"
