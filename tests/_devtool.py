"""Import scripts/devtool.py as a module for the tests."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "devtool", ROOT / "scripts" / "devtool.py"
)
devtool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(devtool)
