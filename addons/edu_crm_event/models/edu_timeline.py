from odoo import fields, models
from odoo.tools import SQL


class EduTimeline(models.Model):
    """An application made by an event's lead rule shows the channel."""

    _inherit = "edu.timeline"

    channel = fields.Selection(selection_add=[("event", "Event")])

    def _edu_timeline_lead_channel_sql(self):
        return SQL(
            "CASE WHEN l.event_id IS NOT NULL THEN 'event' ELSE %s END",
            super()._edu_timeline_lead_channel_sql(),
        )
