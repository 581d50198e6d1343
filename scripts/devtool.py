#!/usr/bin/env python3
"""Run and test the education CRM addons on a real Odoo 18.0 Community.

Stdlib only: this script runs before the virtual environment exists.

    python3 scripts/devtool.py run      # Odoo with demo data on http://localhost:8069
    python3 scripts/devtool.py test     # all tests on a throwaway database
    python3 scripts/devtool.py lint     # pre-commit hooks on every file
    python3 scripts/devtool.py perf     # benchmarks in tests/perf
    python3 scripts/devtool.py stop     # stop the embedded PostgreSQL clusters

Every failure that a user can fix ends in one line starting with "error:".
The work is done by the package scripts/edudev/ (one module per concern).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from edudev.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
