"""The Debian/Ubuntu packages each command needs, installed with apt-get as root.

Each need is a package name, why it is needed and a probe of the thing itself (a
command, a header, a font), so a machine that has it some other way (PostgreSQL built
from source, a pyenv Python) is left alone. When something is missing: as root the
packages are installed (and named); otherwise the one command to run is printed and
the tool stops. EDU_SKIP_SYSTEM_PACKAGES=1 skips the check.
"""

import json
import os
import shlex
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .common import UserError, say

BROWSERS = ("google-chrome", "chromium", "chromium-browser", "google-chrome-stable")
FONT_DIRS = (Path("/usr/share/fonts"),)


@dataclass(frozen=True)
class Need:
    """A system package, why it is needed, and a probe for what it provides."""

    package: str
    why: str
    present: Callable[[], bool]


@dataclass(frozen=True)
class PythonFacts:
    """What the Python that creates .venv brings (version "3.11", venv, headers)."""

    version: str
    ensurepip: bool
    headers: bool


_FACTS_CODE = (
    "import importlib.util as u, json, os, sys, sysconfig;"
    "print(json.dumps({'version': '%d.%d' % sys.version_info[:2],"
    " 'ensurepip': u.find_spec('ensurepip') is not None,"
    " 'headers': os.path.exists(os.path.join("
    "sysconfig.get_paths()['include'], 'Python.h'))}))"
)


def python_facts(python):
    out = subprocess.run(
        [str(python), "-c", _FACTS_CODE],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return PythonFacts(**json.loads(out.strip().splitlines()[-1]))


def _command(*names):
    return lambda: any(shutil.which(name) for name in names)


def _exists(path):
    return lambda: Path(path).exists()


def _font(name):
    def probe():
        return any(next(d.rglob(name), None) for d in FONT_DIRS if d.is_dir())

    return probe


def distro():
    """'ubuntu', 'debian' or '' (from /etc/os-release)."""
    try:
        text = Path("/etc/os-release").read_text(encoding="utf-8")
    except OSError:
        return ""
    ids = {}
    for line in text.splitlines():
        key, _, value = line.partition("=")
        ids[key] = value.strip().strip('"')
    names = [ids.get("ID", ""), *ids.get("ID_LIKE", "").split()]
    return next((n for n in names if n in ("ubuntu", "debian")), "")


def build_needs(facts, venv_exists):
    """What pip needs to build .venv (psycopg2, cbor2, rjsmin compile from source)."""
    needs = []
    if not venv_exists:
        needs.append(
            Need(
                f"python{facts.version}-venv", "creates .venv", lambda: facts.ensurepip
            )
        )
    return needs + [
        Need(
            f"python{facts.version}-dev",
            "Python headers for C extensions (psycopg2)",
            lambda: facts.headers,
        ),
        Need("gcc", "C compiler for psycopg2, cbor2, rjsmin", _command("gcc", "cc")),
        Need("libc6-dev", "C library headers", _exists("/usr/include/stdio.h")),
        Need(
            "libpq-dev", "PostgreSQL client headers for psycopg2", _command("pg_config")
        ),
    ]


def server_needs(external_db):
    if external_db:
        return [Need("postgresql-client", "psql, dropdb", _command("psql"))]
    from .postgres import find_pg_bindir  # noqa: PLC0415 (postgres imports common)

    return [
        Need(
            "postgresql",
            "PostgreSQL server (initdb, pg_ctl) for the embedded cluster",
            lambda: find_pg_bindir(required=False) is not None,
        )
    ]


def pdf_needs():
    return [
        Need(
            "wkhtmltopdf", "PDF reports (invoices, documents)", _command("wkhtmltopdf")
        ),
        Need("fonts-dejavu-core", "fonts for PDF reports", _font("DejaVuSans.ttf")),
    ]


def browser_needs():
    # Ubuntu ships Chromium as a snap behind the chromium-browser package.
    package = "chromium-browser" if distro() == "ubuntu" else "chromium"
    return [Need(package, "headless browser for Odoo's tours", _command(*BROWSERS))]


def lint_needs():
    return [
        Need("nodejs", "prettier (pre-commit)", _command("node")),
        Need("npm", "prettier's plugins (pre-commit)", _command("npm")),
    ]


def needs_for(command, facts=None, venv_exists=False, external_db=False, odoo=True):
    """The needs of ``command`` (run, test, perf, lint). ``facts``: the Python that
    builds .venv when it is to be (re)built, else None; ``odoo`` False for a test
    run of pytest alone."""
    needs = build_needs(facts, venv_exists) if facts else []
    if command == "lint":
        return needs + lint_needs()
    if command == "test" and not odoo:
        return needs
    needs += server_needs(external_db)
    if command in ("run", "test"):
        needs += pdf_needs()
    if command == "test":
        needs += browser_needs()
    return needs


def install_command(packages):
    """The one command a user without root runs."""
    apt = "apt-get install -y --no-install-recommends " + " ".join(packages)
    return f"sudo sh -c {shlex.quote('apt-get update && ' + apt)}"


def missing(needs):
    return [need for need in needs if not need.present()]


def ensure(needs, what):
    """Install (as root) or ask for the packages of ``needs`` that are missing.

    Returns the packages installed. ``what`` names the command for the messages."""
    if os.environ.get("EDU_SKIP_SYSTEM_PACKAGES"):
        return []
    lacking = missing(needs)
    if not lacking:
        return []
    packages = list(dict.fromkeys(need.package for need in lacking))
    say(f"{what} needs system packages that are missing:")
    for need in lacking:
        say(f"  {need.package:<20} {need.why}")
    if not shutil.which("apt-get"):
        raise UserError(
            "no apt-get on this machine: install the equivalents of "
            f"{' '.join(packages)} (Debian/Ubuntu names) with your package manager"
        )
    if os.geteuid() != 0:
        print(f"\n    {install_command(packages)}\n", flush=True)
        raise UserError(
            f"missing system packages: {' '.join(packages)}; install them with the "
            f"command above (as root), then run {what} again"
        )
    _apt_install(packages)
    still = missing(lacking)
    if still:
        raise UserError(
            "installed "
            + " ".join(packages)
            + " but still missing: "
            + "; ".join(f"{n.package} ({n.why})" for n in still)
        )
    return packages


def _apt_install(packages):
    say(f"installing with apt-get: {' '.join(packages)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    steps = (
        ["apt-get", "update", "-qq"],  # a fresh machine or image has no lists yet
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
    )
    for cmd in steps:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if not proc.returncode:
            continue
        tail = " | ".join((proc.stdout + proc.stderr).strip().splitlines()[-5:])
        if cmd[1] == "update":  # a stale or unreachable list: the install may still do
            say(f"apt-get update failed (exit {proc.returncode}): {tail}")
            continue
        raise UserError(f"apt-get install failed (exit {proc.returncode}): {tail}")
