"""What every command does first: find Odoo, install missing system packages,
build .venv."""

import subprocess

from . import system, venv
from .common import UserError
from .odoo_src import resolve_odoo
from .postgres import wants_external


def prepare(command, external_db=False, odoo_tests=True):
    """(odoo, python): Odoo found, the system packages there, .venv fresh."""
    odoo = resolve_odoo()
    facts = None
    if not venv.is_fresh(odoo):
        try:
            facts = system.python_facts(venv.find_base_python())
        except (subprocess.CalledProcessError, OSError, ValueError) as exc:
            raise UserError(f"cannot run the Python for .venv: {exc}") from None
    needs = system.needs_for(
        command,
        facts,
        venv_exists=venv.venv_python().exists(),
        external_db=wants_external(external_db),
        odoo=odoo_tests,
    )
    system.ensure(needs, f"make {command}")
    return odoo, venv.ensure_venv(odoo)
