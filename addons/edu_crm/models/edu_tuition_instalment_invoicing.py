from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import split_every

from .edu_tuition_instalment import OPEN_STATES
from .edu_workflow_mixin import EDU_MANAGER, check_edu_group


class EduTuitionInstalment(models.Model):
    """Invoicing of instalments (the daily job, at activation, on demand) and
    the due dates of invoiced, unpaid instalments, which follow their open
    invoices when deferred."""

    _inherit = "edu.tuition.instalment"

    def _edu_open_invoices(self):
        """The customer invoices of ``self`` (posted or draft) that still have
        something to pay."""
        return self.invoice_ids.filtered_domain(
            self.env["account.move"]._edu_open_tuition_domain(with_drafts=True)
        )

    def _edu_due_date_follows_invoices(self, due_date):
        """Whether ``due_date`` is the due date of the open invoices of every
        instalment in ``self``: the due date of an invoiced, unpaid instalment
        may follow its invoices (see ``_edu_defer_invoiced``)."""
        due_date = fields.Date.to_date(due_date)
        for inst in self:
            invoices = inst._edu_open_invoices()
            if inst.payment_state not in OPEN_STATES or not invoices:
                return False
            if any(move.invoice_date_due != due_date for move in invoices):
                return False
        return True

    def _edu_defer_invoiced(self, due_date):
        """Move invoiced, unpaid instalments ``self`` and their open invoices
        to ``due_date``.

        The invoices get the new ``invoice_date_due``, as on the invoice form:
        Odoo allows it on posted invoices without payment terms and moves the
        receivable (payment term) line's ``date_maturity`` with it, keeping its
        reconciliation."""
        if not self.env.su:
            self.env["edu.tuition.contract"]._edu_check_manager()
        due_date = fields.Date.to_date(due_date)
        for inst in self:
            if inst.payment_state not in OPEN_STATES:
                raise UserError(
                    self.env._(
                        "Instalment %s is paid, cancelled or not invoiced: only an "
                        "invoiced, unpaid instalment can be deferred this way.",
                        inst.display_name,
                    )
                )
            invoices = inst._edu_open_invoices()
            with_terms = invoices.filtered("invoice_payment_term_id")
            if with_terms:
                raise UserError(
                    self.env._(
                        "Invoice %s has payment terms: change its due dates in "
                        "Accounting.",
                        with_terms[0].display_name,
                    )
                )
            invoices.write({"invoice_date_due": due_date})
            inst.sudo().write({"due_date": due_date})
        return True

    # ------------------------------------------------------------------
    # Invoicing
    # ------------------------------------------------------------------
    @api.model
    def _edu_invoice_lead_time(self):
        days = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("edu_crm.tuition_invoice_days_before", "14")
        )
        try:
            return timedelta(days=max(int(days), 0))
        except ValueError:
            return timedelta(days=14)

    def _edu_invoice_vals(self, invoice_date=None):
        """Invoice values for each payer share of the instalments in ``self``,
        dated ``invoice_date`` (default today): the fiscal position and taxes
        are the ones the amounts shown before invoicing were computed with
        (``_edu_invoice_taxes``)."""
        invoice_date = invoice_date or fields.Date.context_today(self)
        vals_list = []
        taxes_of = self.contract_id._edu_invoice_taxes()
        for inst in self:
            contract = inst.contract_id
            count = len(contract.instalment_ids)
            for payer, amount in inst._edu_payer_amounts():
                fiscal_position, taxes = taxes_of[contract, payer.partner_id]
                label = self.env._(
                    "%(product)s – %(student)s – instalment %(seq)s of %(count)s",
                    product=contract.product_id.display_name,
                    student=contract.student_id.name,
                    seq=inst.sequence,
                    count=count,
                )
                vals_list.append(
                    {
                        "move_type": "out_invoice",
                        "company_id": contract.company_id.id,
                        "partner_id": payer.partner_id.id,
                        "fiscal_position_id": fiscal_position.id,
                        "currency_id": contract.currency_id.id,
                        "invoice_date": invoice_date,
                        "invoice_date_due": inst.due_date,
                        "invoice_origin": contract.name,
                        "edu_instalment_id": inst.id,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": contract.product_id.id,
                                    "name": label,
                                    "quantity": 1.0,
                                    "price_unit": amount,
                                    "tax_ids": [Command.set(taxes.ids)],
                                }
                            )
                        ],
                    }
                )
        return vals_list

    def _edu_create_invoices(self, invoice_date=None):
        """Create and post the customer invoices of the instalments in ``self``
        that are due for invoicing (active contract, not invoiced yet), dated
        ``invoice_date`` (default today)."""
        todo = self.filtered(
            lambda i: i.contract_id.state == "active"
            and i.payment_state == "to_invoice"
            and not i.invoice_ids.filtered(lambda m: m.state != "cancel")
        )
        moves = self.env["account.move"]
        for company, instalments in todo.grouped("company_id").items():
            vals_list = instalments._edu_invoice_vals(invoice_date)
            if vals_list:
                # created as superuser: account.move refuses the link to an
                # instalment to users (callers: the bursar's activation and the
                # daily job); posted as the caller
                created = (
                    self.env["account.move"]
                    .sudo()
                    .with_company(company)
                    .create(vals_list)
                )
                moves |= created.sudo(self.env.su)
        moves.action_post()
        return moves

    def action_invoice_now(self):
        """Invoice these instalments of active contracts today instead of
        waiting for the daily job (a payer who wants to pay early). Education
        Managers only, with write access to the contracts; nothing is
        invoiced unless every instalment can be."""
        check_edu_group(self.env, EDU_MANAGER)
        self.contract_id.check_access("write")
        for inst in self:
            if inst.contract_id.state != "active" or inst.payment_state != "to_invoice":
                raise UserError(
                    self.env._(
                        "Instalment %s cannot be invoiced now: only instalments "
                        "of active contracts that are not invoiced yet can.",
                        inst.display_name,
                    )
                )
        self._edu_create_invoices()
        return True

    @api.model
    def _cron_create_invoices(self, batch_size=200):
        """Daily job: invoice the instalments due within the lead time."""
        limit = fields.Date.context_today(self) + self._edu_invoice_lead_time()
        domain = [
            ("contract_state", "=", "active"),
            ("payment_state", "=", "to_invoice"),
            ("due_date", "<=", limit),
        ]
        todo = self.search(domain)
        done = 0
        for batch in split_every(batch_size, todo.ids, todo.browse):
            batch._edu_create_invoices()
            done += len(batch)
            self.env["edu.reminder.log"]._edu_commit_progress(done, len(todo) - done)
