# The data the two-node and kill tests share, run once in an Odoo shell on
# the template database (the demo data of our addons is installed already;
# `env` is the shell's superuser environment).
from odoo import Command

Partner = env["res.partner"]  # noqa: F821
ref = env.ref  # noqa: F821

# one rule only: one marketing email a week per person
env["campaign.pressure.rule"].search([]).active = False  # noqa: F821
env["campaign.pressure.rule"].create(  # noqa: F821
    {
        "name": "Two nodes: one email a week",
        "channel_ids": [Command.set(ref("campaign_pressure.channel_email").ids)],
        "window_type": "rolling",
        "window_days": 7,
        "max_contacts": 1,
    }
)
# two mailings to the same people, sent by both nodes at the same moment
people = Partner.create(
    [
        {"name": f"Node person {i}", "email": f"node.person.{i}@example.com"}
        for i in range(40)
    ]
)
for node in (1, 2):
    env["mailing.mailing"].create(  # noqa: F821
        {
            "name": f"Two nodes mailing {node}",
            "subject": f"Two nodes mailing {node}",
            "body_html": "<p>Hello from a node</p>",
            "mailing_model_id": ref("base.model_res_partner").id,
            "mailing_domain": repr([("id", "in", people.ids)]),
        }
    )
# a journey whose first step is an email, launched by the test
walkers = Partner.create(
    [
        {"name": f"Journey walker {i}", "email": f"journey.walker.{i}@example.com"}
        for i in range(30)
    ]
)
journey = env["campaign.journey"].create(  # noqa: F821
    {
        "name": "Two nodes journey",
        "model_id": ref("base.model_res_partner").id,
        "domain": repr([("id", "in", walkers.ids)]),
        "entry_mode": "launch",
    }
)
env["campaign.journey.step"].create(  # noqa: F821
    {
        "journey_id": journey.id,
        "name": "Welcome",
        "kind": "email",
        "subject": "Welcome, walker",
        "body_html": "<p>Welcome</p>",
    }
)
# the reminder job commits every two logs: a kill lands between batches too
env["ir.config_parameter"].set_param("edu_crm.reminder_batch_size", "2")  # noqa: F821
env.cr.commit()  # noqa: F821
