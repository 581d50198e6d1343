from odoo import api, fields, models
from odoo.exceptions import ValidationError

OPEN_STATES = ("not_paid", "partial")
# follow the contract and the invoices: never written by a user
SYSTEM_FIELDS = frozenset(
    {
        "contract_id",
        "currency_id",
        "company_id",
        "student_id",
        "programme_id",
        "contract_state",
        "invoice_ids",
        "amount_untaxed",
        "amount_total",
        "amount_invoiced",
        "amount_paid",
        "amount_residual",
        "payment_state",
        "days_overdue",
        "reminder_log_ids",
        "last_stage_id",
    }
)
# the schedule: free while the contract is a draft
TERMS_FIELDS = frozenset({"sequence", "due_date", "amount"})


class EduTuitionInstalment(models.Model):
    _name = "edu.tuition.instalment"
    _inherit = ["edu.system.fields.mixin"]
    _description = "Tuition Instalment"
    _order = "due_date, contract_id, sequence, id"
    _edu_system_fields = SYSTEM_FIELDS - {"contract_id"}
    # a line does not move to another contract
    _edu_fixed_fields = frozenset({"contract_id"})
    _rec_name = "display_name"

    contract_id = fields.Many2one(
        "edu.tuition.contract", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    due_date = fields.Date(required=True, index=True)
    amount = fields.Monetary(
        string="Price",
        required=True,
        help="The share of the contract price invoiced for this instalment, "
        "split between the payers; the invoices add the taxes of the tuition "
        "product (unless its price includes them).",
    )
    currency_id = fields.Many2one(related="contract_id.currency_id", store=True)
    company_id = fields.Many2one(
        related="contract_id.company_id", store=True, index=True
    )
    student_id = fields.Many2one(
        related="contract_id.student_id", store=True, index=True
    )
    programme_id = fields.Many2one(
        related="contract_id.programme_id", store=True, index=True
    )
    contract_state = fields.Selection(related="contract_id.state", store=True)
    invoice_ids = fields.One2many(
        "account.move", "edu_instalment_id", string="Invoices", readonly=True
    )
    # what the payers owe for the instalment, taxes included: the invoices'
    # totals once invoiced, the same tax computation on the payer shares
    # before (see _edu_tax_amounts); paid + due = amount_total on every row
    amount_untaxed = fields.Monetary(
        string="Untaxed Amount",
        compute="_compute_amounts",
        store=True,
        help="The amount before taxes, as Accounting books it.",
    )
    amount_total = fields.Monetary(
        string="Amount",
        compute="_compute_amounts",
        store=True,
        help="What the payers owe for this instalment, taxes included: the "
        "totals of its invoices once invoiced.",
    )
    # groups="base.group_user": staff only; the portal reads the schedule,
    # the amounts paid and due and the payment state its tuition page shows
    amount_invoiced = fields.Monetary(
        compute="_compute_payment", store=True, groups="base.group_user"
    )
    amount_paid = fields.Monetary(compute="_compute_payment", store=True)
    amount_residual = fields.Monetary(
        string="Amount Due",
        compute="_compute_payment",
        store=True,
        help="What is still to pay of the amount, invoiced or not.",
    )
    payment_state = fields.Selection(
        [
            ("to_invoice", "To Invoice"),
            ("not_paid", "Not Paid"),
            ("partial", "Partially Paid"),
            ("paid", "Paid"),
            ("cancelled", "Cancelled"),
        ],
        compute="_compute_payment",
        store=True,
        index=True,
        help="Derived from the invoices of this instalment: payments, "
        "reconciliations and credit notes.",
    )
    days_overdue = fields.Integer(
        compute="_compute_days_overdue", groups="base.group_user"
    )
    reminder_log_ids = fields.One2many(
        "edu.reminder.log",
        "instalment_id",
        string="Reminder History",
        readonly=True,
        groups="base.group_user",
    )
    last_stage_id = fields.Many2one(
        "edu.reminder.stage",
        string="Reminder Stage",
        compute="_compute_last_stage_id",
        groups="base.group_user",
        help="Latest reminder stage applied by the reminder job.",
    )

    _sql_constraints = [
        ("amount_positive", "CHECK(amount >= 0)", "An instalment cannot be negative."),
    ]

    def init(self):
        # the reminder job and the dashboards only look at open instalments
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS edu_tuition_instalment_open_due_idx
                ON edu_tuition_instalment (due_date)
             WHERE payment_state IN ('not_paid', 'partial')
            """
        )

    @api.depends("contract_id.name", "sequence", "due_date")
    def _compute_display_name(self):
        for inst in self:
            inst.display_name = self.env._(
                "%(contract)s #%(seq)s (%(date)s)",
                contract=inst.contract_id.name or "",
                seq=inst.sequence,
                date=inst.due_date or "",
            )

    @api.depends(
        "amount",
        "contract_id.company_id",
        "contract_id.currency_id",
        "contract_id.product_id.taxes_id",
        "contract_id.payer_ids.partner_id",
        "contract_id.payer_ids.share",
        "contract_id.payer_ids.sequence",
        "invoice_ids.state",
        "invoice_ids.move_type",
        "invoice_ids.amount_untaxed",
        "invoice_ids.amount_total",
    )
    def _compute_amounts(self):
        estimated = self.filtered(
            lambda inst: inst.contract_id and not inst._edu_posted_invoices()
        )
        estimates = estimated._edu_tax_amounts()
        for inst in self:
            if inst in estimates:
                inst.amount_untaxed, inst.amount_total = estimates[inst]
                continue
            untaxed = total = 0.0
            for move in inst._edu_posted_invoices():
                sign = -1 if move.move_type == "out_refund" else 1
                untaxed += sign * move.amount_untaxed
                total += sign * move.amount_total
            inst.amount_untaxed = untaxed
            inst.amount_total = total

    @api.depends(
        "amount_total",
        "contract_id.state",
        "invoice_ids.state",
        "invoice_ids.move_type",
        "invoice_ids.amount_total",
        "invoice_ids.amount_residual",
        "invoice_ids.payment_state",
    )
    def _compute_payment(self):
        for inst in self:
            posted = inst._edu_posted_invoices()
            invoiced = residual = 0.0
            for move in posted:
                sign = -1 if move.move_type == "out_refund" else 1
                invoiced += sign * move.amount_total
                residual += sign * move.amount_residual
            currency = inst.currency_id or self.env.company.currency_id
            inst.amount_invoiced = invoiced
            if not posted:
                cancelled = inst.contract_id.state == "cancelled" or bool(
                    inst.invoice_ids.filtered(lambda m: m.state == "cancel")
                )
                inst.payment_state = "cancelled" if cancelled else "to_invoice"
                # not invoiced yet: all of it is still to pay, unless cancelled
                inst.amount_paid = 0.0
                inst.amount_residual = 0.0 if cancelled else inst.amount_total
                continue
            inst.amount_residual = residual
            inst.amount_paid = invoiced - residual
            if currency.compare_amounts(invoiced, 0) <= 0:
                inst.payment_state = "cancelled"
            elif currency.compare_amounts(residual, 0) <= 0:
                inst.payment_state = "paid"
            elif currency.compare_amounts(invoiced - residual, 0) > 0:
                inst.payment_state = "partial"
            else:
                inst.payment_state = "not_paid"

    def _edu_posted_invoices(self):
        """The posted invoices and credit notes of ``self``: what the payers
        owe once the instalment is invoiced."""
        return self.invoice_ids.filtered(lambda m: m.state == "posted")

    def _edu_payer_amounts(self):
        """``[(payer, price), ...]``: the price of the instalment ``self``
        split between the payers as its invoices split it."""
        self.ensure_one()
        return self.contract_id._edu_split_price(self.amount)

    def _edu_tax_amounts(self):
        """``{instalment: (untaxed, total)}`` for the instalments ``self``
        not invoiced yet, as their invoices will compute them."""
        amounts = self.contract_id._edu_tax_amounts(
            [(inst.contract_id, inst.amount) for inst in self]
        )
        return dict(zip(self, amounts, strict=True))

    @api.depends("due_date", "payment_state")
    @api.depends_context("date")
    def _compute_days_overdue(self):
        today = fields.Date.context_today(self)
        for inst in self:
            if inst.payment_state in OPEN_STATES and inst.due_date < today:
                inst.days_overdue = (today - inst.due_date).days
            else:
                inst.days_overdue = 0

    @api.depends("reminder_log_ids.state", "reminder_log_ids.stage_id")
    def _compute_last_stage_id(self):
        for inst in self:
            done = inst.reminder_log_ids.filtered(lambda log: log.state != "pending")
            inst.last_stage_id = done.sorted(
                lambda log: (log.stage_id.days_overdue, log.id)
            )[-1:].stage_id

    @api.constrains("due_date", "sequence", "contract_id")
    def _check_due_dates(self):
        for contract in self.contract_id:
            ordered = contract.instalment_ids.sorted(lambda i: (i.sequence, i.id))
            dates = ordered.mapped("due_date")
            if any(b < a for a, b in zip(dates, dates[1:], strict=False)):
                raise ValidationError(
                    self.env._(
                        "The due dates of contract %s are out of order: each "
                        "instalment must fall on or after the previous one.",
                        contract.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        # the system fields: refused to all but the superuser (the mixin)
        instalments = super().create(vals_list)
        if not self.env.su:
            instalments._edu_check_draft()
        return instalments

    def write(self, vals):
        # the system fields: refused to all but the superuser (the mixin)
        if not self.env.su:
            if TERMS_FIELDS & vals.keys():
                self._edu_check_draft()
        elif {"amount", "due_date"} & vals.keys():
            # internal code: the amounts stay, the due date of an invoiced,
            # unpaid instalment may follow its invoices (_edu_defer_invoiced)
            locked = self.filtered(lambda inst: inst.contract_id.state != "draft")
            if locked and (
                "amount" in vals
                or not locked._edu_due_date_follows_invoices(vals["due_date"])
            ):
                locked._edu_check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_active_contract(self):
        if not self.env.su:
            self._edu_check_draft()

    def _edu_check_draft(self):
        if any(inst.contract_id.state != "draft" for inst in self):
            raise ValidationError(
                self.env._("Instalments can only be changed on draft contracts.")
            )
