from odoo import fields, models, tools
from odoo.tools import SQL


class EduAdmissionReport(models.Model):
    """One row per lead and per stage of its pipeline that the lead reached.

    A lead reached a stage when its stage history went to that stage or to a
    later one (skipped stages count as passed). ``conversion_rate`` averages to
    the share of leads that went on past the stage; ``days_in_stage`` averages
    the time spent in the stage (until now for the current stage), only over
    the leads that were in it.
    """

    _name = "edu.admission.report"
    _description = "Admissions Funnel Analysis"
    _auto = False
    _order = "stage_sequence, stage_id"
    _rec_name = "lead_id"

    lead_id = fields.Many2one("crm.lead", string="Application", readonly=True)
    stage_id = fields.Many2one("crm.stage", string="Stage", readonly=True)
    stage_sequence = fields.Integer(readonly=True, aggregator=False)
    team_id = fields.Many2one("crm.team", string="Team", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    programme_id = fields.Many2one("edu.programme", readonly=True)
    intake_id = fields.Many2one("edu.intake", readonly=True)
    source_id = fields.Many2one("utm.source", string="Source", readonly=True)
    medium_id = fields.Many2one("utm.medium", string="Medium", readonly=True)
    campaign_id = fields.Many2one("utm.campaign", string="Campaign", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    create_date = fields.Datetime(string="Created On", readonly=True)
    reached_count = fields.Integer(string="Reached", readonly=True)
    passed_count = fields.Integer(
        string="Went On",
        readonly=True,
        help="Leads that went past this stage to a later one.",
    )
    conversion_rate = fields.Float(
        string="Conversion to Next Stages (%)", readonly=True, aggregator="avg"
    )
    days_in_stage = fields.Float(
        string="Average Days in Stage", readonly=True, aggregator="avg"
    )

    def _edu_query(self):
        return SQL(
            """
            WITH reached AS (
                SELECT h.lead_id, MAX(s.sequence) AS max_sequence
                  FROM edu_lead_stage_history h
                  JOIN crm_stage s ON s.id = h.stage_id
              GROUP BY h.lead_id
            ), stay AS (
                SELECT h.lead_id, h.stage_id,
                       SUM(EXTRACT(EPOCH FROM
                           COALESCE(h.date_out, NOW() AT TIME ZONE 'UTC') - h.date_in)
                       ) / 86400.0 AS days
                  FROM edu_lead_stage_history h
              GROUP BY h.lead_id, h.stage_id
            )
            SELECT ROW_NUMBER() OVER (ORDER BY l.id, s.sequence, s.id) AS id,
                   l.id AS lead_id,
                   s.id AS stage_id,
                   s.sequence AS stage_sequence,
                   l.team_id,
                   l.user_id,
                   l.edu_programme_id AS programme_id,
                   l.edu_intake_id AS intake_id,
                   l.source_id,
                   l.medium_id,
                   l.campaign_id,
                   l.company_id,
                   l.create_date,
                   1 AS reached_count,
                   CASE WHEN r.max_sequence > s.sequence THEN 1 ELSE 0 END
                       AS passed_count,
                   CASE WHEN r.max_sequence > s.sequence THEN 100.0 ELSE 0.0 END
                       AS conversion_rate,
                   stay.days AS days_in_stage
              FROM crm_lead l
              JOIN crm_team t ON t.id = l.team_id
              JOIN reached r ON r.lead_id = l.id
              JOIN crm_stage s ON s.sequence <= r.max_sequence
                              AND (s.team_id = l.team_id
                                   OR (s.team_id IS NULL
                                       AND NOT COALESCE(t.edu_is_admissions, FALSE)))
         LEFT JOIN stay ON stay.lead_id = l.id AND stay.stage_id = s.id
             WHERE l.type = 'opportunity'
            """
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._edu_query(),
            )
        )
