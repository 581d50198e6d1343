from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError
from odoo.tools import SQL
from odoo.tools.misc import format_datetime

MANAGER_GROUP = "edu_crm.group_edu_manager"
# the report opened from the menu is at most this old
REFRESH_AFTER = timedelta(hours=1)


class EduCashinForecast(models.Model):
    """Tuition cash-in: the next 12 months expected (open instalments weighted
    by each payer's on-time history, plus the admissions pipeline weighted by
    the lead probability) and the last 12 months due versus received.

    The lines (one per invoice, payer share, lead or receipt) are weighted per
    payer, then summed per month, source, programme and company into a
    materialized view, refreshed by the daily job and when the report is
    opened on data older than an hour: reading the forecast stays fast on
    millions of instalment lines.

    The time of the last refresh is a one-row materialized view refreshed in
    the same transaction as the data, so it can never disagree with it; a
    system parameter would do too, but ``ir.config_parameter`` writes clear
    the registry caches of every worker (``registry.clear_cache()``) on each
    refresh."""

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
    programme_id = fields.Many2one("edu.programme", string="Programme", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    line_count = fields.Integer(string="Lines", readonly=True)
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
            SELECT m.id::bigint * 8 + 4, 'due',
                   date_trunc('month', m.invoice_date_due)::date,
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
        SELECT lines.kind, lines.date, lines.programme_id, lines.company_id,
               COUNT(*) AS line_count,
               SUM(lines.amount_open) AS amount_open,
               SUM(lines.amount_open * COALESCE(lines.probability, 0))
                   AS amount_expected,
               SUM(lines.amount_due) AS amount_due,
               SUM(lines.amount_received) AS amount_received
          FROM lines
         GROUP BY lines.kind, lines.date, lines.programme_id, lines.company_id
            """
        )

    def init(self):
        cr = self.env.cr
        tools.drop_view_if_exists(cr, self._table)
        cr.execute("DROP MATERIALIZED VIEW IF EXISTS edu_cashin_forecast_data CASCADE")
        cr.execute("DROP MATERIALIZED VIEW IF EXISTS edu_cashin_forecast_stamp")
        cr.execute(
            SQL(
                "CREATE MATERIALIZED VIEW edu_cashin_forecast_data AS (%s)",
                self._edu_query(),
            )
        )
        cr.execute(
            """
            CREATE MATERIALIZED VIEW edu_cashin_forecast_stamp AS
            SELECT statement_timestamp() AT TIME ZONE 'UTC' AS refreshed_at
            """
        )
        cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %s AS (
                SELECT ROW_NUMBER() OVER (ORDER BY d.date, d.kind) AS id,
                       d.*, co.currency_id
                  FROM edu_cashin_forecast_data d
                  JOIN res_company co ON co.id = d.company_id
            )""",
                SQL.identifier(self._table),
            )
        )

    @api.model
    def _edu_refresh(self):
        """Recompute the forecast from the current schedules, invoices,
        payments, payer histories and leads."""
        self.env.flush_all()
        self.env.cr.execute("REFRESH MATERIALIZED VIEW edu_cashin_forecast_data")
        self.env.cr.execute("REFRESH MATERIALIZED VIEW edu_cashin_forecast_stamp")
        self.invalidate_model()

    @api.model
    def _edu_refreshed_at(self):
        """When the forecast was last computed (naive UTC datetime)."""
        self.env.cr.execute("SELECT refreshed_at FROM edu_cashin_forecast_stamp")
        row = self.env.cr.fetchone()
        return row and row[0]

    @api.model
    def action_open_forecast(self):
        """Open the forecast (the menu's server action), refreshed first when
        older than an hour. Bursars only: a refresh reads every open
        instalment, invoice, payment and lead."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only an Education Manager (bursar) can do this.")
            )
        refreshed_at = self._edu_refreshed_at()
        if not refreshed_at or fields.Datetime.now() - refreshed_at > REFRESH_AFTER:
            self._edu_refresh()
            refreshed_at = self._edu_refreshed_at()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "edu_crm.edu_cashin_forecast_action"
        )
        action["name"] = self.env._(
            "Cash-in Forecast (as of %(when)s)",
            when=format_datetime(self.env, refreshed_at, dt_format="short"),
        )
        return action
