from dateutil.relativedelta import relativedelta
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from .edu_tuition_money import split_total


class EduPaymentPlan(models.Model):
    _name = "edu.payment.plan"
    _description = "Tuition Payment Plan"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    plan_type = fields.Selection(
        [
            ("upfront", "Full Upfront"),
            ("semester", "Per Semester"),
            ("monthly", "Monthly"),
            ("custom", "Custom Dates"),
        ],
        required=True,
        default="upfront",
    )
    instalment_count = fields.Integer(
        string="Number of Instalments",
        default=1,
        help="Number of semesters or months (ignored for upfront and custom plans).",
    )
    line_ids = fields.One2many(
        "edu.payment.plan.line", "plan_id", string="Custom Instalments", copy=True
    )
    company_id = fields.Many2one("res.company", index=True)

    @api.constrains("plan_type", "instalment_count", "line_ids")
    def _check_plan(self):
        for plan in self:
            if plan.plan_type in ("semester", "monthly") and plan.instalment_count < 1:
                raise ValidationError(
                    self.env._(
                        "Payment plan %s needs at least one instalment.", plan.name
                    )
                )
            if plan.plan_type == "custom":
                if not plan.line_ids:
                    raise ValidationError(
                        self.env._(
                            "Custom payment plan %s needs at least one line.",
                            plan.name,
                        )
                    )
                total = sum(plan.line_ids.mapped("percentage"))
                if float_compare(total, 100.0, precision_digits=4):
                    raise ValidationError(
                        self.env._(
                            "The percentages of payment plan %(plan)s add up to "
                            "%(total)s %%, not 100 %%.",
                            plan=plan.name,
                            total=total,
                        )
                    )

    @api.model
    def _edu_default_plans(self, companies):
        """The payment plan that new contracts of each of ``companies`` get
        (the first plan of the company or shared, by sequence): ``{company:
        plan}``. The proposal of contracts at enrolment and the cash-in
        forecast of the admissions pipeline both use it."""
        plans = self.search(
            [("company_id", "in", [False, *companies.ids])], order="sequence, id"
        )
        return {
            company: plans.filtered(
                lambda p, c=company: not p.company_id or p.company_id == c
            )[:1]
            for company in companies
        }

    def _edu_schedule_parts(self, date_start):
        """Return ``[(due_date, percentage), ...]``: when the instalments of
        a contract starting on ``date_start`` fall due, and which share of
        the total each one is. The schedule of contracts and the forecast of
        the admissions pipeline are both made of these parts."""
        self.ensure_one()
        if not date_start:
            raise UserError(self.env._("Set the start date before generating."))
        if self.plan_type == "upfront":
            return [(date_start, 100.0)]
        if self.plan_type in ("semester", "monthly"):
            step = 6 if self.plan_type == "semester" else 1
            count = max(self.instalment_count, 1)
            return [
                (date_start + relativedelta(months=step * i), 100.0 / count)
                for i in range(count)
            ]
        return [
            (
                date_start
                + relativedelta(months=line.delay_months, days=line.delay_days),
                line.percentage,
            )
            for line in self.line_ids.sorted(
                lambda ln: (ln.delay_months, ln.delay_days, ln.sequence, ln.id)
            )
        ]

    def _edu_schedule(self, total, currency, date_start):
        """Return ``[(due_date, amount), ...]`` for ``total`` in ``currency``.

        Every amount is rounded with the currency; the last instalment absorbs
        the rounding remainder so that the amounts always sum to ``total``.
        """
        self.ensure_one()
        parts = self._edu_schedule_parts(date_start)
        amounts = split_total(total, [share for _due, share in parts], currency)
        return [
            (due_date, amount)
            for (due_date, _share), amount in zip(parts, amounts, strict=True)
        ]


class EduPaymentPlanLine(models.Model):
    _name = "edu.payment.plan.line"
    _description = "Tuition Payment Plan Line"
    _order = "sequence, id"

    plan_id = fields.Many2one(
        "edu.payment.plan", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    percentage = fields.Float(required=True, digits=(16, 4))
    delay_months = fields.Integer(
        string="Months After Start", help="Due date offset from the contract start."
    )
    delay_days = fields.Integer(string="Days After Start")

    _sql_constraints = [
        (
            "percentage_positive",
            "CHECK(percentage > 0 AND percentage <= 100)",
            "A plan line percentage must be between 0 and 100.",
        ),
        (
            "delay_positive",
            "CHECK(delay_months >= 0 AND delay_days >= 0)",
            "Plan line offsets cannot be negative.",
        ),
    ]
