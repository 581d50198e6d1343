from odoo import api, fields, models
from odoo.exceptions import UserError


class MailActivity(models.Model):
    _inherit = "mail.activity"

    pressure_marketing_call = fields.Boolean(
        related="activity_type_id.pressure_marketing_call"
    )
    pressure_call_outcome = fields.Selection(
        [
            ("reached", "Reached"),
            ("no_answer", "No answer"),
            ("do_not_contact", "Do not contact"),
        ],
        string="Call outcome",
    )
    pressure_warning = fields.Char(compute="_compute_pressure_warning")

    @api.depends("activity_type_id", "res_model", "res_id")
    def _compute_pressure_warning(self):
        engine = self.env["campaign.pressure.engine"]
        for activity in self:
            activity.pressure_warning = False
            if not activity.pressure_marketing_call:
                continue
            requests = activity._pressure_requests()
            if not requests:
                continue
            # a saved call already holds its reservation: only warn when over
            message = {"weight": 0 if activity.id else 1}
            decision = engine._pressure_evaluate(
                requests, "phone", message=message, lock=False
            ).get(activity.id or 0)
            if decision and not decision["allowed"]:
                activity.pressure_warning = decision["reason"]

    def _pressure_partner(self):
        self.ensure_one()
        if not self.res_model or not self.res_id or self.res_model not in self.env:
            return self.env["res.partner"]
        record = self.env[self.res_model].browse(self.res_id).sudo()
        if self.res_model == "res.partner":
            return record
        if (
            "partner_id" in record._fields
            and record._fields["partner_id"].comodel_name == "res.partner"
        ):
            return record.partner_id
        return self.env["res.partner"]

    def _pressure_requests(self):
        self.ensure_one()
        partner = self._pressure_partner()
        if not partner:
            return []
        return [{"ref": self.id or 0, "partner_id": partner.id}]

    @api.model_create_multi
    def create(self, vals_list):
        activities = super().create(vals_list)
        calls = activities.filtered("pressure_marketing_call")
        if calls and not self.env.context.get("campaign_pressure_disable"):
            calls._pressure_reserve_calls()
        return activities

    def _pressure_reserve_calls(self):
        engine = self.env["campaign.pressure.engine"]
        requests = [
            request for activity in self for request in activity._pressure_requests()
        ]
        if not requests:
            return
        decisions = engine._pressure_evaluate(requests, "phone", lock=True)
        blocked = [
            d
            for d in decisions.values()
            if not d["allowed"] and d["phone_action"] == "block"
        ]
        if blocked:
            raise UserError(
                self.env._(
                    "This marketing call cannot be scheduled: %s", blocked[0]["reason"]
                )
            )
        engine._pressure_log(
            {ref: dict(d, allowed=True) for ref, d in decisions.items()},
            "phone",
            "activity",
            {"res_model": self._name, "company_id": self.env.company.id},
        )

    def _pressure_set_state(self, state):
        if not self.ids:
            return
        contacts = (
            self.env["campaign.pressure.contact"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("state", "=", "reserved"),
                ]
            )
        )
        contacts.write({"state": state})

    def _action_done(self, feedback=False, attachment_ids=None):
        calls = self.filtered("pressure_marketing_call")
        calls._pressure_set_state("confirmed")
        for call in calls.filtered(
            lambda a: a.pressure_call_outcome == "do_not_contact"
        ):
            call._pressure_partner()._pressure_cooldown("call")
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def unlink(self):
        self.filtered("pressure_marketing_call")._pressure_set_state("released")
        return super().unlink()
