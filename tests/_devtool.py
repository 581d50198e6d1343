"""Import the dev tool's package (scripts/edudev) for the tests."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))

from edudev import (  # noqa: E402
    common,
    mailsink,
    odoo_src,
    postgres,
    prepare,
    system,
    testrun,
    venv,
)

__all__ = [
    "ROOT",
    "common",
    "odoo_src",
    "mailsink",
    "postgres",
    "prepare",
    "system",
    "testrun",
    "venv",
]
