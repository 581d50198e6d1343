"""The project's .venv: Odoo's requirements (less python-ldap) and ours.

It is rebuilt only when one of the requirement files or the Python changes
(a stamp in .venv/.edu-stamp).
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

from .common import ROOT, VENV, UserError, say

# Odoo's requirements.txt lists python-ldap for auth_ldap, which our addons do not
# use; it builds from source against libldap2-dev and libsasl2-dev.
EXCLUDED_REQUIREMENTS = ("python-ldap",)
STAMP_FILE = VENV / ".edu-stamp"


def find_base_python():
    """A Python 3.10-3.12 to create .venv with (this one when it fits)."""
    if (3, 10) <= sys.version_info[:2] <= (3, 12):
        return sys.executable
    for name in ("python3.11", "python3.12", "python3.10"):
        path = shutil.which(name)
        if path:
            return path
    raise UserError(
        "Python 3.10-3.12 is needed (Odoo 18.0 supports these); 3.11 is best"
    )


def _req_name(line):
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    return match and re.sub(r"[-_.]+", "-", match.group(1)).lower()


def odoo_requirements_text(odoo):
    """Odoo's requirements.txt without EXCLUDED_REQUIREMENTS ('' when none)."""
    if not odoo.requirements:
        return ""
    lines = odoo.requirements.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if _req_name(line) not in EXCLUDED_REQUIREMENTS]
    return "\n".join(kept) + "\n"


def _venv_stamp(odoo):
    digest = hashlib.sha256()
    digest.update(odoo_requirements_text(odoo).encode())
    digest.update((ROOT / "requirements.txt").read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def venv_python():
    return VENV / "bin" / "python"


def is_fresh(odoo):
    """True when .venv exists and was built from the current requirements."""
    return (
        venv_python().exists()
        and STAMP_FILE.exists()
        and STAMP_FILE.read_text() == _venv_stamp(odoo)
    )


def ensure_venv(odoo):
    """.venv's python, (re)building the environment when it is not fresh."""
    python = venv_python()
    if is_fresh(odoo):
        return python
    say("creating .venv and installing Odoo's requirements (minutes, first time only)")
    if not python.exists():
        subprocess.run([find_base_python(), "-m", "venv", str(VENV)], check=True)
    pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
    _pip(pip + ["install", "-q", "-U", "pip"])
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as constraint:
        # cbor2==5.4.2 (Odoo's pin) imports pkg_resources in setup.py.
        constraint.write("setuptools<81\n")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as odoo_reqs:
        odoo_reqs.write(odoo_requirements_text(odoo))
    reqs = ["-r", odoo_reqs.name, "-r", str(ROOT / "requirements.txt")]
    try:
        _pip(pip + ["install", "-q", "--build-constraint", constraint.name] + reqs)
    finally:
        os.unlink(constraint.name)
        os.unlink(odoo_reqs.name)
    STAMP_FILE.write_text(_venv_stamp(odoo))
    return python


def _pip(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        out = proc.stderr + proc.stdout
        hint = ""
        if "pg_config" in out:
            hint = " (psycopg2 needs: apt-get install libpq-dev)"
        elif "Python.h" in out:
            hint = (
                " (C extensions need the Python headers: apt-get install python3-dev)"
            )
        raise UserError(f"pip failed: {' '.join(cmd[3:6])} ...{hint}")
