from odoo import api, fields, models
from odoo.exceptions import AccessError

CONFIRM_STATUSES = {"pending", "sent", "open", "reply", "bounce"}
RELEASE_STATUSES = {"error", "cancel"}
# what the engine records on a trace it held back or postponed
PRESSURE_TRACE_FIELDS = {
    "pressure_reason",
    "pressure_reason_args",
    "pressure_rule_id",
    "pressure_count",
    "pressure_threshold",
    "pressure_postponed_until",
}


class MailingTrace(models.Model):
    _inherit = "mailing.trace"

    failure_type = fields.Selection(selection_add=[("pressure", "Marketing pressure")])
    # why the engine held the message back: a code and its arguments, shown
    # in the reader's language (pressure_reason_text)
    pressure_reason = fields.Selection(
        selection="_selection_pressure_reason",
        string="Pressure reason",
        readonly=True,
    )
    pressure_reason_args = fields.Json(string="Pressure reason details", readonly=True)
    pressure_reason_text = fields.Char(
        string="Held back because", compute="_compute_pressure_reason_text"
    )
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

    @api.model
    def _selection_pressure_reason(self):
        return self.env["campaign.pressure.engine"]._pressure_reasons()

    @api.depends(
        "pressure_reason", "pressure_reason_args", "failure_type", "failure_reason"
    )
    @api.depends_context("lang")
    def _compute_pressure_reason_text(self):
        render = self.env["campaign.pressure.engine"]._pressure_reason_renderer()
        for trace in self:
            if trace.pressure_reason:
                trace.pressure_reason_text = render(
                    trace.pressure_reason, trace.pressure_reason_args
                )
            elif trace.failure_type == "pressure":
                # written by an extension without a code
                trace.pressure_reason_text = trace.failure_reason
            else:
                trace.pressure_reason_text = False

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
            self.env["campaign.pressure.engine"]._pressure_sync_traces_later(
                self.ids, "confirmed"
            )
        elif status in RELEASE_STATUSES and self.env.su:
            # a failed delivery gives the person's budget back; it is
            # reported by the server (mail queue, SMS gateway) as sudo: a
            # user marking sent traces failed would raise the person's room
            self.env["campaign.pressure.engine"]._pressure_sync_traces_later(
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
