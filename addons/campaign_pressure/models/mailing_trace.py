from odoo import api, fields, models
from odoo.exceptions import AccessError

CONFIRM_STATUSES = {"pending", "sent", "open", "reply", "bounce"}
RELEASE_STATUSES = {"error", "cancel"}
# what the engine records on a trace it held back or postponed
PRESSURE_TRACE_FIELDS = {
    "pressure_rule_id",
    "pressure_count",
    "pressure_threshold",
    "pressure_postponed_until",
}


class MailingTrace(models.Model):
    _inherit = "mailing.trace"

    failure_type = fields.Selection(selection_add=[("pressure", "Marketing pressure")])
    pressure_rule_id = fields.Many2one(
        "campaign.pressure.rule",
        string="Pressure rule",
        readonly=True,
        ondelete="set null",
    )
    pressure_count = fields.Integer(string="Contacts in window", readonly=True)
    pressure_threshold = fields.Integer(string="Pressure threshold", readonly=True)
    pressure_postponed_until = fields.Datetime(
        string="Postponed until",
        readonly=True,
        help="The person's quiet hours: the email was queued to be sent when they end.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # Odoo creates the traces of a send with the mails, as sudo
        if not self.env.su and any(self._pressure_forged(vals) for vals in vals_list):
            self._pressure_refuse()
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and self._pressure_forged(vals):
            self._pressure_refuse()
        res = super().write(vals)
        status = vals.get("trace_status")
        if status in CONFIRM_STATUSES:
            self.env["campaign.pressure.engine"]._pressure_sync_traces(
                self.ids, "confirmed"
            )
        elif status in RELEASE_STATUSES and self.env.su:
            # a failed delivery gives the person's budget back; it is
            # reported by the server (mail queue, SMS gateway) as sudo: a
            # user marking sent traces failed would raise the person's room
            self.env["campaign.pressure.engine"]._pressure_sync_traces(
                self.ids, "released"
            )
        return res

    @api.model
    def _pressure_forged(self, vals):
        return bool(PRESSURE_TRACE_FIELDS & set(vals)) or (
            vals.get("failure_type") == "pressure"
        )

    @api.model
    def _pressure_refuse(self):
        raise AccessError(
            self.env._(
                "Only the pressure engine records why a message was held back "
                "or postponed."
            )
        )
