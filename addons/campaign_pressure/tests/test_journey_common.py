from odoo import Command

from .common import PressureCommon


class JourneyCommon(PressureCommon):
    """Journeys on partners (any mail.thread model works the same), with
    Odoo's mass mailing test tooling and the pressure data of the addon."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.runner = cls.env["campaign.journey.runner"]
        cls.Item = cls.env["campaign.journey.participant.step"]
        cls.Participant = cls.env["campaign.journey.participant"]
        cls.partners.write({"function": "Applicant"})

    def _journey(self, steps=(), **values):
        """A journey on partners with ``steps``: dicts of step values, a
        ``parent`` key naming the index of the parent step."""
        vals = {
            "name": "Applicant nurture",
            "model_id": self.env["ir.model"]._get("res.partner").id,
            "domain": repr([("function", "=", "Applicant")]),
        }
        vals.update(values)
        journey = self.env["campaign.journey"].create(vals)
        created = []
        for step_values in steps:
            step_values = dict(step_values)
            parent = step_values.pop("parent", None)
            step_values.setdefault("name", f"Step {len(created) + 1}")
            if parent is not None:
                step_values["parent_id"] = created[parent].id
            created.append(
                self.env["campaign.journey.step"].create(
                    dict(step_values, journey_id=journey.id)
                )
            )
        return journey, created

    def _email_step(self, **values):
        return dict(
            {"kind": "email", "subject": "Welcome", "body_html": "<p>Welcome</p>"},
            **values,
        )

    def _tick(self):
        with self.mock_mail_gateway(mail_unlink_sent=False):
            self.runner._cron_run_journeys()
        self.env.invalidate_all()

    def _items(self, journey, step=None, **filters):
        domain = [("journey_id", "=", journey.id)]
        if step:
            domain.append(("step_id", "=", step.id))
        domain += [(k, "=", v) for k, v in filters.items()]
        return self.Item.sudo().search(domain)

    def _participants(self, journey, **filters):
        domain = [("journey_id", "=", journey.id)]
        domain += [(k, "=", v) for k, v in filters.items()]
        return self.Participant.sudo().search(domain)

    @classmethod
    def _email_rule(cls, **values):
        return cls._create_rule(
            **dict(
                {"channel_ids": [Command.set(cls.channel_email.ids)]},
                **values,
            )
        )
