from datetime import timedelta

from odoo import SUPERUSER_ID, Command, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import format_date

from .edu_tuition_contract import MANAGER_GROUP
from .edu_workflow_mixin import AUDIT_CONTEXT


class EduTuitionContract(models.Model):
    """The life of a contract: its schedule in draft, activation (invoicing
    what falls due, issuing the numbered PDF), closing when settled,
    cancellation."""

    _inherit = "edu.tuition.contract"

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
        drafts = self.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "draft"
        )
        drafts.button_cancel()
        posted = self.invoice_ids.filtered_domain(
            self.env["account.move"]._edu_open_tuition_domain()
        )
        unpaid = posted.filtered(lambda m: m.payment_state == "not_paid")
        partial = (posted - unpaid).filtered("amount_residual")
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
