from dateutil.relativedelta import relativedelta
from odoo import Command, models
from odoo.exceptions import UserError

from .edu_tuition_instalment import OPEN_STATES
from .edu_tuition_money import split_total

# not invoiced yet, or invoiced and not (fully) paid: what a deferral moves
DEFERRABLE_STATES = ("to_invoice", *OPEN_STATES)


class EduTuitionContract(models.Model):
    """Schedule changes of active contracts: the bursar's deferral or
    reschedule (approved from a portal request), the only way the
    instalments of an active contract change."""

    _inherit = "edu.tuition.contract"

    def _edu_defer(self, instalment, due_date):
        """Defer ``instalment`` of the active contract ``self`` to
        ``due_date``: it and the later unpaid instalments move by the same
        delay, those not invoiced yet replaced by new ones, the invoiced ones
        with their open invoices (the last first, so that the dates stay in
        order). Bursars only."""
        self.ensure_one()
        self._edu_check_manager()
        if instalment.contract_id != self or len(instalment) != 1:
            raise UserError(
                self.env._("Choose an instalment of contract %s.", self.display_name)
            )
        if instalment.payment_state not in DEFERRABLE_STATES:
            raise UserError(
                self.env._(
                    "Instalment %(instalment)s is paid or cancelled and cannot "
                    "be deferred.",
                    instalment=instalment.display_name,
                )
            )
        later = self.instalment_ids.filtered(
            lambda i: (i.sequence, i.id) >= (instalment.sequence, instalment.id)
        )
        moved = later.filtered(lambda i: i.payment_state == "to_invoice")
        invoiced = later.filtered(lambda i: i.payment_state in OPEN_STATES)
        delay = due_date - instalment.due_date
        if moved:
            self._edu_replace_open_instalments(
                moved,
                [
                    {
                        "sequence": inst.sequence,
                        "due_date": inst.due_date + delay,
                        "amount": inst.amount,
                    }
                    for inst in moved.sorted(lambda i: (i.sequence, i.id))
                ],
            )
        for inst in invoiced.sorted(lambda i: (i.sequence, i.id), reverse=True):
            inst._edu_defer_invoiced(inst.due_date + delay)
        return True

    def _edu_reschedule(self, date_first, count):
        """Replace the instalments of the active contract ``self`` not
        invoiced yet by ``count`` monthly instalments from ``date_first``,
        for the same total split equally (the last absorbing the rounding).
        Bursars only."""
        self.ensure_one()
        self._edu_check_manager()
        moved = self.instalment_ids.filtered(lambda i: i.payment_state == "to_invoice")
        if not moved or count < 1:
            raise UserError(
                self.env._(
                    "Contract %s has no instalment left to reschedule.",
                    self.display_name,
                )
            )
        first_sequence = min(moved.mapped("sequence"))
        amounts = split_total(
            sum(moved.mapped("amount")), [1] * count, self.currency_id, base=count
        )
        return self._edu_replace_open_instalments(
            moved,
            [
                {
                    "sequence": first_sequence + index,
                    "due_date": date_first + relativedelta(months=index),
                    "amount": amount,
                }
                for index, amount in enumerate(amounts)
            ],
        )

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
