from odoo import api, models
from odoo.tools import SQL


class MailingMailing(models.Model):
    """A best-channel mailing reaches a person first on the channel they
    prefer in the portal (``res.partner.cmr_preferred_channel``), through
    campaign_pressure's documented hook."""

    _inherit = "mailing.mailing"

    @api.model
    def _channel_plan_preferred_sql(self, partner):
        return SQL("%s.cmr_preferred_channel", partner)
