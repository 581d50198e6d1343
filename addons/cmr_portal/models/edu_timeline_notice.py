from odoo import api, fields, models
from odoo.addons.edu_crm.models.edu_timeline import text_sql
from odoo.tools import SQL


class EduTimeline(models.Model):
    """The account notices on the person's timeline: queued and postponed
    ones as planned, sent and failed ones as done and failed. Their emails
    are not in the chatter (the mail queue's copies are left out of the
    messages source) nor their SMS: this source is their one entry."""

    _inherit = "edu.timeline"

    kind = fields.Selection(selection_add=[("notice", "Account notice")])

    def _edu_timeline_sources(self):
        return super()._edu_timeline_sources() + [self._cmr_timeline_notices()]

    @api.model
    def _edu_timeline_kind_models(self):
        return {**super()._edu_timeline_kind_models(), "notice": "edu.account.notice"}

    @api.model
    def _edu_timeline_record_models(self):
        return super()._edu_timeline_record_models() + ["edu.account.notice"]

    def _cmr_timeline_notices(self):
        return SQL(
            """
            SELECT n.id, n.partner_id, COALESCE(n.date_sent, n.scheduled_date),
                   'notice', n.channel, 'out',
                   CASE n.state WHEN 'sent' THEN 'done'
                                WHEN 'failed' THEN 'failed' ELSE 'planned' END,
                   %(summary)s, 'edu.account.notice', n.id, NULL::int,
                   NULL::varchar, NULL::varchar, NULL::jsonb, n.company_id
              FROM edu_account_notice n
            """,
            summary=text_sql(SQL("n.name")),
        )
