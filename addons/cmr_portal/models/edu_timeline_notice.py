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

    def _edu_timeline_describe(self):
        """A notice in words: what it tells (its kind) and about which record;
        the failure reason of a notice that could not be sent."""
        described = super()._edu_timeline_describe()
        rows = self.filtered(lambda row: row.kind == "notice")
        notices = self.env["edu.account.notice"].sudo().browse(rows.mapped("res_id"))
        kinds = dict(notices._fields["kind"]._description_selection(self.env))
        words = {
            notice.id: " · ".join(
                part
                for part in (kinds[notice.kind], notice.name, notice.failure_reason)
                if part
            )
            for notice in notices.exists()
        }
        for row in rows:
            if row.res_id in words:
                described[row.id] = words[row.res_id]
        return described

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
