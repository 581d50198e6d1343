from odoo import models


class MailingTrace(models.Model):
    """A click or a reply on a mailing is a positive response
    (``campaign.response``), recorded once per trace."""

    _inherit = "mailing.trace"

    def write(self, vals):
        res = super().write(vals)
        responses = self.env["campaign.response"].sudo()
        if vals.get("links_click_datetime"):
            responses._record_traces(self.ids, "click")
        if vals.get("trace_status") == "reply":
            responses._record_traces(self.ids, "reply")
        return res
