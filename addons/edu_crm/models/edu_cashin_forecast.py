from odoo import api, fields, models, tools
from odoo.exceptions import AccessError
from odoo.tools import SQL

MANAGER_GROUP = "edu_crm.group_edu_manager"


class EduCashinForecast(models.Model):
    """Tuition cash-in: the next 12 months expected (open instalments of
    active contracts and the planned ones of drafts awaiting activation,
    weighted by each payer's on-time history, overdue debt with its expected
    recovery this month by the same history, plus the admissions pipeline,
    accepted applications included, weighted by the lead probability and
    spread over the payment schedule its contracts would get) and the last
    12 months due versus received. Amounts are what
    the payers owe, taxes included, in the company's currency.

    The lines (one per invoice, payer share, lead or receipt) are weighted per
    payer, then summed per month, source, programme and company into a
    materialized view, refreshed by the daily job and when the report is
    opened on data older than an hour: reading the forecast stays fast on
    millions of instalment lines.

    The refresh, its stamp and the menu's "as of" are
    :class:`edu.refreshed.report`'s; the refresh is concurrent (readers
    keep reading the previous forecast until it commits)."""

    _name = "edu.cashin.forecast"
    _inherit = ["edu.refreshed.report"]
    _edu_refresh_lock = "edu_crm.cashin_forecast.refresh"
    _edu_refresh_views = ("edu_cashin_forecast_data", "edu_cashin_forecast_stamp")
    _edu_report_tables = ("edu_cashin_pipeline_part",)
    _edu_refresh_concurrently = True
    _description = "Tuition Cash-in Forecast"
    _auto = False
    _order = "date, kind"
    _rec_name = "date"

    date = fields.Date(string="Month", readonly=True)
    kind = fields.Selection(
        [
            ("open", "Open Instalments"),
            ("overdue", "Overdue Debt"),
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

    @api.model
    def _edu_pipeline_leads(self):
        """The condition on ``crm_lead l`` of the leads the pipeline counts:
        open and won (accepted, enrolled) opportunities with a probability,
        except those with an enrolment that has a tuition contract with a
        schedule: their cash is counted from the contract (its planned
        instalments while a draft, its invoices once active; nothing once
        cancelled). A draft not scheduled yet leaves the lead counted."""
        return SQL(
            """l.active AND l.type = 'opportunity' AND l.probability > 0
               AND NOT EXISTS (
                   SELECT 1 FROM edu_enrollment e
                     JOIN edu_tuition_contract c ON c.enrollment_id = e.id
                    WHERE e.lead_id = l.id
                      AND (c.state <> 'draft' OR EXISTS (
                           SELECT 1 FROM edu_tuition_instalment i
                            WHERE i.contract_id = c.id)))"""
        )

    def _edu_query(self):
        """The forecast's rows: the lines of each source (``_edu_sql_*``),
        summed per kind, month, programme and company. A row's id is its
        first line's (unique: a line is in one row), the same after every
        refresh while that line is in it: a pivot's cell opened as a list
        and a row opened from it are the same row, and the refresh can be
        concurrent (a unique index)."""
        lines = SQL("\n            UNION ALL\n").join(
            [
                self._edu_sql_invoiced(),
                self._edu_sql_overdue(),
                self._edu_sql_scheduled(),
                self._edu_sql_pipeline(),
                self._edu_sql_past_due(),
                self._edu_sql_receipts(),
            ]
        )
        return SQL(
            """
        WITH params AS (%(params)s), lines AS (%(lines)s)
        SELECT MIN(lines.id) AS id,
               lines.kind, lines.date, lines.programme_id, lines.company_id,
               COUNT(*) AS line_count,
               SUM(lines.amount_open) AS amount_open,
               SUM(lines.amount_open * COALESCE(lines.probability, 0))
                   AS amount_expected,
               SUM(lines.amount_due) AS amount_due,
               SUM(lines.amount_received) AS amount_received
          FROM lines
         GROUP BY lines.kind, lines.date, lines.programme_id, lines.company_id
            """,
            params=self._edu_sql_params(),
            lines=lines,
        )

    def _edu_sql_params(self):
        """One row: this month, the horizon (12 months ahead), the start of
        the past (12 months back) and the rate of a payer without history."""
        return SQL(
            """
            SELECT date_trunc('month', CURRENT_DATE)::date AS this_month,
                   (date_trunc('month', CURRENT_DATE)
                    + interval '12 months')::date AS horizon,
                   (date_trunc('month', CURRENT_DATE)
                    - interval '12 months')::date AS since,
                   COALESCE((SELECT NULLIF(value, '')::float
                               FROM ir_config_parameter
                              WHERE key = 'edu_crm.forecast_default_probability'),
                            0.8) AS default_rate"""
        )

    def _edu_sql_payer_rate(self):
        """The probability that the payer ``p`` pays: their on-time rate, else
        the rate of a new payer."""
        return SQL(
            """CASE WHEN p.edu_payment_history_count > 0
                        THEN p.edu_ontime_rate ELSE params.default_rate END"""
        )

    def _edu_sql_invoiced(self):
        """Invoiced, not due yet: weighted by the payer's on-time rate. The
        first line names the columns of every source."""
        return SQL(
            """
            SELECT m.id::bigint * 8 + 1 AS id, 'open' AS kind,
                   date_trunc('month', m.invoice_date_due)::date AS date,
                   m.commercial_partner_id AS partner_id,
                   i.programme_id, m.company_id,
                   %(rate)s AS probability,
                   m.amount_residual_signed AS amount_open,
                   0.0 AS amount_due, 0.0 AS amount_received
              FROM account_move m
              JOIN params ON TRUE
              JOIN edu_tuition_instalment i ON i.id = m.edu_instalment_id
              JOIN res_partner p ON p.id = m.commercial_partner_id
             WHERE %(open_invoice)s
               AND m.invoice_date_due >= CURRENT_DATE
               AND m.invoice_date_due < params.horizon""",
            rate=self._edu_sql_payer_rate(),
            open_invoice=self.env["account.move"]._edu_open_tuition_sql("m"),
        )

    def _edu_sql_overdue(self):
        """Overdue debt, expected to be recovered this month as the payer
        paid in the past (on-time rate), else as a new payer does."""
        return SQL(
            """
            SELECT m.id::bigint * 8 + 6, 'overdue', params.this_month,
                   m.commercial_partner_id, i.programme_id, m.company_id,
                   %(rate)s,
                   m.amount_residual_signed, 0.0, 0.0
              FROM account_move m
              JOIN params ON TRUE
              JOIN edu_tuition_instalment i ON i.id = m.edu_instalment_id
              JOIN res_partner p ON p.id = m.commercial_partner_id
             WHERE %(open_invoice)s
               AND m.invoice_date_due < CURRENT_DATE""",
            rate=self._edu_sql_payer_rate(),
            open_invoice=self.env["account.move"]._edu_open_tuition_sql("m"),
        )

    def _edu_sql_scheduled(self):
        """Scheduled, not invoiced yet (active contracts, and drafts awaiting
        activation): one line per payer share of what the instalment will be
        invoiced (taxes included); a draft without payers yet as if the
        student paid it all."""
        return SQL(
            """
            SELECT ((i.id::bigint * 2147483648) + pay.id) * 8 + 2, 'open',
                   GREATEST(date_trunc('month', i.due_date)::date,
                            params.this_month),
                   pay.partner_id, i.programme_id, i.company_id,
                   %(rate)s,
                   i.amount_total * pay.share / 100.0
                       * COALESCE(rate.factor, 1.0), 0.0, 0.0
              FROM edu_tuition_instalment i
              JOIN params ON TRUE
              JOIN LATERAL (
                   SELECT pr.id, pr.partner_id, pr.share
                     FROM edu_tuition_payer pr
                    WHERE pr.contract_id = i.contract_id
                   UNION ALL
                   SELECT 0, i.student_id, 100.0
                    WHERE NOT EXISTS (SELECT 1 FROM edu_tuition_payer pr
                                       WHERE pr.contract_id = i.contract_id)
                   ) pay ON TRUE
              JOIN res_partner p ON p.id = pay.partner_id
              JOIN res_company co ON co.id = i.company_id
              LEFT JOIN LATERAL (%(factor)s) rate ON TRUE
             WHERE i.payment_state = 'to_invoice'
               AND i.contract_state IN ('draft', 'active')
               AND i.due_date < params.horizon""",
            rate=self._edu_sql_payer_rate(),
            factor=self._edu_sql_currency_factor(),
        )

    def _edu_sql_currency_factor(self):
        """For an instalment ``i`` in another currency than its company ``co``:
        today's rate to the company's currency (no row otherwise)."""
        return SQL(
            """
                   SELECT COALESCE(%(company_rate)s, 1.0)
                          / NULLIF(%(instalment_rate)s, 0) AS factor
                    WHERE i.currency_id <> co.currency_id
                   """,
            company_rate=self._edu_sql_rate_today(SQL("co.currency_id")),
            instalment_rate=self._edu_sql_rate_today(SQL("i.currency_id")),
        )

    def _edu_sql_rate_today(self, currency):
        """Today's rate of ``currency`` (an SQL expression) in company ``co``."""
        return SQL(
            """(
                            SELECT r.rate FROM res_currency_rate r
                             WHERE r.currency_id = %s
                               AND r.name <= CURRENT_DATE
                               AND (r.company_id = co.id OR r.company_id IS NULL)
                             ORDER BY r.company_id IS NULL, r.name DESC
                             LIMIT 1)""",
            currency,
        )

    def _edu_sql_pipeline(self):
        """Admissions pipeline: expected tuition x lead probability, spread
        over the schedule contracts of the intake would get
        (``edu_cashin_pipeline_part``, filled from the payment plans)."""
        return SQL(
            """
            SELECT (l.id::bigint * 64 + part.seq) * 8 + 3, 'pipeline',
                   GREATEST(date_trunc('month', part.due_date)::date,
                            params.this_month),
                   l.partner_id, l.edu_programme_id, lead.company_id,
                   l.probability / 100.0,
                   COALESCE(NULLIF(l.expected_revenue, 0), pt.list_price, 0)
                       * part.share / 100.0,
                   0.0, 0.0
              FROM crm_lead l
              JOIN params ON TRUE
              JOIN edu_programme prog ON prog.id = l.edu_programme_id
              LEFT JOIN edu_intake it ON it.id = l.edu_intake_id
              LEFT JOIN product_product pp ON pp.id = prog.product_id
              LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
              JOIN LATERAL (
                   SELECT COALESCE(l.company_id, prog.company_id) AS company_id,
                          COALESCE(it.date_start, l.date_deadline, CURRENT_DATE)
                              AS date_start
                   ) lead ON TRUE
              JOIN edu_cashin_pipeline_part part
                ON part.company_id = lead.company_id
               AND part.date_start = lead.date_start
             WHERE %s
               AND part.due_date < params.horizon""",
            self._edu_pipeline_leads(),
        )

    def _edu_sql_past_due(self):
        """Past months: what was due ..."""
        return SQL(
            """
            SELECT m.id::bigint * 8 + 4, 'due',
                   date_trunc('month', m.invoice_date_due)::date,
                   m.commercial_partner_id, i.programme_id, m.company_id,
                   NULL, 0.0, m.amount_total_signed, 0.0
              FROM account_move m
              JOIN params ON TRUE
              JOIN edu_tuition_instalment i ON i.id = m.edu_instalment_id
             WHERE m.move_type = 'out_invoice' AND m.state = 'posted'
               AND m.payment_state <> 'reversed'
               AND m.invoice_date_due >= params.since
               AND m.invoice_date_due < params.this_month"""
        )

    def _edu_sql_receipts(self):
        """... and what was received (payments, not credit notes)."""
        return SQL(
            """
            SELECT apr.id::bigint * 8 + 5, 'receipt',
                   date_trunc('month', cl.date)::date,
                   m.commercial_partner_id, i.programme_id, m.company_id,
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
               AND cl.date >= params.since"""
        )

    def _edu_fill_pipeline_parts(self):
        """Write the schedule of the pipeline into ``edu_cashin_pipeline_part``:
        for each company and start date of the open leads (their intake's
        start), the due dates and shares of the payment plan that contracts
        of that company get (``edu.payment.plan._edu_default_plans``, the
        schedule code of the contracts: ``_edu_schedule_parts``). A company
        without plan is paid upfront. Read by the materialized view, which
        cannot run Python."""
        cr = self.env.cr
        self.env["crm.lead"].flush_model(
            ["active", "type", "probability", "company_id", "date_deadline"]
        )
        self.env["crm.lead"].flush_model(["edu_programme_id", "edu_intake_id"])
        self.env["edu.intake"].flush_model(["date_start"])
        self.env["edu.payment.plan"].flush_model()
        self.env["edu.payment.plan.line"].flush_model()
        self.env["edu.enrollment"].flush_model(["lead_id"])
        self.env["edu.tuition.contract"].flush_model(["enrollment_id", "state"])
        self.env["edu.tuition.instalment"].flush_model(["contract_id"])
        cr.execute(
            SQL(
                """
            SELECT DISTINCT COALESCE(l.company_id, prog.company_id),
                   COALESCE(it.date_start, l.date_deadline, CURRENT_DATE)
              FROM crm_lead l
              JOIN edu_programme prog ON prog.id = l.edu_programme_id
              LEFT JOIN edu_intake it ON it.id = l.edu_intake_id
             WHERE %s
               AND COALESCE(l.company_id, prog.company_id) IS NOT NULL
            """,
                self._edu_pipeline_leads(),
            )
        )
        starts = cr.fetchall()
        companies = self.env["res.company"].browse({row[0] for row in starts})
        plans = self.env["edu.payment.plan"].sudo()._edu_default_plans(companies)
        rows = []
        for company_id, date_start in starts:
            plan = plans[self.env["res.company"].browse(company_id)]
            parts = (
                plan._edu_schedule_parts(date_start) if plan else [(date_start, 100.0)]
            )
            rows += [
                (company_id, date_start, seq, due_date, share)
                for seq, (due_date, share) in enumerate(parts)
            ]
        cr.execute("DELETE FROM edu_cashin_pipeline_part")
        if rows:
            columns = list(zip(*rows, strict=True))
            cr.execute(
                SQL(
                    """
                INSERT INTO edu_cashin_pipeline_part
                       (company_id, date_start, seq, due_date, share)
                SELECT UNNEST(%s::int[]), UNNEST(%s::date[]), UNNEST(%s::int[]),
                       UNNEST(%s::date[]), UNNEST(%s::float[])
                """,
                    *[list(column) for column in columns],
                )
            )

    def init(self):
        cr = self.env.cr
        tools.drop_view_if_exists(cr, self._table)
        cr.execute("DROP MATERIALIZED VIEW IF EXISTS edu_cashin_forecast_data CASCADE")
        cr.execute("DROP MATERIALIZED VIEW IF EXISTS edu_cashin_forecast_stamp")
        cr.execute(
            """
            CREATE TABLE IF NOT EXISTS edu_cashin_pipeline_part (
                company_id integer NOT NULL,
                date_start date NOT NULL,
                seq integer NOT NULL,
                due_date date NOT NULL,
                share double precision NOT NULL,
                PRIMARY KEY (company_id, date_start, seq)
            )
            """
        )
        self._edu_fill_pipeline_parts()
        cr.execute(
            SQL(
                "CREATE MATERIALIZED VIEW edu_cashin_forecast_data AS (%s)",
                self._edu_query(),
            )
        )
        cr.execute(
            """
            CREATE MATERIALIZED VIEW edu_cashin_forecast_stamp AS
            SELECT 1 AS id, statement_timestamp() AT TIME ZONE 'UTC' AS refreshed_at
            """
        )
        # the unique indexes a concurrent refresh needs
        cr.execute(
            "CREATE UNIQUE INDEX edu_cashin_forecast_data_id"
            " ON edu_cashin_forecast_data (id)"
        )
        cr.execute(
            "CREATE UNIQUE INDEX edu_cashin_forecast_stamp_id"
            " ON edu_cashin_forecast_stamp (id)"
        )
        cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %s AS (
                SELECT d.*, co.currency_id
                  FROM edu_cashin_forecast_data d
                  JOIN res_company co ON co.id = d.company_id
            )""",
                SQL.identifier(self._table),
            )
        )

    @api.model
    def _edu_before_refresh(self):
        self._edu_fill_pipeline_parts()

    @api.model
    def action_open_forecast(self):
        """Open the forecast (the menu's server action), refreshed first when
        older than an hour. Bursars only: a refresh reads every open
        instalment, invoice, payment and lead."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only an Education Manager (bursar) can do this.")
            )
        return self._edu_open_refreshed(
            "edu_crm.edu_cashin_forecast_action",
            lambda when: self.env._("Cash-in Forecast (as of %(when)s)", when=when),
        )
