"""Where Odoo 18.0 lives and how to run it.

Three layouts: Odoo's nightly tarball (everything under odoo/addons, no odoo-bin),
a git checkout (odoo-bin plus addons/), or an importable ``odoo`` package (as in the
official Docker image). When ODOO_SRC holds none, a shallow clone is tried.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .common import ADDONS_DIR, ODOO_GIT_URL, VENV, UserError, say


class OdooSource:
    """Where Odoo lives: 'nightly' (everything under odoo/addons), 'git'
    (odoo-bin + addons/) or 'package' (an importable odoo package)."""

    def __init__(self, layout, root, addons_paths, pythonpath):
        self.layout = layout
        self.root = root
        self.addons_paths = addons_paths
        self.pythonpath = pythonpath

    @property
    def requirements(self):
        if self.root and (self.root / "requirements.txt").is_file():
            return self.root / "requirements.txt"
        return None


def _release_version(release_py):
    text = release_py.read_text(encoding="utf-8")
    match = re.search(r"^version_info\s*=\s*\((\d+),\s*(\d+)", text, re.M)
    if not match:
        raise UserError(f"cannot read Odoo's version from {release_py}")
    return int(match.group(1)), int(match.group(2))


def detect_odoo_source(src):
    """Return an OdooSource for directory ``src`` or None when it holds no Odoo."""
    src = Path(src)
    release = src / "odoo" / "release.py"
    if not release.is_file():
        return None
    version = _release_version(release)
    if version != (18, 0):
        raise UserError(
            f"ODOO_SRC={src} holds Odoo {version[0]}.{version[1]}, "
            "these addons need Odoo 18.0 Community"
        )
    paths = []
    if (src / "addons").is_dir() and (src / "odoo-bin").is_file():
        layout = "git"
        paths.append(src / "addons")
    else:
        layout = "nightly"
    paths.append(src / "odoo" / "addons")
    if not (src / "odoo" / "addons" / "base").is_dir() and not any(
        (p / "base").is_dir() for p in paths
    ):
        raise UserError(f"ODOO_SRC={src} has no 'base' addon; is the tree complete?")
    return OdooSource(layout, src, paths, str(src))


def detect_odoo_package(python):
    """An importable odoo package in ``python``'s environment, or None."""
    code = (
        "import json, odoo, odoo.release as r, os;"
        "print(json.dumps([r.version_info[0], r.version_info[1],"
        " os.path.dirname(odoo.__file__)]))"
    )
    try:
        out = subprocess.run(
            [str(python), "-c", code],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    except (subprocess.CalledProcessError, OSError, subprocess.TimeoutExpired):
        return None
    major, minor, pkg = json.loads(out.strip().splitlines()[-1])
    if (major, minor) != (18, 0):
        raise UserError(
            f"the importable odoo package is {major}.{minor}, these addons need 18.0"
        )
    pkg = Path(pkg)
    return OdooSource("package", None, [pkg / "addons"], None)


def resolve_odoo(allow_clone=True):
    """The Odoo to run: ODOO_SRC, an importable package, or a fresh shallow clone."""
    src = Path(os.environ.get("ODOO_SRC", "/opt/odoo"))
    found = detect_odoo_source(src)
    if found:
        return found
    # An odoo package importable by the venv or by this Python (official image).
    for python in (VENV / "bin" / "python", Path(sys.executable)):
        if python.exists():
            found = detect_odoo_package(python)
            if found:
                return found
    how = (
        f"Odoo 18.0 Community source not found at ODOO_SRC={src}. Provide it with "
        f"'git clone --depth 1 --branch 18.0 {ODOO_GIT_URL} {src}' on a machine with "
        "internet access (or unpack Odoo's 18.0 nightly source there), or set "
        "ODOO_SRC=/path/to/odoo-18.0, or install an 'odoo' 18.0 package in .venv"
    )
    if not allow_clone:
        raise UserError(how)
    if src.exists() and any(src.iterdir()):
        raise UserError(how + f" ({src} exists and is not empty, so it was not cloned)")
    _clone_odoo(src, how)
    found = detect_odoo_source(src)
    if not found:
        raise UserError(how)
    return found


def _clone_odoo(src, how):
    say(f"no Odoo at {src}: trying a shallow clone of Odoo 18.0 from {ODOO_GIT_URL}")
    try:
        src.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "git",
                "clone",
                "--depth",
                "1",
                "--branch",
                "18.0",
                ODOO_GIT_URL,
                str(src),
            ],
            check=True,
            timeout=int(os.environ.get("ODOO_CLONE_TIMEOUT", "900")),
            env=dict(os.environ, GIT_TERMINAL_PROMPT="0"),
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        shutil.rmtree(src, ignore_errors=True)
        raise UserError(f"the clone failed ({exc.__class__.__name__}). {how}") from None


def odoo_cmd(python, odoo):
    """A launcher script, not ``python -m odoo``: Odoo re-executes its argv[0]
    when it reloads (a thread over its real-time limit, a module installed
    from Apps) and starts its long-polling process as ``argv[0] gevent``;
    ``odoo/__main__.py`` cannot run as a script (a relative import), so the
    server died instead of coming back. The nightly tree has Odoo's own
    launcher as ``setup/odoo``."""
    if odoo.layout == "git":
        return [str(python), str(odoo.root / "odoo-bin")]
    launcher = odoo.root / "setup" / "odoo"
    if launcher.is_file():
        return [str(python), str(launcher)]
    return [str(python), "-m", "odoo"]


def odoo_base_cmd(python, odoo, pg, db, data_dir):
    """Odoo's command line for ``db`` on ``pg`` with our addons path."""
    return (
        odoo_cmd(python, odoo)
        + pg.odoo_args()
        + ["--addons-path", addons_path(odoo), "--data-dir", str(data_dir), "-d", db]
    )


def odoo_env(odoo):
    env = dict(os.environ)
    if odoo.pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (odoo.pythonpath, env.get("PYTHONPATH")) if p
        )
    # Odoo reads PG* variables too; the command line says everything.
    for var in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"):
        env.pop(var, None)
    return env


def addons_path(odoo):
    return ",".join(str(p) for p in [ADDONS_DIR, *odoo.addons_paths])


def addons_hash():
    digest = hashlib.sha256()
    for path in sorted(ADDONS_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ADDONS_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def run_odoo(cmd, env):
    """Run an Odoo command to its end; UserError when it fails."""
    proc = subprocess.run(cmd, env=env)
    if proc.returncode:
        raise UserError(f"Odoo exited with code {proc.returncode}; see the log above")
