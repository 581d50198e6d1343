from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

PAYMENT_SEGMENTS = [
    ("on_time", "On Time"),
    ("late", "Late"),
    ("at_risk", "At Risk"),
    ("defaulted", "Defaulted"),
]
ENGAGEMENT_SEGMENTS = [
    ("clicked", "Clicked"),
    ("opened", "Opened"),
    ("unengaged", "Not Engaged"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    edu_payment_segment = fields.Selection(
        PAYMENT_SEGMENTS,
        string="Payment Segment",
        readonly=True,
        groups="base.group_user",
        copy=False,
        index="btree_not_null",
        help="From the tuition this person pays or studies for, recomputed daily: "
        "defaulted (unpaid more than 90 days), at risk (31-90 days), late "
        "(1-30 days, or less than 80 % paid on time), on time otherwise.",
    )
    edu_engagement_segment = fields.Selection(
        ENGAGEMENT_SEGMENTS,
        string="Engagement Segment",
        readonly=True,
        groups="base.group_user",
        copy=False,
        index="btree_not_null",
        help="From the mailings of the last 90 days, recomputed daily.",
    )
    edu_ontime_rate = fields.Float(
        string="On-time Payment Rate",
        readonly=True,
        groups="base.group_user",
        copy=False,
        digits=(3, 4),
        help="Share of this payer's due tuition invoices paid on or before the "
        "due date.",
    )
    edu_payment_history_count = fields.Integer(
        string="Due Tuition Invoices",
        readonly=True,
        groups="base.group_user",
        copy=False,
        help="Number of due tuition invoices the on-time rate is learned from.",
    )

    @api.model
    def _cron_compute_segments(self):
        """Daily job: recompute the payment and engagement segments of all
        partners in two set-based statements each (no per-partner loop)."""
        today = fields.Date.context_today(self)
        self._edu_compute_payment_segments(today)
        self._edu_compute_engagement_segments(fields.Datetime.now())
        # the forecast weights open instalments with the payer histories
        self.env["edu.cashin.forecast"]._edu_refresh()
        self.env["edu.reminder.log"]._edu_commit_progress(1, 0)

    @api.model
    def _edu_compute_payment_segments(self, today):
        """The payment segment, on-time rate and history of every payer and
        student (:meth:`_edu_sql_payment_segments`) written where they
        changed, cleared where the person has no tuition invoice any more."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            WITH %(segments)s, upd AS (
                UPDATE res_partner p
                   SET edu_payment_segment = seg.segment,
                       edu_ontime_rate = seg.rate,
                       edu_payment_history_count = seg.due_count
                  FROM seg
                 WHERE p.id = seg.partner_id
                   AND (p.edu_payment_segment IS DISTINCT FROM seg.segment
                        OR p.edu_ontime_rate IS DISTINCT FROM seg.rate
                        OR p.edu_payment_history_count IS DISTINCT FROM seg.due_count)
             RETURNING p.id
            )
            UPDATE res_partner p
               SET edu_payment_segment = NULL, edu_ontime_rate = 0,
                   edu_payment_history_count = 0
             WHERE p.edu_payment_segment IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM seg WHERE seg.partner_id = p.id)
            """,
                segments=self._edu_sql_payment_segments(today),
            )
        )
        self.invalidate_model(
            ["edu_payment_segment", "edu_ontime_rate", "edu_payment_history_count"]
        )

    @api.model
    def _edu_sql_payment_segments(self, today):
        """The CTEs ``inv`` (posted tuition invoices and when they were paid),
        ``roles`` (each counted for its payer and its student), ``stats``
        and ``seg`` (one row per person: segment, rate, history count)."""
        return SQL(
            """
            inv AS (
                SELECT m.id, m.commercial_partner_id AS payer_id,
                       c.student_id, m.invoice_date_due AS due,
                       m.amount_residual, m.payment_state,
                       (SELECT MAX(cl.date)
                          FROM account_move_line aml
                          JOIN account_partial_reconcile apr
                            ON apr.debit_move_id = aml.id
                          JOIN account_move_line cl ON cl.id = apr.credit_move_id
                         WHERE aml.move_id = m.id) AS paid_on
                  FROM account_move m
                  JOIN edu_tuition_instalment i ON i.id = m.edu_instalment_id
                  JOIN edu_tuition_contract c ON c.id = i.contract_id
                 WHERE m.move_type = 'out_invoice' AND m.state = 'posted'
                   AND m.payment_state <> 'reversed'
            ), roles AS (
                SELECT payer_id AS partner_id, * FROM inv
                UNION ALL
                SELECT student_id AS partner_id, * FROM inv
                 WHERE student_id <> payer_id
            ), stats AS (
                SELECT partner_id,
                       COUNT(*) FILTER (WHERE due < %(today)s) AS due_count,
                       COUNT(*) FILTER (
                           WHERE due < %(today)s
                             AND payment_state IN ('paid', 'in_payment')
                             AND (paid_on IS NULL OR paid_on <= due)
                       ) AS ontime_count,
                       COALESCE(MAX(%(today)s - due) FILTER (
                           WHERE amount_residual > 0 AND due < %(today)s), 0
                       ) AS max_overdue
                  FROM roles
                 GROUP BY partner_id
            ), seg AS (
                SELECT partner_id, due_count,
                       CASE WHEN due_count > 0
                            THEN ontime_count::float / due_count ELSE 0 END AS rate,
                       CASE WHEN max_overdue > 90 THEN 'defaulted'
                            WHEN max_overdue > 30 THEN 'at_risk'
                            WHEN max_overdue > 0 THEN 'late'
                            WHEN due_count > 0
                             AND ontime_count::float / due_count < 0.8 THEN 'late'
                            ELSE 'on_time' END AS segment
                  FROM stats
            )""",
            today=today,
        )

    @api.model
    def _edu_compute_engagement_segments(self, now):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            WITH tr AS (
                SELECT t.res_id AS partner_id, t.open_datetime,
                       t.links_click_datetime, t.trace_status
                  FROM mailing_trace t
                 WHERE t.model = 'res.partner'
                   AND COALESCE(t.sent_datetime, t.create_date)
                       >= %(since)s
                UNION ALL
                SELECT p.id, t.open_datetime, t.links_click_datetime,
                       t.trace_status
                  FROM mailing_trace t
                  JOIN res_partner p ON p.email_normalized = t.email
                 WHERE t.model <> 'res.partner'
                   AND COALESCE(t.sent_datetime, t.create_date)
                       >= %(since)s
            ), seg AS (
                SELECT partner_id,
                       CASE WHEN BOOL_OR(links_click_datetime IS NOT NULL)
                            THEN 'clicked'
                            WHEN BOOL_OR(open_datetime IS NOT NULL
                                         OR trace_status IN ('open', 'reply'))
                            THEN 'opened'
                            ELSE 'unengaged' END AS segment
                  FROM tr
                 WHERE trace_status NOT IN ('cancel', 'error', 'bounce', 'outgoing')
                    OR links_click_datetime IS NOT NULL
                 GROUP BY partner_id
            ), upd AS (
                UPDATE res_partner p SET edu_engagement_segment = seg.segment
                  FROM seg
                 WHERE p.id = seg.partner_id
                   AND p.edu_engagement_segment IS DISTINCT FROM seg.segment
             RETURNING p.id
            )
            UPDATE res_partner p SET edu_engagement_segment = NULL
             WHERE p.edu_engagement_segment IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM seg WHERE seg.partner_id = p.id)
            """,
                since=now - timedelta(days=90),
            )
        )
        self.invalidate_model(["edu_engagement_segment"])
