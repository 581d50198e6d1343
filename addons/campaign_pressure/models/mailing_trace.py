from odoo import fields, models

CONFIRM_STATUSES = {"pending", "sent", "open", "reply", "bounce"}
RELEASE_STATUSES = {"error", "cancel"}


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

    def write(self, vals):
        res = super().write(vals)
        status = vals.get("trace_status")
        if status in CONFIRM_STATUSES:
            self.env["campaign.pressure.engine"]._pressure_sync_traces(
                self.ids, "confirmed"
            )
        elif status in RELEASE_STATUSES:
            self.env["campaign.pressure.engine"]._pressure_sync_traces(
                self.ids, "released"
            )
        return res
