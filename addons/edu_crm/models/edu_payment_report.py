from odoo import fields, models, tools
from odoo.tools import SQL


class EduPaymentReport(models.Model):
    """Open tuition invoices with their age: the Payments dashboard."""

    _name = "edu.payment.report"
    _description = "Tuition Payments Analysis"
    _auto = False
    _order = "days_overdue desc, invoice_id"
    _rec_name = "invoice_id"

    invoice_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    instalment_id = fields.Many2one(
        "edu.tuition.instalment", string="Instalment", readonly=True
    )
    contract_id = fields.Many2one(
        "edu.tuition.contract", string="Contract", readonly=True
    )
    partner_id = fields.Many2one("res.partner", string="Payer", readonly=True)
    student_id = fields.Many2one("res.partner", string="Student", readonly=True)
    programme_id = fields.Many2one("edu.programme", string="Programme", readonly=True)
    sponsor_id = fields.Many2one(
        "res.partner",
        string="Sponsor",
        readonly=True,
        help="The payer when it is not the student.",
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    age_bucket = fields.Selection(
        [
            ("0_not_due", "Not Due"),
            ("1_30", "1-30 days"),
            ("2_60", "31-60 days"),
            ("3_90", "61-90 days"),
            ("4_90p", "90+ days"),
        ],
        readonly=True,
    )
    amount_total = fields.Monetary(string="Invoiced", readonly=True)
    amount_residual = fields.Monetary(string="Amount Due", readonly=True)
    amount_overdue = fields.Monetary(readonly=True)
    stage_id = fields.Many2one(
        "edu.reminder.stage", string="Reminder Stage", readonly=True
    )

    def _edu_query(self):
        return SQL(
            """
            SELECT m.id AS id,
                   m.id AS invoice_id,
                   m.edu_instalment_id AS instalment_id,
                   i.contract_id,
                   m.commercial_partner_id AS partner_id,
                   c.student_id,
                   c.programme_id,
                   CASE WHEN m.commercial_partner_id <> COALESCE(
                            st.commercial_partner_id, st.id)
                        THEN m.commercial_partner_id END AS sponsor_id,
                   m.company_id,
                   co.currency_id,
                   m.invoice_date_due AS date_due,
                   GREATEST(CURRENT_DATE - m.invoice_date_due, 0) AS days_overdue,
                   CASE WHEN m.invoice_date_due >= CURRENT_DATE THEN '0_not_due'
                        WHEN CURRENT_DATE - m.invoice_date_due <= 30 THEN '1_30'
                        WHEN CURRENT_DATE - m.invoice_date_due <= 60 THEN '2_60'
                        WHEN CURRENT_DATE - m.invoice_date_due <= 90 THEN '3_90'
                        ELSE '4_90p' END AS age_bucket,
                   m.amount_total_signed AS amount_total,
                   m.amount_residual_signed AS amount_residual,
                   CASE WHEN m.invoice_date_due < CURRENT_DATE
                        THEN m.amount_residual_signed ELSE 0 END AS amount_overdue,
                   last.stage_id
              FROM account_move m
              JOIN edu_tuition_instalment i ON i.id = m.edu_instalment_id
              JOIN edu_tuition_contract c ON c.id = i.contract_id
              JOIN res_partner st ON st.id = c.student_id
              JOIN res_company co ON co.id = m.company_id
              LEFT JOIN LATERAL (
                   SELECT l.stage_id
                     FROM edu_reminder_log l
                     JOIN edu_reminder_stage s ON s.id = l.stage_id
                    WHERE l.instalment_id = i.id AND l.state <> 'pending'
                    ORDER BY s.days_overdue DESC, l.id DESC
                    LIMIT 1
                   ) last ON TRUE
             WHERE %s
            """,
            self.env["account.move"]._edu_open_tuition_sql("m"),
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
