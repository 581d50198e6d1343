from datetime import timedelta

from odoo import SUPERUSER_ID, Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare
from odoo.tools.misc import format_date

from .edu_workflow_mixin import AUDIT_CONTEXT

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
# what a new contract starts with (anything else in create is refused)
INITIAL_VALUES = {"state": "draft", "name": "/"}
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
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

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

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._edu_check_create_values(vals_list)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("edu.tuition.contract") or "/"
                )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._edu_check_system_fields(vals.keys())
            self._edu_check_terms(vals.keys() & TERMS_FIELDS)
        else:
            self._edu_check_terms(vals.keys() & PRICE_FIELDS)
        return super().write(vals)

    def _edu_check_create_values(self, vals_list):
        """A user's new contract is a draft with nothing the system sets: the
        values given, the context's ``default_*`` keys and the user's own
        ``ir.default`` are all checked."""
        for vals in vals_list:
            missing = [fname for fname in SYSTEM_FIELDS if fname not in vals]
            values = self.default_get(missing) | vals
            forced = {
                fname
                for fname in SYSTEM_FIELDS & values.keys()
                if self._fields[fname].compute
                or (values[fname] and values[fname] != INITIAL_VALUES.get(fname))
            }
            self._edu_check_system_fields(forced)

    def _edu_check_system_fields(self, fnames):
        forced = SYSTEM_FIELDS.intersection(fnames)
        if forced:
            raise AccessError(
                self.env._(
                    "%(fields)s of a tuition contract are set by the system: they "
                    "change only through its actions (Activate, Close, Cancel, "
                    "Reset to Draft).",
                    fields=self._edu_field_labels(forced),
                )
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

    def _edu_field_labels(self, fnames):
        return ", ".join(
            sorted(self._fields[f].get_description(self.env)["string"] for f in fnames)
        )

    # ------------------------------------------------------------------
    # Taxes: one computation for what the pages show and what is invoiced
    # ------------------------------------------------------------------
    def _edu_split_price(self, price):
        """Split ``price`` of the contract ``self`` between its payers as the
        invoices do: ``[(payer, amount), ...]`` by payer sequence, each share
        rounded, the last payer taking the remainder, zero shares left out."""
        self.ensure_one()
        currency = self.currency_id or self.env.company.currency_id
        payers = self.payer_ids.sorted(lambda p: (p.sequence, p.id))
        split = []
        allocated = 0.0
        for index, payer in enumerate(payers):
            if index == len(payers) - 1:
                amount = currency.round(price - allocated)
            else:
                amount = currency.round(price * payer.share / 100.0)
                allocated += amount
            if not currency.is_zero(amount):
                split.append((payer, amount))
        return split

    def _edu_invoice_taxes(self):
        """``{(contract, partner): (fiscal_position, taxes)}`` for the payers
        of the contracts ``self``: the fiscal position Accounting finds for
        the payer (``account.fiscal.position._get_fiscal_position``, as an
        invoice to that partner does) and the taxes of the tuition product
        of the contract's company, mapped by it. The invoices of the
        instalments are created with exactly these, so that what the pages
        show before invoicing is what the invoices say."""
        Tax = self.env["account.tax"]
        FiscalPosition = self.env["account.fiscal.position"]
        fiscal_positions = {}
        result = {}
        for contract in self:
            company = contract.company_id or self.env.company
            taxes = contract.product_id.taxes_id.filtered_domain(
                Tax._check_company_domain(company)
            )._filter_taxes_by_company(company)
            # no FP without a partner (a new draft without student yet)
            result[contract, self.env["res.partner"]] = (FiscalPosition, taxes)
            for partner in contract.payer_ids.partner_id | contract.student_id:
                key = (company, partner)
                if key not in fiscal_positions:
                    # one lookup per payer and company, not per instalment
                    fiscal_positions[key] = FiscalPosition.with_company(
                        company
                    )._get_fiscal_position(partner)
                fiscal_position = fiscal_positions[key]
                result[contract, partner] = (
                    fiscal_position,
                    fiscal_position.map_tax(taxes) if fiscal_position else taxes,
                )
        return result

    def _edu_tax_amounts(self, prices):
        """``[(untaxed, total), ...]`` for ``prices``, a list of ``(contract,
        price)`` (contracts of ``self``): the price split between the payers,
        each share taxed as its invoice will be, by Accounting's tax engine
        (``account.tax`` base lines, rounding and totals: what an invoice or
        a sales order computes)."""
        AccountTax = self.env["account.tax"]
        taxes_of = self._edu_invoice_taxes()
        today = fields.Date.context_today(self)
        rates = {}
        result = []
        for contract, price in prices:
            company = contract.company_id or self.env.company
            currency = contract.currency_id or company.currency_id
            if (currency, company) not in rates:
                rates[currency, company] = self.env[
                    "res.currency"
                ]._get_conversion_rate(company.currency_id, currency, company, today)
            untaxed = total = 0.0
            # a draft without payers yet: as if the student paid it all
            split = [
                (payer.partner_id, amount)
                for payer, amount in contract._edu_split_price(price)
            ] or [(contract.student_id, price)]
            for partner, amount in split:
                _fiscal_position, taxes = taxes_of[contract, partner]
                base_lines = [
                    AccountTax._prepare_base_line_for_taxes_computation(
                        None,
                        product_id=contract.product_id,
                        partner_id=partner,
                        tax_ids=taxes,
                        price_unit=amount,
                        quantity=1.0,
                        currency_id=currency,
                        rate=rates[currency, company],
                    )
                ]
                AccountTax._add_tax_details_in_base_lines(base_lines, company)
                AccountTax._round_base_lines_tax_details(base_lines, company)
                totals = AccountTax._get_tax_totals_summary(
                    base_lines=base_lines, currency=currency, company=company
                )
                untaxed += totals["base_amount_currency"]
                total += totals["total_amount_currency"]
            result.append((currency.round(untaxed), currency.round(total)))
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_draft(self):
        if any(contract.state not in ("draft", "cancelled") for contract in self):
            raise UserError(
                self.env._("Only draft or cancelled contracts can be deleted.")
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _edu_check_manager(self):
        """Transitions are the bursar's decisions, whatever the environment
        (``sudo()`` included): the user must be an Education Manager."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only an Education Manager (bursar) can do this.")
            )

    def _edu_set_state(self, state, **values):
        """Write ``state`` (and ``values``) on contracts whose transition was
        checked: as superuser, so that ``write`` lets the system fields
        through, while ``env.user`` stays the caller (tracking author,
        ``write_uid``). The caller's write access is checked first."""
        self.check_access("write")
        return self.sudo().write(dict(values, state=state))

    def action_generate_schedule(self):
        """Clerks prepare the schedule of a draft (write access required)."""
        self.check_access("write")
        for contract in self:
            contract._edu_generate_schedule()
        return True

    def _edu_generate_schedule(self):
        self.ensure_one()
        if self.state != "draft":
            raise UserError(
                self.env._(
                    "The schedule of %s can only be generated in draft.",
                    self.display_name,
                )
            )
        if not self.plan_id:
            raise UserError(
                self.env._("Choose a payment plan for %s first.", self.display_name)
            )
        schedule = self.plan_id._edu_schedule(
            self.amount_price, self.currency_id, self.date_start
        )
        commands = [Command.delete(inst.id) for inst in self.instalment_ids]
        commands += [
            Command.create({"sequence": index, "due_date": due, "amount": amount})
            for index, (due, amount) in enumerate(schedule, start=1)
        ]
        self.instalment_ids = commands

    def _edu_check_ready(self):
        """Raise a clear error when the contract cannot be activated."""
        for contract in self:
            if contract.state != "draft":
                raise UserError(
                    self.env._("Contract %s is not a draft.", contract.display_name)
                )
            if not contract.payer_ids:
                raise UserError(
                    self.env._(
                        "Contract %s has no payer: add the student or a sponsor.",
                        contract.display_name,
                    )
                )
            if not contract.product_id:
                raise UserError(
                    self.env._(
                        "Contract %s has no tuition product.", contract.display_name
                    )
                )
            if not contract.instalment_ids:
                raise UserError(
                    self.env._(
                        "Contract %s has no instalments: generate the schedule.",
                        contract.display_name,
                    )
                )
            contract.instalment_ids._check_due_dates()
            scheduled = sum(contract.instalment_ids.mapped("amount"))
            if contract.currency_id.compare_amounts(scheduled, contract.amount_price):
                raise UserError(
                    self.env._(
                        "The instalments of %(contract)s add up to %(scheduled)s "
                        "but the contract price is %(total)s.",
                        contract=contract.display_name,
                        scheduled=scheduled,
                        total=contract.amount_price,
                    )
                )

    def _edu_grace_date(self, today):
        """The date instalments due before ``today`` fall due on when the
        contract ``self`` is activated on ``today``: the company's grace."""
        self.ensure_one()
        return today + timedelta(days=max(self.company_id.edu_tuition_grace_days, 0))

    def _edu_move_past_due(self, today=None):
        """Give the instalments of the drafts ``self`` due before ``today``
        (default today; a late enrolment) the grace date of their company,
        unless the bursar chose to keep their dates: no invoice is due before
        it is issued. Later instalments falling within the grace move with
        them, so the schedule stays in order."""
        today = today or fields.Date.context_today(self)
        for contract in self.filtered(lambda c: c.past_due_policy == "grace"):
            instalments = contract.instalment_ids.sorted(lambda i: (i.sequence, i.id))
            if not instalments.filtered(lambda i: i.due_date < today):
                continue
            grace = contract._edu_grace_date(today)
            moved = instalments.filtered(lambda i, g=grace: i.due_date < g)
            moved.write({"due_date": grace})
            contract.message_post(
                body=self.env._(
                    "Activated after their due dates: instalments %(numbers)s now "
                    "fall due on %(date)s (%(days)s days of grace).",
                    numbers=", ".join(str(i.sequence) for i in moved),
                    date=format_date(self.env, grace),
                    days=contract.company_id.edu_tuition_grace_days,
                ),
                message_type="notification",
                subtype_xmlid="mail.mt_note",
            )

    def action_activate(self):
        return self._edu_activate()

    def _edu_activate(self, today=None):
        """Activate the drafts ``self`` on ``today`` (default today): the
        schedule is checked, the instalments due by then invoiced with that
        invoice date, the contract document issued. A contract recorded after
        the day it was signed gets the invoices it got back then."""
        today = today or fields.Date.context_today(self)
        self._edu_check_manager()
        self._edu_check_ready()
        self._edu_move_past_due(today)
        self._edu_set_state("active")
        mode = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("edu_crm.tuition_invoice_mode", "cron")
        )
        if mode == "activation":
            self.instalment_ids._edu_create_invoices(invoice_date=today)
        else:
            self._edu_invoice_due_instalments(today)
        self._edu_issue_documents()
        return True

    def _edu_issue_documents(self):
        """Issue the numbered contract PDF through the document registry."""
        documents = self.env["edu.document"]
        for contract in self.filtered(lambda c: not c.document_id):
            document = documents._edu_issue(
                "tuition_contract", contract.student_id, contract
            )
            contract.sudo().document_id = document

    def _edu_invoice_due_instalments(self, today=None):
        """Invoice, dated ``today`` (default today), the instalments of
        ``self`` that fall within the lead time."""
        today = today or fields.Date.context_today(self)
        limit = today + self.env["edu.tuition.instalment"]._edu_invoice_lead_time()
        instalments = self.instalment_ids.filtered(
            lambda i: i.payment_state == "to_invoice" and i.due_date <= limit
        )
        instalments._edu_create_invoices(invoice_date=today)

    def action_close(self):
        self._edu_check_manager()
        for contract in self:
            if contract.state != "active":
                raise UserError(self.env._("Only active contracts can be closed."))
            if not contract._edu_is_settled():
                raise UserError(
                    self.env._(
                        "Contract %s still has unpaid instalments.",
                        contract.display_name,
                    )
                )
        self._edu_set_state("closed")
        return True

    def _edu_is_settled(self):
        """Whether every instalment of the contract ``self`` is paid or
        cancelled."""
        self.ensure_one()
        return bool(self.instalment_ids) and all(
            inst.payment_state in ("paid", "cancelled") for inst in self.instalment_ids
        )

    def _edu_close_settled(self):
        """Close the active contracts of ``self`` whose instalments are all
        paid or cancelled: a system transition, run when payments are
        reconciled (``account.move._invoice_paid_hook``), whoever pays (a
        portal payer, an accountant, a bank statement). It is written as the
        system (OdooBot) and tracked in the chatter."""
        settled = self.exists().filtered(
            lambda c: c.state == "active" and c._edu_is_settled()
        )
        if not settled:
            return settled
        system = settled.with_user(SUPERUSER_ID).sudo().with_context(**AUDIT_CONTEXT)
        system.write({"state": "closed"})
        for contract in system:
            contract.message_post(
                body=self.env._(
                    "Closed automatically: every instalment is paid or cancelled."
                ),
                message_type="notification",
                subtype_xmlid="mail.mt_note",
            )
        return settled

    def action_draft(self):
        self._edu_check_manager()
        if any(c.state != "cancelled" or c.invoice_ids for c in self):
            raise UserError(
                self.env._(
                    "Only cancelled contracts that were never invoiced can be reset "
                    "to draft."
                )
            )
        self._edu_set_state("draft", suspension_proposed=False)
        return True

    def action_open_cancel_wizard(self):
        self.ensure_one()
        self._edu_check_manager()
        self._edu_check_cancellable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel Contract"),
            "res_model": "edu.tuition.cancel.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_contract_id": self.id},
        }

    def action_view_invoices(self):
        """Open the invoices of the contract (anyone who may read it; the
        invoices shown go through the accounting access rules)."""
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("edu_contract_id", "=", self.id)]
        action["context"] = {"default_move_type": "out_invoice", "create": False}
        return action

    def _edu_check_cancellable(self):
        for contract in self:
            if contract.state in ("cancelled", "closed"):
                raise UserError(
                    self.env._(
                        "Contract %s is already closed or cancelled.",
                        contract.display_name,
                    )
                )
            states = set(contract.instalment_ids.mapped("payment_state"))
            if "paid" in states and states <= {"paid", "cancelled"}:
                raise UserError(
                    self.env._(
                        "Contract %s is fully paid and cannot be cancelled; "
                        "issue a refund from Accounting if money must go back.",
                        contract.display_name,
                    )
                )

    def _edu_cancel(self, mode):
        """Cancel the contracts; ``mode`` is ``"cancel"`` (cancel the unpaid
        invoices) or ``"credit"`` (issue credit notes for what is unpaid)."""
        if mode not in ("cancel", "credit"):
            raise UserError(self.env._("Choose how to treat the unpaid invoices."))
        self._edu_check_manager()
        self.check_access("write")
        self._edu_check_cancellable()
        # cancelled first: crediting the last unpaid balance settles the
        # instalments, which must not close the contract on the way
        self._edu_set_state("cancelled")
        invoices = self.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state != "cancel"
        )
        drafts = invoices.filtered(lambda m: m.state == "draft")
        drafts.button_cancel()
        posted = invoices - drafts
        unpaid = posted.filtered(lambda m: m.payment_state == "not_paid")
        partial = posted.filtered(
            lambda m: m.payment_state == "partial" and m.amount_residual
        )
        if mode == "cancel":
            unpaid.button_draft()
            unpaid.button_cancel()
        else:
            unpaid._reverse_moves(
                [
                    {"ref": self.env._("Cancellation of %s", move.name)}
                    for move in unpaid
                ],
                cancel=True,
            )
        partial._edu_credit_residual()
        return True

    def _edu_replace_open_instalments(self, instalments, vals_list):
        """Replace ``instalments`` of the active contract ``self``, none of them
        invoiced yet, by new ones (``vals_list``: sequence, due_date, amount)
        for the same total: an approved schedule change. Bursars only; the
        instalments of an active contract change nowhere else.

        :return: the new instalments
        """
        self.ensure_one()
        self._edu_check_manager()
        self.check_access("write")
        if (
            self.state != "active"
            or (instalments and instalments.contract_id != self)
            or any(inst.payment_state != "to_invoice" for inst in instalments)
        ):
            raise UserError(
                self.env._(
                    "Only instalments not invoiced yet of an active contract can be "
                    "replaced (contract %s).",
                    self.display_name,
                )
            )
        total = sum(vals["amount"] for vals in vals_list)
        if self.currency_id.compare_amounts(total, sum(instalments.mapped("amount"))):
            raise UserError(
                self.env._(
                    "A new schedule of contract %s must keep the same total.",
                    self.display_name,
                )
            )
        before = self.instalment_ids
        self.sudo().write(
            {
                "instalment_ids": [Command.delete(inst.id) for inst in instalments]
                + [Command.create(vals) for vals in vals_list]
            }
        )
        return self.instalment_ids - before
