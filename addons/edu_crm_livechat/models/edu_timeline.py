from odoo import fields, models
from odoo.tools import SQL


class EduTimeline(models.Model):
    """An application that came by live chat shows the channel: its UTM
    source is Odoo's "Livechat" (the ``/lead`` command) or a chatbot
    script's own source (a chatbot's lead step)."""

    _inherit = "edu.timeline"

    channel = fields.Selection(selection_add=[("livechat", "Live chat")])

    def _edu_timeline_lead_channel_sql(self):
        source = self.env.ref(
            "crm_livechat.utm_source_livechat", raise_if_not_found=False
        )
        return SQL(
            "CASE WHEN l.source_id = %s OR l.source_id IN "
            "(SELECT cs.source_id FROM chatbot_script cs) THEN 'livechat' "
            "ELSE %s END",
            source.id if source else None,
            super()._edu_timeline_lead_channel_sql(),
        )
