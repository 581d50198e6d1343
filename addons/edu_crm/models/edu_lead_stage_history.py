from odoo import api, fields, models


class EduLeadStageHistory(models.Model):
    _name = "edu.lead.stage.history"
    _description = "Lead Stage History"
    _order = "date_in desc, id desc"

    lead_id = fields.Many2one(
        "crm.lead", required=True, index=True, ondelete="cascade", readonly=True
    )
    stage_id = fields.Many2one(
        "crm.stage", required=True, index=True, ondelete="cascade", readonly=True
    )
    team_id = fields.Many2one("crm.team", readonly=True, index="btree_not_null")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    date_in = fields.Datetime(string="Entered", required=True, readonly=True)
    date_out = fields.Datetime(string="Left", readonly=True)
    duration_days = fields.Float(
        string="Days in Stage",
        compute="_compute_duration_days",
        store=True,
        aggregator="avg",
        help="Days the lead spent in the stage; empty while it is still there.",
    )

    @api.depends("date_in", "date_out")
    def _compute_duration_days(self):
        for row in self:
            if row.date_in and row.date_out:
                row.duration_days = (
                    row.date_out - row.date_in
                ).total_seconds() / 86400.0
            else:
                row.duration_days = 0.0

    @api.model
    def _edu_record_stages(self, leads, date):
        """Close the open history rows of ``leads`` and open one in their
        current stage, all at ``date``. Three queries whatever the number of
        leads."""
        leads = leads.filtered("stage_id")
        if not leads:
            return self.browse()
        history = self.sudo()
        history._edu_close_stages(leads, date)
        return history.create(
            [
                {
                    "lead_id": lead.id,
                    "stage_id": lead.stage_id.id,
                    "team_id": lead.team_id.id,
                    "company_id": lead.company_id.id,
                    "date_in": date,
                }
                for lead in leads
            ]
        )

    @api.model
    def _edu_close_stages(self, leads, date):
        """Close the open history rows of ``leads`` at ``date``."""
        if not leads:
            return
        open_rows = self.sudo().search(
            [("lead_id", "in", leads.ids), ("date_out", "=", False)]
        )
        if open_rows:
            open_rows.write({"date_out": date})
