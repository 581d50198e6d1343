from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..engine.records import Planned
from ..engine.timeframes import PERIOD_SPAN


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
        copy=False,  # copy_data keeps it for those who may set it
        help="Transactional messages are counted by rules that count them but are "
        "never held back by a cap; they still respect the person's blacklist, "
        "blocked channels and quiet hours. Set by a pressure manager only; every "
        "change is logged in the chatter.",
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
    # CRUD: marking a message transactional is a pressure manager's decision
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        mailings = super().create(vals_list)
        # checked on the records: the value may come from a default (context
        # ``default_pressure_exempt``, a user's ir.default) as well as vals
        exempt = mailings.filtered("pressure_exempt")
        if exempt:
            exempt._pressure_check_exempt_access()
            exempt._pressure_log_exempt()
        return mailings

    def write(self, vals):
        if "pressure_exempt" not in vals:
            return super().write(vals)
        # the field is the manager's: naming it is refused to the others,
        # even with the current value
        self._pressure_check_exempt_access()
        changed = self.filtered(
            lambda m: m.pressure_exempt != bool(vals["pressure_exempt"])
        )
        res = super().write(vals)
        changed._pressure_log_exempt()
        return res

    def copy_data(self, default=None):
        vals_list = super().copy_data(default)
        if self.env["campaign.pressure.engine"]._pressure_is_manager():
            for mailing, vals in zip(self, vals_list, strict=True):
                vals.setdefault("pressure_exempt", mailing.pressure_exempt)
        return vals_list

    def _pressure_check_exempt_access(self):
        self.env["campaign.pressure.engine"]._pressure_check_manager(
            self.env._(
                "Only a marketing pressure manager may mark a mailing as "
                "transactional (exempt from the pressure caps) or unmark it."
            )
        )

    def _pressure_log_exempt(self):
        """Note in each mailing's chatter who marked it transactional or
        unmarked it: a plain note, posted whatever the context says about
        tracking."""
        for mailing in self.sudo():
            if mailing.pressure_exempt:
                body = self.env._(
                    "Marked as transactional by %(user)s: counted by the pressure "
                    "rules but never held back by a cap.",
                    user=self.env.user.name,
                )
            else:
                body = self.env._(
                    "No longer transactional (changed by %(user)s): the pressure "
                    "caps apply again.",
                    user=self.env.user.name,
                )
            mailing.message_post(body=body, subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_view_pressure_held(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "campaign_pressure.mailing_trace_pressure_action"
        )
        action["domain"] = [
            ("mass_mailing_id", "=", self.id),
            ("failure_type", "=", "pressure"),
        ]
        return action

    def action_check_pressure(self):
        """What a send would do now: the partition of the recipients."""
        self.ensure_one()
        self.check_access("read")
        return self._pressure_open_check("check", self.env._("Pressure check"))

    def action_confirm_send(self):
        """The Send button: the same partition as the check, and a button
        that sends (as Odoo's own Send button, which it replaces)."""
        self.ensure_one()
        self.check_access("write")
        if self.state != "draft":
            raise UserError(self.env._("This mailing is already sent or queued."))
        return self._pressure_open_check("send", self.env._("Send the mailing?"))

    def _pressure_open_check(self, purpose, title):
        simulation = self.env["campaign.pressure.simulation"].create(
            {"mailing_id": self.id, "purpose": purpose}
        )
        simulation._run()
        return {
            "type": "ir.actions.act_window",
            "name": title,
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
        if self.env["campaign.pressure.engine"]._pressure_disabled():
            return super()._action_send_mail(res_ids=res_ids)
        for mailing in self:
            with mailing._pressure_send_scope():
                super(MailingMailing, mailing)._action_send_mail(res_ids=res_ids)
        return True

    def action_send_sms(self, res_ids=None):
        """Odoo's public SMS send (also reached from ``_action_send_mail``):
        arbitration holds for it as for any send."""
        if self.env["campaign.pressure.engine"]._pressure_disabled():
            return super().action_send_sms(res_ids=res_ids)
        for mailing in self:
            with mailing._pressure_send_scope():
                super(MailingMailing, mailing).action_send_sms(res_ids=res_ids)
        return True

    @contextmanager
    def _pressure_send_scope(self):
        """State of this mailing's send (see the engine's
        ``_pressure_sending``): the contacts planned by the mailings that win
        arbitration, computed once per send, dropped when it ends."""
        self.ensure_one()
        sending = self.env["campaign.pressure.engine"]._pressure_sending()
        if self.id in sending:  # an outer send of the same mailing
            yield
            return
        sending[self.id] = {"reserved": self._pressure_reserved_by_others()}
        try:
            yield
        finally:
            sending.pop(self.id, None)

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
        if not config.rules:
            return {}
        spans = [
            max(
                r.days if r.window_type in ("rolling", "both") else 0,
                PERIOD_SPAN[r.period] if r.window_type != "rolling" else 0,
            )
            for r in config.rules
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
            entry = Planned(
                channel=channel,
                weight=other.pressure_weight or 1,
                exempt=False,
                campaign_id=other.campaign_id.id or None,
                tag_ids=tuple(other.campaign_id.tag_ids.ids),
            )
            for key in engine._pressure_person_keys(requests):
                reserved[key].append(entry)
        return dict(reserved)
