"""`lint`: the pre-commit hooks (ruff, pylint-odoo, prettier, hygiene)."""

import subprocess

from .common import ROOT, UserError, say
from .prepare import prepare


def cmd_lint(args):
    _odoo, python = prepare("lint")
    cmd = [str(python), "-m", "pre_commit", "run", "--show-diff-on-failure"]
    cmd += ["--color", "never"]
    cmd += args.files and ["--files", *args.files] or ["--all-files"]
    proc = subprocess.run(cmd, cwd=ROOT)
    if proc.returncode:
        raise UserError(
            "lint found problems (see above; most were fixed in place, re-run)"
        )
    say("lint passed")
    return 0
