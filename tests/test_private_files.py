"""Every file written that holds names is owner-only (0600) on POSIX, and works on Windows.

The writers not covered elsewhere: the report (.docx and the .html page) and the demo's
sign-up sheet; exports, tokens.csv, invitations, notices, county outputs, packs, bundles and
the results file have their own tests (test_safe_text, test_invitations, test_notices,
test_county_plans, test_storage). Each writer here meets a umask that would give 0644, and a
file already there with 0644.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkin import textcheck
from checkin.demo import write_demo_csv
from checkin.exports import export_attendance
from checkin.report import write_report
from checkin.storage import open_db
from tests.helpers import FONT, simulate_day

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


@pytest.fixture
def loose_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix_only
@pytest.mark.parametrize("name", ["活动开展情况.docx", "活动开展情况.html"])
@pytest.mark.parametrize("already", [False, True])
def test_the_report_is_owner_only(
    demo: Path, tmp_path: Path, loose_umask: None, name: str, already: bool
) -> None:
    day = simulate_day(demo)
    out = tmp_path / name
    if already:
        out.write_bytes(b"old")
        out.chmod(0o644)
    with open_db(day) as db:
        path = write_report(db, out, font=FONT)
    assert mode(path) == 0o600
    assert path.stat().st_size > 100


@posix_only
def test_the_demo_sign_up_sheet_is_owner_only(tmp_path: Path, loose_umask: None) -> None:
    assert mode(write_demo_csv(tmp_path / "报名表.csv")) == 0o600


def test_exports_are_written_where_there_are_no_posix_modes(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Windows private_file changes nothing (the user's profile folder is already private):
    the export is written, no POSIX-only call is made."""

    def no_posix_calls(*args: object, **kwargs: object) -> None:
        raise AssertionError("a POSIX-only call on Windows")

    with monkeypatch.context() as patch:
        patch.setattr(textcheck, "POSIX_MODES", False)
        patch.setattr(textcheck.os, "chmod", no_posix_calls)
        with open_db(demo) as db:
            path, count = export_attendance(db, tmp_path / "签到表.xlsx")
    assert path.is_file() and count > 0


@posix_only
def test_a_file_system_without_modes_still_gets_the_export(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FAT USB stick on Linux refuses chmod (EPERM): the export is written all the same."""

    def refused(*args: object, **kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    with monkeypatch.context() as patch:
        patch.setattr(textcheck.os, "chmod", refused)
        with open_db(demo) as db:
            path, count = export_attendance(db, tmp_path / "签到表.csv")
    assert path.is_file() and count > 0
