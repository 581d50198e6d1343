from odoo import fields, models, tools
from odoo.tools import SQL


class EduCashinForecast(models.Model):
    """Tuition cash-in: the next 12 months expected (open instalments weighted
    by each payer's on-time history, plus the admissions pipeline weighted by
    the lead probability) and the last 12 months due versus received."""

    _name = "edu.cashin.forecast"
    _description = "Tuition Cash-in Forecast"
    _auto = False
    _order = "date, kind"
    _rec_name = "date"

    date = fields.Date(string="Month", readonly=True)
    kind = fields.Selection(
        [
            ("open", "Open Instalments"),
            ("pipeline", "Admissions Pipeline"),
            ("due", "Due (past)"),
            ("receipt", "Received"),
        ],
        readonly=True,
    )
    partner_id = fields.Many2one("res.partner", string="Payer", readonly=True)
    programme_id = fields.Many2one("edu.programme", string="Programme", readonly=True)
    lead_id = fields.Many2one("crm.lead", string="Opportunity", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    probability = fields.Float(readonly=True, aggregator="avg", digits=(3, 4))
    amount_open = fields.Monetary(string="Open Amount", readonly=True)
    amount_expected = fields.Monetary(string="Expected", readonly=True)
    amount_due = fields.Monetary(string="Was Due", readonly=True)
    amount_received = fields.Monetary(string="Received", readonly=True)

    def _edu_query(self):
        return SQL(
            """
        WITH params AS (
            SELECT date_trunc('month', CURRENT_DATE)::date AS this_month,
                   (date_trunc('month', CURRENT_DATE)
                    + interval '12 months')::date AS horizon,
                   (date_trunc('month', CURRENT_DATE)
                    - interval '12 months')::date AS since,
                   COALESCE((SELECT NULLIF(value, '')::float
                               FROM ir_config_parameter
                              WHERE key = 'edu_crm.forecast_default_probability'),
                            0.8) AS default_rate
        ), lines AS (
            -- invoiced, still open: weighted by the payer's on-time rate
            SELECT m.id::bigint * 8 + 1 AS id, 'open' AS kind,
                   GREATEST(date_trunc('month', m.invoice_date_due)::date,
                            params.this_month) AS date,
                   m.commercial_partner_id AS partner_id,
                   i.programme_id, NULL::integer AS lead_id, m.company_id,
                   CASE WHEN p.edu_payment_history_count > 0
                        THEN p.edu_ontime_rate ELSE params.default_rate END
                       AS probability,
                   m.amount_residual_signed AS amount_open,
                   0.0 AS amount_due, 0.0 AS amount_received
              FROM account_move m
              JOIN params ON TRUE
              JOIN edu_tuition_instalment i ON i.id = m.edu_instalment_id
              JOIN res_partner p ON p.id = m.commercial_partner_id
             WHERE m.move_type = 'out_invoice' AND m.state = 'posted'
               AND m.payment_state IN ('not_paid', 'partial')
               AND m.invoice_date_due < params.horizon
            UNION ALL
            -- scheduled, not invoiced yet: one line per payer share
            SELECT ((i.id::bigint * 2147483648) + pay.id) * 8 + 2, 'open',
                   GREATEST(date_trunc('month', i.due_date)::date,
                            params.this_month),
                   pay.partner_id, i.programme_id, NULL, i.company_id,
                   CASE WHEN p.edu_payment_history_count > 0
                        THEN p.edu_ontime_rate ELSE params.default_rate END,
                   i.amount * pay.share / 100.0, 0.0, 0.0
              FROM edu_tuition_instalment i
              JOIN params ON TRUE
              JOIN edu_tuition_payer pay ON pay.contract_id = i.contract_id
              JOIN res_partner p ON p.id = pay.partner_id
             WHERE i.payment_state = 'to_invoice'
               AND i.contract_state = 'active'
               AND i.due_date < params.horizon
            UNION ALL
            -- admissions pipeline: expected tuition x lead probability
            SELECT l.id::bigint * 8 + 3, 'pipeline',
                   GREATEST(date_trunc('month', COALESCE(
                       it.date_start, l.date_deadline, CURRENT_DATE))::date,
                       params.this_month),
                   l.partner_id, l.edu_programme_id, l.id, l.company_id,
                   l.probability / 100.0,
                   COALESCE(NULLIF(l.expected_revenue, 0), pt.list_price, 0),
                   0.0, 0.0
              FROM crm_lead l
              JOIN params ON TRUE
              JOIN edu_programme prog ON prog.id = l.edu_programme_id
              LEFT JOIN edu_intake it ON it.id = l.edu_intake_id
              LEFT JOIN product_product pp ON pp.id = prog.product_id
              LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
             WHERE l.active AND l.type = 'opportunity'
               AND l.probability < 100 AND l.probability > 0
               AND COALESCE(it.date_start, l.date_deadline, CURRENT_DATE)
                   < params.horizon
            UNION ALL
            -- past months: what was due ...
            SELECT m.id::bigint * 8 + 4, 'due', date_trunc('month', m.invoice_date_due)::date,
                   m.commercial_partner_id, i.programme_id, NULL, m.company_id,
                   NULL, 0.0, m.amount_total_signed, 0.0
              FROM account_move m
              JOIN params ON TRUE
              JOIN edu_tuition_instalment i ON i.id = m.edu_instalment_id
             WHERE m.move_type = 'out_invoice' AND m.state = 'posted'
               AND m.payment_state <> 'reversed'
               AND m.invoice_date_due >= params.since
               AND m.invoice_date_due < params.this_month
            UNION ALL
            -- ... and what was received (payments, not credit notes)
            SELECT apr.id::bigint * 8 + 5, 'receipt',
                   date_trunc('month', cl.date)::date,
                   m.commercial_partner_id, i.programme_id, NULL, m.company_id,
                   NULL, 0.0, 0.0, apr.amount
              FROM account_move m
              JOIN params ON TRUE
              JOIN edu_tuition_instalment i ON i.id = m.edu_instalment_id
              JOIN account_move_line dl ON dl.move_id = m.id
              JOIN account_partial_reconcile apr ON apr.debit_move_id = dl.id
              JOIN account_move_line cl ON cl.id = apr.credit_move_id
              JOIN account_move cm ON cm.id = cl.move_id
             WHERE m.move_type = 'out_invoice' AND m.state = 'posted'
               AND cm.move_type <> 'out_refund'
               AND cl.date >= params.since
        )
        SELECT lines.id, lines.kind, lines.date, lines.partner_id, lines.programme_id,
               lines.lead_id, lines.company_id, co.currency_id,
               lines.probability,
               lines.amount_open,
               lines.amount_open * COALESCE(lines.probability, 0)
                   AS amount_expected,
               lines.amount_due, lines.amount_received
          FROM lines
          JOIN res_company co ON co.id = lines.company_id
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
