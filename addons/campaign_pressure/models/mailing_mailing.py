from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .campaign_pressure_engine import PERIOD_SPAN


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    pressure_priority = fields.Integer(
        string="Pressure priority",
        default=10,
        help="When recipients are saturated, mailings of higher priority win; "
        "scheduled mailings of higher priority reserve their contacts; ties go to "
        "the earlier schedule.",
    )
    pressure_weight = fields.Integer(
        string="Pressure weight",
        default=1,
        help="How much one message of this mailing counts in the pressure rules.",
    )
    pressure_exempt = fields.Boolean(
        string="Transactional (exempt)",
        help="Transactional messages are counted by rules that count them but are "
        "never "
        "held back.",
    )
    pressure_held_count = fields.Integer(
        string="Held back by pressure", compute="_compute_pressure_held_count"
    )

    @api.depends("mailing_trace_ids.failure_type")
    def _compute_pressure_held_count(self):
        data = dict(
            self.env["mailing.trace"]._read_group(
                [
                    ("mass_mailing_id", "in", self.ids),
                    ("failure_type", "=", "pressure"),
                ],
                ["mass_mailing_id"],
                ["__count"],
            )
        )
        for mailing in self:
            mailing.pressure_held_count = data.get(mailing, 0)

    @api.constrains("pressure_weight")
    def _check_pressure_weight(self):
        for mailing in self:
            if mailing.pressure_weight < 1:
                raise ValidationError(
                    self.env._("The pressure weight of a mailing must be at least 1.")
                )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_view_pressure_held(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "campaign_pressure.mailing_trace_pressure_action"
        )
        action["domain"] = [
            ("mass_mailing_id", "=", self.id),
            ("failure_type", "=", "pressure"),
        ]
        return action

    def action_check_pressure(self):
        self.ensure_one()
        simulation = self.env["campaign.pressure.simulation"].create(
            {"mailing_id": self.id}
        )
        simulation._run()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Pressure check"),
            "res_model": "campaign.pressure.simulation",
            "res_id": simulation.id,
            "view_mode": "form",
            "target": "new",
        }

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def _pressure_channel(self):
        self.ensure_one()
        return "sms" if self.mailing_type == "sms" else "email"

    def _action_send_mail(self, res_ids=None):
        if self.env.context.get("campaign_pressure_disable"):
            return super()._action_send_mail(res_ids=res_ids)
        sending = self.env["campaign.pressure.engine"]._pressure_sending()
        for mailing in self:
            sending[mailing.id] = {"reserved": mailing._pressure_reserved_by_others()}
            try:
                super(MailingMailing, mailing)._action_send_mail(res_ids=res_ids)
            finally:
                sending.pop(mailing.id, None)
        return True

    @api.model
    def _process_mass_mailing_queue(self):
        engine = self.env["campaign.pressure.engine"]
        return engine._pressure_retry(super()._process_mass_mailing_queue)

    def _pressure_arbitration_winners(self):
        """Scheduled mailings that are served before this one: higher
        priority, or same priority and scheduled earlier."""
        self.ensure_one()
        now = fields.Datetime.now()
        mine = self.schedule_date or now
        candidates = self.search(
            [
                ("id", "!=", self.id),
                ("state", "=", "in_queue"),
                ("pressure_exempt", "=", False),
                ("pressure_priority", ">=", self.pressure_priority),
            ]
        )
        return candidates.filtered(
            lambda m: m.pressure_priority > self.pressure_priority
            or (m.schedule_date or now, m.id) < (mine, self.id)
        )

    def _pressure_reserved_by_others(self):
        """Person key -> planned contacts of mailings winning arbitration.

        A scheduled mailing reserves its recipients' budget when it is planned
        within the span of a rule window (longest rule span)."""
        self.ensure_one()
        engine = self.env["campaign.pressure.engine"]
        config = engine._pressure_config(self.env.company.id)
        if not config["rules"]:
            return {}
        spans = [
            max(
                r["days"] if r["window_type"] in ("rolling", "both") else 0,
                PERIOD_SPAN[r["period"]] if r["window_type"] != "rolling" else 0,
            )
            for r in config["rules"]
        ]
        limit = fields.Datetime.now() + timedelta(days=max(spans))
        reserved = defaultdict(list)
        for other in self._pressure_arbitration_winners():
            if other.schedule_date and other.schedule_date > limit:
                continue
            channel = other._pressure_channel()
            res_ids = other._get_remaining_recipients()
            if not res_ids:
                continue
            requests = engine._pressure_requests(
                other.mailing_model_real, res_ids, channel
            )
            decisions = engine._pressure_evaluate(
                requests, channel, message={"exempt": True}, lock=False
            )
            entry = (
                channel,
                other.pressure_weight or 1,
                False,
                other.campaign_id.id or None,
                tuple(other.campaign_id.tag_ids.ids),
            )
            for decision in decisions.values():
                reserved[decision["key"]].append(entry)
        return dict(reserved)
