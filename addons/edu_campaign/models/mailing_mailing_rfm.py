from odoo import api, models
from odoo.tools import SQL


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    @api.model
    def _channel_plan_segment_sql(self, partner):
        """Best-channel mailings observe response rates per RFM segment of
        the person (issue 15, items 2 and 6): champions and lost people do
        not answer the same channels. People not scored yet share the
        channel's overall rate. The segments written through the ORM (not
        by the scoring's SQL) are flushed, as the query reads them."""
        self.env["res.partner"].flush_model(["edu_rfm_segment_id"])
        return SQL("%s.edu_rfm_segment_id::varchar", partner)
