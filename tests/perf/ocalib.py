"""The peer of the journey benchmark (issue 14): OCA ``automation_oca`` 18.0
doing the same first email step for a few thousand records.

The module is AGPL and not a dependency of ours: it is installed into the
benchmark environment only, from PyPI, at the pinned version below, with
``pip install --no-deps --target`` into ``.local/perf-addons/`` (never into the
shared venv); that directory is added to the addons path of the running
benchmark and the module is installed into the benchmark database the first
time. It depends on ``mail`` and ``link_tracker`` only, both already
installed with our addons. Nothing of it is copied here: this file only drives
its public models the way its own tests do (a configuration on
``res.partner``, one mail step started at once, the entry run, then the step
cron).
"""

import subprocess
import sys
from pathlib import Path

from benchlib import timer

OCA_REQUIREMENT = "odoo-addon-automation_oca==18.0.1.0.4.13"
OCA_DIR = (
    Path(__file__).resolve().parents[2]
    / ".local"
    / "perf-addons"
    / OCA_REQUIREMENT.replace("==", "-")
)


def oca_addons_dir():
    """The addons directory holding ``automation_oca`` (installed once)."""
    addons = OCA_DIR / "odoo" / "addons"
    if not (addons / "automation_oca" / "__manifest__.py").exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--no-deps",
                "--no-compile",
                "--disable-pip-version-check",
                "--target",
                str(OCA_DIR),
                OCA_REQUIREMENT,
            ],
            check=True,
        )
    return addons


def oca_registry(registry):
    """The registry of the benchmark database with ``automation_oca``
    installed (installing it, and committing, when it is not yet)."""
    from odoo import SUPERUSER_ID, api
    from odoo.modules.module import initialize_sys_path
    from odoo.modules.registry import Registry
    from odoo.tools import config

    addons = str(oca_addons_dir())
    if addons not in config["addons_path"].split(","):
        config["addons_path"] = f"{config['addons_path']},{addons}"
    initialize_sys_path()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        Module = env["ir.module.module"]
        module = Module.search([("name", "=", "automation_oca")])
        if module.state == "installed":
            return registry
        Module.update_list()
        Module.search([("name", "=", "automation_oca")]).button_immediate_install()
    return Registry(registry.db_name)


def measure_oca(env, partner_ids, testing):
    """Entry and first email step of an ``automation_oca`` configuration on
    ``partner_ids`` (one mail composer per record, as it runs them), with
    the same subject and body as the journey's step."""
    template = env["mail.template"].create(
        {
            "name": "OCA perf welcome",
            "model_id": env["ir.model"]._get("res.partner").id,
            "subject": "Welcome",
            "partner_to": "{{ object.id }}",
            "body_html": "<p>Welcome {{ object.name }}</p>",
        }
    )
    configuration = env["automation.configuration"].create(
        {
            "name": "OCA perf",
            "model_id": env["ir.model"]._get("res.partner").id,
            "editable_domain": repr([("id", "in", list(partner_ids))]),
            "is_periodic": True,
        }
    )
    env["automation.configuration.step"].create(
        {
            "name": "Welcome",
            "configuration_id": configuration.id,
            "step_type": "mail",
            "mail_template_id": template.id,
            "trigger_type": "start",
        }
    )
    configuration.start_automation()
    env.flush_all()
    env.invalidate_all()
    with testing(), timer() as entry:
        configuration.run_automation()
        env.flush_all()
    with testing(), timer() as step:
        env["automation.record.step"]._cron_automation_steps()
        env.flush_all()
    done = env["automation.record.step"].search_count(
        [
            ("configuration_step_id.configuration_id", "=", configuration.id),
            ("state", "=", "done"),
        ]
    )
    mails = env["mail.mail"].search_count([("model", "=", "res.partner")])
    return {
        "entry": entry.seconds,
        "send": step.seconds,
        "total": entry.seconds + step.seconds,
        "done": done,
        "mails": mails,
        "n": len(partner_ids),
    }
