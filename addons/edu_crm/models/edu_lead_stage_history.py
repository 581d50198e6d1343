from datetime import timedelta

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

    @api.model
    def _edu_demo_backfill(self):
        """Demo data only: give the admissions leads that have just their
        creation row a plausible past path through the stages of their team
        (a few days per stage, ending now), so the funnel report has data."""
        leads = (
            self.env["crm.lead"]
            .with_context(active_test=False)
            .search([("team_id.edu_is_admissions", "=", True)])
        )
        counts = dict(
            self.sudo()._read_group(
                [("lead_id", "in", leads.ids)], ["lead_id"], ["__count"]
            )
        )
        leads = leads.filtered(lambda lead: counts.get(lead, 0) <= 1)
        if not leads:
            return
        stages_by_team = {}
        for stage in self.env["crm.stage"].search(
            [("team_id", "in", leads.team_id.ids)], order="sequence, id"
        ):
            stages_by_team.setdefault(stage.team_id, []).append(stage)
        now = fields.Datetime.now()
        vals_list = []
        for lead in leads:
            path = [
                s
                for s in stages_by_team.get(lead.team_id, [])
                if s.sequence <= lead.stage_id.sequence
            ]
            days = [1.5 + ((lead.id * 7 + i * 5) % 9) for i in range(len(path))]
            start = now - timedelta(days=sum(days))
            for i, (stage, duration) in enumerate(zip(path, days, strict=False)):
                end = start + timedelta(days=duration)
                last = i == len(path) - 1
                vals_list.append(
                    {
                        "lead_id": lead.id,
                        "stage_id": stage.id,
                        "team_id": lead.team_id.id,
                        "company_id": lead.company_id.id,
                        "date_in": start,
                        "date_out": False if last and lead.active else min(end, now),
                    }
                )
                start = end
        self.sudo().search([("lead_id", "in", leads.ids)]).unlink()
        self.sudo().create(vals_list)
