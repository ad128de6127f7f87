"""Where the shipped data files (demo event, profiles, templates, translations) live."""

from __future__ import annotations

from pathlib import Path


def data_dir() -> Path:
    """The `data/` folder: inside the wheel as `checkin/data`, beside the package in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "data", here.parent / "data"):
        if (candidate / "i18n").is_dir():
            return candidate
    raise FileNotFoundError("shipped data folder not found (checkin/data or ./data)")
