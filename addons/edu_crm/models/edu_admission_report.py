from odoo import fields, models, tools
from odoo.tools import SQL

# counts of distinct applications, so that a total over stages counts each
# application once: count column, set to 1 on the rows it counts
COUNTS = ("reached_count", "passed_count", "enrolled_count", "dropout_count")
# rates weighted per application, never an average of stage averages:
# rate column -> (count column of the numerator, column whose non-empty rows
# make the denominator, None for every row)
RATES = {
    "conversion_rate": ("passed_count", "passed_count"),
    "enrolled_rate": ("enrolled_count", None),
    "dropout_rate": ("dropout_count", None),
}


class EduAdmissionReport(models.Model):
    """One row per lead and per stage of its pipeline that the lead reached.

    A lead reached a stage when its stage history went to that stage or to a
    later one (skipped stages count as passed). The pivot groups the rows by
    stage, in the stages' sequence; a total over several stages is the
    funnel as a whole, never a sum of stages:

    - the counts (reached, went on, enrolled, dropped out) count distinct
      applications: the total of "Applications" is the number of
      applications, not the number of stage visits;
    - the rates are shares of those applications: per stage, the share of
      the applications that reached it which went on to a later stage, were
      enrolled, or were lost in it; on the total, the overall conversion from
      inquiry to enrolment and the overall drop-out. The enrolment stage has
      no "went on" (nothing comes after it);
    - ``days_in_stage`` averages the time spent in the stage (until now for
      the current stage), only over the leads that were in it.
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
    is_online = fields.Boolean(
        string="Applied Online",
        readonly=True,
        help="Sent by the applicant from the portal, not entered by staff.",
    )
    reached_count = fields.Integer(
        string="Applications",
        readonly=True,
        aggregator="count_distinct",
        help="Applications that reached the stage; a total counts each "
        "application once.",
    )
    passed_count = fields.Integer(
        string="Went On",
        readonly=True,
        aggregator="count_distinct",
        help="Applications that went past this stage to a later one.",
    )
    conversion_rate = fields.Float(
        string="Went On (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the applications that reached the stage which went on "
        "to a later stage.",
    )
    enrolled_count = fields.Integer(
        string="Enrolled",
        readonly=True,
        aggregator="count_distinct",
        help="Applications that reached the stage and were enrolled.",
    )
    enrolled_rate = fields.Float(
        string="Enrolled (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the applications that reached the stage which were "
        "enrolled; on a total, the conversion from inquiry to enrolment.",
    )
    dropout_count = fields.Integer(
        string="Dropped Out",
        readonly=True,
        aggregator="count_distinct",
        help="Applications lost in this stage.",
    )
    dropout_rate = fields.Float(
        string="Drop-out (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the applications that reached the stage which were lost "
        "in it; on a total, the share of the applications that were lost.",
    )
    days_in_stage = fields.Float(
        string="Average Days in Stage", readonly=True, aggregator="avg"
    )

    def _read_group_select(self, aggregate_spec, query):
        """Counts of distinct applications and rates weighted per application
        (see the class docstring); the rest as Odoo aggregates it."""
        fname, __, func = aggregate_spec.partition(":")
        if func == "count_distinct" and fname in COUNTS:
            return self._edu_count_applications(query, fname, SQL("= 1"))
        if func == "avg" and fname in RATES:
            count_fname, base_fname = RATES[fname]
            return SQL(
                "100.0 * %s / NULLIF(%s, 0)",
                self._edu_count_applications(query, count_fname, SQL("= 1")),
                self._edu_count_applications(query, base_fname, SQL("IS NOT NULL")),
            )
        return super()._read_group_select(aggregate_spec, query)

    def _edu_count_applications(self, query, fname=None, condition=None):
        """``COUNT(DISTINCT lead)`` over the rows whose ``fname`` meets
        ``condition`` (an ``SQL`` constant), over every row without ``fname``."""
        lead = self._field_to_sql(self._table, "lead_id", query)
        if not fname:
            return SQL("COUNT(DISTINCT %s)", lead)
        return SQL(
            "COUNT(DISTINCT CASE WHEN %s %s THEN %s END)",
            self._field_to_sql(self._table, fname, query),
            condition,
            lead,
        )

    def _edu_query(self):
        return SQL(
            """
            WITH %s
            -- one row per lead and stage reached: numbered by both, the
            -- same id at every read (a row number moved the rows of every
            -- later lead when a lead reached a stage)
            SELECT l.id::bigint * 2147483648 + s.id AS id,
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
                   COALESCE(l.edu_is_online, FALSE) AS is_online,
                   1 AS reached_count,
                   passed.value AS passed_count,
                   passed.value * 100.0 AS conversion_rate,
                   enrolled.value AS enrolled_count,
                   enrolled.value * 100.0 AS enrolled_rate,
                   dropout.value AS dropout_count,
                   dropout.value * 100.0 AS dropout_rate,
                   stay.days AS days_in_stage
              FROM crm_lead l
              JOIN crm_team t ON t.id = l.team_id
              JOIN reached r ON r.lead_id = l.id
              JOIN crm_stage s ON s.sequence <= r.max_sequence
                              AND (s.team_id = l.team_id
                                   OR (s.team_id IS NULL
                                       AND NOT COALESCE(t.edu_is_admissions, FALSE)))
         LEFT JOIN stay ON stay.lead_id = l.id AND stay.stage_id = s.id
              -- nothing comes after the enrolment stage: no "went on" there
        CROSS JOIN LATERAL (
                SELECT CASE WHEN COALESCE(s.edu_is_enrolment, FALSE) THEN NULL
                            WHEN r.max_sequence > s.sequence THEN 1 ELSE 0 END
                ) AS passed(value)
        CROSS JOIN LATERAL (
                SELECT CASE WHEN r.enrolled THEN 1 ELSE 0 END
                ) AS enrolled(value)
              -- a lost application dropped out in the last stage it reached
        CROSS JOIN LATERAL (
                SELECT CASE WHEN NOT l.active AND NOT r.enrolled
                             AND s.sequence = r.max_sequence THEN 1 ELSE 0 END
                ) AS dropout(value)
             WHERE l.type = 'opportunity'
            """,
            self._edu_query_steps(),
        )

    def _edu_query_steps(self):
        """Per application: the furthest stage it reached and whether it
        reached an enrolment stage (``reached``); the days it stayed in
        each stage (``stay``)."""
        return SQL(
            """
            reached AS (
                SELECT h.lead_id, MAX(s.sequence) AS max_sequence,
                       BOOL_OR(COALESCE(s.edu_is_enrolment, FALSE)) AS enrolled
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
