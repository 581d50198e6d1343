"""Paths, names and helpers shared by every part of the dev tool."""

import os
import re
import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
ADDONS_DIR = ROOT / "addons"
LOCAL = ROOT / ".local"
VENV = ROOT / ".venv"
OUR_ADDONS = ("edu_crm", "campaign_pressure", "cmr_portal")
# glue modules (auto_install) between them and Odoo apps, new since the release
# 18.0.1.2.0 (the upgrade test installs and updates OUR_ADDONS only); the
# demo database and the tests install them with OUR_ADDONS
GLUE_ADDONS = (
    "edu_campaign",
    "edu_campaign_event",
    "edu_crm_event",
    "edu_crm_livechat",
)
DEV_ADDONS = (*OUR_ADDONS, *GLUE_ADDONS)
# Odoo modules our tests and the demo database need, never a dependency of an
# addon: payment_demo publishes a test-mode provider whose public route marks a
# payment as done without money (cmr_portal's tests and tours enable it).
TEST_MODULES = {"cmr_portal": ("payment_demo",)}
ODOO_GIT_URL = os.environ.get("ODOO_GIT_URL", "https://github.com/odoo/odoo.git")
RUN_PG_PORT = int(os.environ.get("EDU_PG_PORT", "54329"))
TEST_PG_PORT = int(os.environ.get("EDU_TEST_PG_PORT", "54339"))
PG_SUPERUSER = "odoo"
# unique logins: Odoo's own tests create users such as "marketing"
DEMO_LOGINS = (
    ("Education manager", "edu.registrar", "edu.registrar"),
    ("Marketing user", "edu.marketing", "edu.marketing"),
    ("Marketing manager", "edu.marketing.manager", "edu.marketing.manager"),
    ("Student (portal)", "edu.student", "edu.student"),
    ("Sponsor (portal)", "edu.sponsor", "edu.sponsor"),
    ("Applicant (portal)", "edu.applicant", "edu.applicant"),
    ("Administrator", "admin", "admin"),
)


class UserError(Exception):
    """A failure the user can fix; printed as one line."""


def say(msg):
    print(f"[edu] {msg}", flush=True)


def with_test_modules(addons):
    """``addons`` and the Odoo modules their tests install beside them."""
    extra = [m for a in addons for m in TEST_MODULES.get(a, ()) if m not in addons]
    return [*addons, *dict.fromkeys(extra)]


def ident(name):
    """``name`` when it is a safe database name, else UserError."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise UserError(f"invalid database name {name!r}: use letters, digits, _ . -")
    return name


def port_in_use(port, host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
