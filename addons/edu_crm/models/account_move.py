from odoo import Command, api, fields, models
from odoo.exceptions import AccessError
from odoo.osv.expression import expression
from odoo.tools import SQL, Query

from .edu_tuition_instalment import OPEN_STATES

TUITION_LINK_FIELDS = frozenset({"edu_instalment_id", "edu_contract_id"})


class AccountMove(models.Model):
    _inherit = "account.move"

    edu_instalment_id = fields.Many2one(
        "edu.tuition.instalment",
        string="Tuition Instalment",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
    )
    edu_contract_id = fields.Many2one(
        "edu.tuition.contract",
        string="Tuition Contract",
        related="edu_instalment_id.contract_id",
        store=True,
        index="btree_not_null",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                if (
                    TUITION_LINK_FIELDS & vals.keys()
                    and not self._edu_is_tuition_refund(vals)
                ):
                    raise AccessError(self._edu_link_refusal())
        return super().create(vals_list)

    def write(self, vals):
        # the link decides the payment state of the instalment: moving a paid
        # invoice to another instalment would mark that one paid
        if not self.env.su and TUITION_LINK_FIELDS & vals.keys():
            raise AccessError(self._edu_link_refusal())
        return super().write(vals)

    @api.model
    def _edu_is_tuition_refund(self, vals):
        """Whether ``vals`` create a credit note of a tuition invoice that
        stays on the invoice's instalment (Odoo's reversal, the
        cancellation of a contract)."""
        if vals.get("move_type") != "out_refund" or "edu_contract_id" in vals:
            return False
        reversed_entry = self.browse(vals.get("reversed_entry_id") or [])
        return bool(reversed_entry) and (
            reversed_entry.edu_instalment_id.id == vals.get("edu_instalment_id")
        )

    def _edu_link_refusal(self):
        return self.env._(
            "The tuition instalment of an invoice is set by tuition invoicing: "
            "invoices are created from the contract, credit notes follow the "
            "invoice they reverse."
        )

    def _reverse_moves(self, default_values_list=None, cancel=False):
        # credit notes stay linked to the instalment they reverse, so that its
        # payment state follows them
        if not default_values_list:
            default_values_list = [{} for _move in self]
        for move, default_values in zip(self, default_values_list, strict=True):
            if move.edu_instalment_id and "edu_instalment_id" not in default_values:
                default_values["edu_instalment_id"] = move.edu_instalment_id.id
        return super()._reverse_moves(default_values_list, cancel=cancel)

    def _invoice_paid_hook(self):
        # the reconciliation that pays the last open instalment of a contract
        # (or credits it) closes the contract, whoever reconciles
        res = super()._invoice_paid_hook()
        self.sudo().edu_contract_id._edu_close_settled()
        return res

    def button_cancel(self):
        # cancelling the last open invoice of a contract settles it too
        contracts = self.sudo().edu_contract_id
        res = super().button_cancel()
        contracts._edu_close_settled()
        return res

    def _edu_credit_residual(self):
        """Issue and reconcile a credit note for the unpaid part of each
        (partially paid) customer invoice in ``self``."""
        moves = self.filtered(lambda m: m.amount_residual)
        refunds = self.env["account.move"].create(
            [
                {
                    "move_type": "out_refund",
                    "company_id": move.company_id.id,
                    "journal_id": move.journal_id.id,
                    "partner_id": move.partner_id.id,
                    "currency_id": move.currency_id.id,
                    "invoice_date": fields.Date.context_today(self),
                    "reversed_entry_id": move.id,
                    "edu_instalment_id": move.edu_instalment_id.id,
                    "ref": self.env._("Unpaid balance of %s", move.name),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": self.env._(
                                    "Cancellation of the unpaid balance of %s",
                                    move.name,
                                ),
                                "quantity": 1.0,
                                "price_unit": move.amount_residual,
                                "account_id": move.invoice_line_ids[:1].account_id.id,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
                for move in moves
            ]
        )
        refunds.action_post()
        for move, refund in zip(moves, refunds, strict=True):
            (move.line_ids | refund.line_ids).filtered(
                lambda line: line.account_type == "asset_receivable"
                and not line.reconciled
            ).reconcile()
        return refunds

    @api.model
    def _edu_open_tuition_domain(self, with_drafts=False):
        """The open tuition invoices: customer invoices of an instalment (not
        credit notes), posted (``with_drafts``: or still draft) and with
        something left to pay. The reminders, the deferrals, the forecast and
        the payment report all read them through this domain (the SQL ones
        through ``_edu_open_tuition_sql``)."""
        return [
            ("edu_instalment_id", "!=", False),
            ("move_type", "=", "out_invoice"),
            ("state", "in", ("draft", "posted") if with_drafts else ("posted",)),
            ("payment_state", "in", OPEN_STATES),
        ]

    @api.model
    def _edu_open_tuition_sql(self, alias="m"):
        """``_edu_open_tuition_domain`` as an SQL condition on the table
        ``account_move`` named ``alias``, for the SQL reports."""
        query = Query(self.env, alias, SQL.identifier(self._table))
        return expression(
            self._edu_open_tuition_domain(), self.sudo(), alias, query
        ).query.where_clause
