from odoo import api, fields, models


class EduTuitionCancelWizard(models.TransientModel):
    _name = "edu.tuition.cancel.wizard"
    _description = "Cancel Tuition Contract"

    contract_id = fields.Many2one("edu.tuition.contract", required=True)
    mode = fields.Selection(
        [
            ("cancel", "Cancel the unpaid invoices"),
            ("credit", "Issue credit notes for the unpaid invoices"),
        ],
        string="Unpaid Invoices",
        required=True,
        default="credit",
        help="Cancel: unpaid invoices are cancelled as if never issued. "
        "Credit notes: unpaid invoices stay and are balanced by credit notes. "
        "Either way, the unpaid balance of partially paid invoices is credited "
        "and what was paid stays paid.",
    )
    unpaid_count = fields.Integer(compute="_compute_summary")
    partial_count = fields.Integer(compute="_compute_summary")
    amount_unpaid = fields.Monetary(compute="_compute_summary")
    currency_id = fields.Many2one(related="contract_id.currency_id")

    @api.depends("contract_id")
    def _compute_summary(self):
        for wizard in self:
            invoices = wizard.contract_id.invoice_ids.filtered_domain(
                self.env["account.move"]._edu_open_tuition_domain()
            )
            unpaid = invoices.filtered(lambda m: m.payment_state == "not_paid")
            wizard.unpaid_count = len(unpaid)
            wizard.partial_count = len(invoices - unpaid)
            wizard.amount_unpaid = sum(invoices.mapped("amount_residual"))

    def action_confirm(self):
        self.ensure_one()
        self.contract_id._edu_cancel(self.mode)
        return {"type": "ir.actions.act_window_close"}
