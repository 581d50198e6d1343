from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare
from odoo.tools.misc import format_date

MANAGER_GROUP = "edu_crm.group_edu_manager"
# set by the transitions, the document registry, the reminder job and the
# computations: never by a user's create or write, whatever the group
SYSTEM_FIELDS = frozenset(
    {
        "state",
        "name",
        "document_id",
        "suspension_proposed",
        "invoice_ids",
        "invoice_count",
        "amount_price",
        "amount_untaxed",
        "amount_tax",
        "amount_total",
        "activation_warning",
        "amount_invoiced",
        "amount_paid",
        "amount_residual",
    }
)
# the terms of the contract: free in draft, frozen once it is active
TERMS_FIELDS = frozenset(
    {
        "enrollment_id",
        "student_id",
        "programme_id",
        "company_id",
        "currency_id",
        "product_id",
        "list_price",
        "discount",
        "scholarship_amount",
        "plan_id",
        "date_start",
        "past_due_policy",
        "payer_ids",
        "instalment_ids",
    }
)
# frozen outside draft even for internal code running as superuser
PRICE_FIELDS = frozenset(
    {"list_price", "discount", "scholarship_amount", "currency_id"}
)


class EduTuitionContract(models.Model):
    _name = "edu.tuition.contract"
    _description = "Tuition Contract"
    _inherit = ["mail.thread", "mail.activity.mixin", "edu.system.fields.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    _edu_system_fields = SYSTEM_FIELDS

    name = fields.Char(
        string="Reference", required=True, copy=False, readonly=True, default="/"
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "Active"),
            ("closed", "Closed"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="draft",
        copy=False,
        tracking=True,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    # groups="base.group_user": staff only; the portal (students, sponsors)
    # reads what its tuition page shows: reference, state, programme, totals
    enrollment_id = fields.Many2one(
        "edu.enrollment",
        string="Enrolment",
        groups="base.group_user",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        ondelete="restrict",
    )
    student_id = fields.Many2one(
        "res.partner",
        string="Student",
        required=True,
        index=True,
        tracking=True,
        compute="_compute_from_enrollment",
        store=True,
        readonly=False,
        precompute=True,
    )
    programme_id = fields.Many2one(
        "edu.programme",
        string="Programme",
        index=True,
        tracking=True,
        check_company=True,
        compute="_compute_from_enrollment",
        store=True,
        readonly=False,
        precompute=True,
    )
    document_id = fields.Many2one(
        "edu.document",
        string="Contract Document",
        readonly=True,
        groups="base.group_user",
        copy=False,
        help="The numbered contract issued through the document registry.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Bursar",
        default=lambda self: self.env.user,
        groups="base.group_user",
        tracking=True,
        help="Responsible for this contract; receives the reminder activities.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        tracking=True,
    )
    product_id = fields.Many2one(
        "product.product",
        string="Tuition Product",
        groups="base.group_user",
        compute="_compute_product_id",
        store=True,
        readonly=False,
        check_company=True,
        help="Product used on the invoices: its taxes and accounts apply.",
    )
    list_price = fields.Monetary(
        groups="base.group_user",
        compute="_compute_list_price",
        store=True,
        readonly=False,
        tracking=True,
        help="Programme tuition price, converted to the contract currency.",
    )
    discount = fields.Float(
        string="Discount (%)",
        digits="Discount",
        tracking=True,
        groups="base.group_user",
    )
    scholarship_amount = fields.Monetary(
        string="Scholarship", tracking=True, groups="base.group_user"
    )
    # the price the schedule splits (before the invoices' taxes, unless the
    # tuition product's price includes them)
    amount_price = fields.Monetary(
        string="Price",
        compute="_compute_amount_price",
        store=True,
        groups="base.group_user",
        help="List price less discount and scholarship: what the payment plan "
        "splits into instalments.",
    )
    # what the payers owe, taxes included, and its untaxed part for
    # Accounting: the sums of the instalments (see their amounts)
    amount_untaxed = fields.Monetary(
        string="Untaxed Amount", compute="_compute_amounts", store=True
    )
    amount_tax = fields.Monetary(string="Taxes", compute="_compute_amounts", store=True)
    amount_total = fields.Monetary(
        string="Total",
        compute="_compute_amounts",
        store=True,
        help="What the payers owe for the contract, taxes included.",
    )
    plan_id = fields.Many2one(
        "edu.payment.plan",
        string="Payment Plan",
        groups="base.group_user",
        check_company=True,
        tracking=True,
    )
    # readable by the portal: the contracts are ordered by it
    date_start = fields.Date(
        string="Start Date", required=True, default=fields.Date.context_today
    )
    past_due_policy = fields.Selection(
        [
            ("grace", "Move them to the activation date plus the grace period"),
            ("keep", "Keep their due dates (invoiced overdue)"),
        ],
        string="Instalments Due Before Activation",
        required=True,
        default="grace",
        groups="base.group_user",
        tracking=True,
        help="A contract activated after some of its due dates (a late "
        "enrolment): by default those instalments fall due at the end of the "
        "grace period of the company (Settings); keep their dates only when "
        "the payer agreed to pay them at once.",
    )
    activation_warning = fields.Char(
        compute="_compute_activation_warning", groups="base.group_user"
    )
    payer_ids = fields.One2many(
        "edu.tuition.payer",
        "contract_id",
        string="Payers",
        copy=True,
        groups="base.group_user",
    )
    instalment_ids = fields.One2many(
        "edu.tuition.instalment", "contract_id", string="Instalments", copy=True
    )
    invoice_ids = fields.One2many(
        "account.move", "edu_contract_id", string="Invoices", readonly=True
    )
    invoice_count = fields.Integer(
        compute="_compute_invoice_count", groups="base.group_user"
    )
    amount_invoiced = fields.Monetary(
        compute="_compute_amounts", store=True, groups="base.group_user"
    )
    amount_paid = fields.Monetary(compute="_compute_amounts", store=True)
    amount_residual = fields.Monetary(
        string="Amount Due", compute="_compute_amounts", store=True
    )
    suspension_proposed = fields.Boolean(
        readonly=True,
        groups="base.group_user",
        copy=False,
        tracking=True,
        help="Set by the reminder ladder when a stage proposes to suspend.",
    )
    note = fields.Html(groups="base.group_user")

    _sql_constraints = [
        (
            "discount_range",
            "CHECK(discount >= 0 AND discount <= 100)",
            "The discount must be between 0 and 100 %.",
        ),
        (
            "scholarship_positive",
            "CHECK(scholarship_amount >= 0)",
            "The scholarship cannot be negative.",
        ),
    ]

    @api.depends("enrollment_id")
    def _compute_from_enrollment(self):
        for contract in self:
            enrollment = contract.enrollment_id
            if enrollment:
                contract.student_id = enrollment.partner_id
                contract.programme_id = enrollment.programme_id

    @api.depends("programme_id")
    def _compute_product_id(self):
        for contract in self:
            if contract.programme_id.product_id:
                contract.product_id = contract.programme_id.product_id

    @api.depends("product_id", "currency_id", "company_id", "date_start")
    def _compute_list_price(self):
        for contract in self:
            product = contract.product_id
            if not product:
                continue
            company = contract.company_id or self.env.company
            contract.list_price = company.currency_id._convert(
                product.with_company(company).lst_price,
                contract.currency_id or company.currency_id,
                company,
                contract.date_start or fields.Date.context_today(contract),
            )

    @api.depends("list_price", "discount", "scholarship_amount", "currency_id")
    def _compute_amount_price(self):
        for contract in self:
            currency = contract.currency_id or self.env.company.currency_id
            contract.amount_price = currency.round(
                contract.list_price * (1 - (contract.discount or 0.0) / 100.0)
                - contract.scholarship_amount
            )

    def _compute_invoice_count(self):
        for contract in self:
            contract.invoice_count = len(contract.invoice_ids)

    @api.depends(
        "amount_price",
        "company_id",
        "currency_id",
        "product_id.taxes_id",
        "payer_ids.partner_id",
        "payer_ids.share",
        "payer_ids.sequence",
        "instalment_ids.amount_untaxed",
        "instalment_ids.amount_total",
        "instalment_ids.amount_invoiced",
        "instalment_ids.amount_paid",
        "instalment_ids.amount_residual",
    )
    def _compute_amounts(self):
        # a draft without schedule yet: its price as one invoice would tax it
        unscheduled = self.filtered(lambda c: not c.instalment_ids)
        estimates = dict(
            zip(
                unscheduled,
                unscheduled._edu_tax_amounts(
                    [(contract, contract.amount_price) for contract in unscheduled]
                ),
                strict=True,
            )
        )
        for contract in self:
            currency = contract.currency_id or self.env.company.currency_id
            instalments = contract.instalment_ids
            if contract in estimates:
                contract.amount_untaxed, contract.amount_total = estimates[contract]
            else:
                contract.amount_untaxed = currency.round(
                    sum(instalments.mapped("amount_untaxed"))
                )
                contract.amount_total = currency.round(
                    sum(instalments.mapped("amount_total"))
                )
            contract.amount_tax = currency.round(
                contract.amount_total - contract.amount_untaxed
            )
            contract.amount_invoiced = currency.round(
                sum(instalments.mapped("amount_invoiced"))
            )
            contract.amount_paid = currency.round(
                sum(instalments.mapped("amount_paid"))
            )
            contract.amount_residual = currency.round(
                sum(instalments.mapped("amount_residual"))
            )

    @api.depends(
        "state",
        "past_due_policy",
        "company_id.edu_tuition_grace_days",
        "instalment_ids.due_date",
    )
    @api.depends_context("tz")
    def _compute_activation_warning(self):
        for contract in self:
            contract.activation_warning = False
            if contract.state != "draft":
                continue
            today = fields.Date.context_today(contract)
            past = contract.instalment_ids.filtered(
                lambda i, d=today: i.due_date and i.due_date < d
            )
            if not past:
                continue
            if contract.past_due_policy == "keep":
                contract.activation_warning = self.env._(
                    "%(count)s instalment(s) fall due before today: activated now, "
                    "they keep their due dates and are invoiced overdue.",
                    count=len(past),
                )
            else:
                contract.activation_warning = self.env._(
                    "%(count)s instalment(s) fall due before today: activated now, "
                    "they fall due on %(date)s (%(days)s days of grace).",
                    count=len(past),
                    date=format_date(self.env, contract._edu_grace_date(today)),
                    days=contract.company_id.edu_tuition_grace_days,
                )

    @api.constrains("payer_ids")
    def _check_payer_shares(self):
        for contract in self:
            if not contract.payer_ids:
                continue
            total = sum(contract.payer_ids.mapped("share"))
            if float_compare(total, 100.0, precision_digits=4):
                raise ValidationError(
                    self.env._(
                        "The payer shares of contract %(contract)s add up to "
                        "%(total)s %%; they must add up to 100 %%.",
                        contract=contract.display_name,
                        total=round(total, 4),
                    )
                )
            partners = contract.payer_ids.mapped("partner_id")
            if len(partners) != len(contract.payer_ids):
                raise ValidationError(
                    self.env._(
                        "A payer appears twice on contract %s.", contract.display_name
                    )
                )

    @api.constrains("amount_price")
    def _check_amount_price(self):
        for contract in self:
            if contract.currency_id.compare_amounts(contract.amount_price, 0) < 0:
                raise ValidationError(
                    self.env._(
                        "The discount and scholarship of contract %s exceed its "
                        "list price.",
                        contract.display_name,
                    )
                )

    def _edu_system_values(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("edu.tuition.contract") or "/"
                )
        return super()._edu_system_values(vals_list)

    def write(self, vals):
        # the system fields: refused to all but the superuser (the mixin)
        if not self.env.su:
            self._edu_check_terms(vals.keys() & TERMS_FIELDS)
        else:
            self._edu_check_terms(vals.keys() & PRICE_FIELDS)
        return super().write(vals)

    def _edu_system_fields_refusal(self, fnames, creating):
        return self.env._(
            "%(fields)s of a tuition contract are set by the system: they "
            "change only through its actions (Activate, Close, Cancel, "
            "Reset to Draft).",
            fields=self._edu_field_labels(fnames),
        )

    def _edu_check_terms(self, fnames):
        """The terms ``fnames`` of the contracts ``self`` only change in draft."""
        if not fnames:
            return
        for contract in self:
            if contract.state != "draft":
                raise UserError(
                    self.env._(
                        "Contract %(contract)s is not a draft: its terms "
                        "(%(fields)s) can only change in draft.",
                        contract=contract.display_name,
                        fields=self._edu_field_labels(fnames),
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_draft(self):
        if any(contract.state not in ("draft", "cancelled") for contract in self):
            raise UserError(
                self.env._("Only draft or cancelled contracts can be deleted.")
            )
