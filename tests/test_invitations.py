"""Issuing, revoking, rotating, printing invitations and packing for a door laptop."""

from __future__ import annotations

import csv
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlite_utils import Database

from checkin import fonts
from checkin.cli import main as cli_main
from checkin.demo import build_demo
from checkin.errors import CheckinError
from checkin.i18n import set_language
from checkin.invitations import render_invitations
from checkin.keys import Verifier, create_signing_key, issue_token, reissue
from checkin.pack import station_pack
from checkin.selection import confirm
from checkin.storage import open_db
from checkin.tokens import TOKEN_CHARS
from checkin.vocab import Reason
from tests.helpers import FONT, invited


@pytest.fixture
def demo_db(demo: Path) -> Iterator[Database]:
    with open_db(demo) as database:
        yield database


def test_issued_token_verifies_to_its_person(demo_db: Database) -> None:
    number = invited(demo_db)
    issued = issue_token(demo_db, number)
    assert Verifier(demo_db).verify(issued.token).number == number
    assert issue_token(demo_db, number).token == issued.token  # stable until reissued


def test_reissue_revokes_the_old_token(demo_db: Database) -> None:
    number = invited(demo_db)
    old = issue_token(demo_db, number).token
    new = reissue(demo_db, number).token
    verifier = Verifier(demo_db)
    assert verifier.verify(new).number == number
    refused = verifier.verify(old)
    assert not refused.ok and refused.number is None
    assert refused.reason == Reason.REVOKED


def test_declining_revokes_the_token(demo_db: Database) -> None:
    number = invited(demo_db)
    token = issue_token(demo_db, number).token
    confirm(demo_db, number, "declined")
    assert Verifier(demo_db).verify(token).reason == Reason.REVOKED


def test_rotated_keys_keep_old_invitations_valid(demo_db: Database) -> None:
    a, b = (
        r[0]
        for r in demo_db.execute(
            "SELECT number FROM people WHERE status = 'invited' ORDER BY queue_pos LIMIT 2"
        )
    )
    old = issue_token(demo_db, a).token
    create_signing_key(demo_db)
    new = issue_token(demo_db, b).token
    assert old[:6] != new[:6]  # another key id in the header
    verifier = Verifier(demo_db)
    assert verifier.verify(old).number == a
    assert verifier.verify(new).number == b


def test_token_of_another_event_is_refused(demo_db: Database, tmp_path: Path) -> None:
    other_db, _, _ = build_demo(tmp_path / "other.db")
    token = issue_token(other_db, invited(other_db)).token
    assert Verifier(demo_db).verify(token).reason == Reason.OTHER_EVENT


def test_a_refusal_is_returned_not_raised(demo_db: Database) -> None:
    number = invited(demo_db)
    token = issue_token(demo_db, number).token
    verifier = Verifier(demo_db)
    # the last character changes the signature's low bits only when it stays canonical
    forged = token[:40] + ("B" if token[40] != "B" else "C") + token[41:]
    assert verifier.verify(forged).reason == Reason.FORGED
    assert verifier.verify("A" * TOKEN_CHARS).reason == Reason.NOT_TOKEN
    demo_db.execute("DELETE FROM people WHERE number = ?", [number])
    assert verifier.verify(token).reason == Reason.UNKNOWN_PERSON
    assert verifier.verify(token).claims is None


def test_waiting_people_get_no_invitation(demo_db: Database) -> None:
    waiting = demo_db.execute("SELECT number FROM people WHERE status = 'waiting' LIMIT 1").fetchone()[0]
    with pytest.raises(CheckinError) as info:
        issue_token(demo_db, waiting)
    assert info.value.key == "invites.not_invited"


def test_pack_holds_no_private_key_and_cannot_issue(demo: Path, tmp_path: Path) -> None:
    db = open_db(demo)
    number = invited(db)
    token = issue_token(db, number).token
    private_keys = [bytes(r[0]) for r in db.execute("SELECT private_key FROM signing_keys")]
    db.conn.close()
    pack = station_pack(demo, "东门", tmp_path / "east.db")
    data = pack.read_bytes()
    for key in private_keys:
        assert len(key) == 32
        assert key not in data and key.hex().encode() not in data
    station = open_db(pack)
    assert Verifier(station).verify(token).number == number
    for action in (
        lambda: issue_token(station, number),
        lambda: reissue(station, number),
        lambda: create_signing_key(station),
    ):
        with pytest.raises(CheckinError) as info:
            action()
        assert info.value.key == "keys.station_pack"
        assert "东门" in info.value.message()
    with pytest.raises(CheckinError):
        station_pack(pack, "again", tmp_path / "again.db")
    with pytest.raises(CheckinError) as info:
        station_pack(demo, "东门", pack)
    assert info.value.key == "pack.exists"


@pytest.mark.parametrize(("per_page", "pages"), [(1, 32), (4, 8)])
def test_pdf_has_a_page_per_invitee_or_per_four_and_names(
    demo: Path, tmp_path: Path, per_page: int, pages: int
) -> None:
    db = open_db(demo)
    run = render_invitations(db, tmp_path / "out", per_page=per_page, font=FONT)
    assert run.count == 32
    reader = PdfReader(run.pdf)
    assert len(reader.pages) == pages
    # pypdf reads fpdf2's CID text with a NUL before each character
    text = "".join(page.extract_text() for page in reader.pages).replace("\x00", "")
    names = [r[0] for r in db.execute("SELECT name FROM people WHERE status = 'invited'")]
    for name in names:
        assert name in text
    assert len(list((tmp_path / "out" / "qr").glob("*.png"))) == 32


def test_tokens_csv_masks_phones_and_tokens_verify(demo: Path, tmp_path: Path) -> None:
    db = open_db(demo)
    number = invited(db)
    set_language("zh")
    run = render_invitations(db, tmp_path / "out", only=[number.lower()], font=FONT)
    with run.tokens_csv.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    # headers in words, in the user's language (a18: they were number,name,phone,token)
    assert list(rows[0]) == ["编号", "姓名", "手机号（已遮盖）", "二维码内容"]
    assert len(rows) == 1 and rows[0]["编号"] == number
    assert "****" in rows[0]["手机号（已遮盖）"] and len(rows[0]["手机号（已遮盖）"]) == 11
    assert Verifier(db).verify(rows[0]["二维码内容"]).number == number
    phone = db.execute("SELECT phone FROM people WHERE number = ?", [number]).fetchone()[0]
    assert phone not in run.tokens_csv.read_text(encoding="utf-8-sig")


def test_no_chinese_font_stops_with_install_hint(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fonts, "CANDIDATES", [])
    monkeypatch.setattr(fonts, "_fc_match", lambda: [])
    monkeypatch.delenv("CHECKIN_FONT", raising=False)
    with pytest.raises(CheckinError) as info:
        render_invitations(open_db(demo), tmp_path / "out")
    assert info.value.key == "fonts.none"
    assert "--font" in info.value.message()
    assert not (tmp_path / "out" / "invitations.pdf").exists()


def test_a_latin_only_font_is_refused(tmp_path: Path) -> None:
    latin = tmp_path / "latin.ttf"
    latin.write_bytes(b"not a font")
    with pytest.raises(CheckinError) as info:
        fonts.find_cjk_font(latin)
    assert info.value.key == "fonts.not_chinese"


def test_cli_invites_reissue_keys_and_pack(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        cli_main(
            [
                "invites",
                "--db",
                str(demo),
                "--out",
                str(tmp_path / "inv"),
                "--font",
                str(FONT),
                "--per-page",
                "4",
            ]
        )
        == 0
    )
    assert "32" in capsys.readouterr().out
    number = invited(open_db(demo))
    assert cli_main(["invites", "reissue", number, "--db", str(demo), "--json"]) == 0
    assert '"counter": 2' in capsys.readouterr().out
    assert cli_main(["keys", "rotate", "--db", str(demo)]) == 0
    assert cli_main(["keys", "list", "--db", str(demo), "--json"]) == 0
    assert capsys.readouterr().out.count('"key_id"') == 2
    pack = tmp_path / "door.db"
    assert cli_main(["station", "pack", "--db", str(demo), "--station", "East", "--out", str(pack)]) == 0
    capsys.readouterr()
    assert cli_main(["invites", "reissue", number, "--db", str(pack)]) == 2
    assert "cannot issue" in capsys.readouterr().err
    conn = sqlite3.connect(pack)
    assert conn.execute("SELECT COUNT(*) FROM signing_keys WHERE private_key IS NOT NULL").fetchone()[0] == 0


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_invitation_pdf_and_qr_images_are_owner_only(demo: Path, tmp_path: Path) -> None:
    """They carry names and working admission codes, like tokens.csv: 0600, whatever the umask."""
    db = open_db(demo)
    number = invited(db)
    run = render_invitations(db, tmp_path / "out", only=[number], font=FONT)
    files = [run.pdf, *sorted((tmp_path / "out" / "qr").glob("*.png"))]
    assert len(files) == 2
    assert {oct(stat.S_IMODE(f.stat().st_mode)) for f in files} == {"0o600"}
