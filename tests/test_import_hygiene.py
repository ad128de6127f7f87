"""Every core module imports in a fresh interpreter without loading Textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE_MODULES = sorted(
    "checkin." + p.stem if p.stem != "__init__" else "checkin" for p in (ROOT / "checkin").glob("*.py")
)


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_load_textual(module: str) -> None:
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "bad = [m for m in sys.modules "
        "if m == 'textual' or m.startswith(('textual.', 'screens'))]; "
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, f"{module} loaded {result.stdout.strip()} {result.stderr[-500:]}"


def test_the_list_of_core_modules_is_not_empty() -> None:
    assert "checkin.importer" in CORE_MODULES and "checkin.selection" in CORE_MODULES
