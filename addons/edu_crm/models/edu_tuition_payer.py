from odoo import api, fields, models
from odoo.exceptions import UserError

# follow the contract and the partner: never written by a user
SYSTEM_FIELDS = frozenset({"is_sponsor", "company_id"})


class EduTuitionPayer(models.Model):
    _name = "edu.tuition.payer"
    _inherit = ["edu.system.fields.mixin"]
    _description = "Tuition Contract Payer"
    _order = "sequence, id"
    _edu_system_fields = SYSTEM_FIELDS
    # a line does not move to another contract
    _edu_fixed_fields = frozenset({"contract_id"})

    contract_id = fields.Many2one(
        "edu.tuition.contract", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    partner_id = fields.Many2one(
        "res.partner",
        string="Payer",
        required=True,
        index=True,
        help="The student or a sponsoring organisation; receives the invoices.",
    )
    share = fields.Float(
        string="Share (%)", required=True, default=100.0, digits=(5, 2)
    )
    is_sponsor = fields.Boolean(compute="_compute_is_sponsor", store=True)
    company_id = fields.Many2one(related="contract_id.company_id", store=True)

    _sql_constraints = [
        (
            "share_range",
            "CHECK(share > 0 AND share <= 100)",
            "A payer share must be greater than 0 and at most 100 %.",
        ),
    ]

    @api.depends("partner_id", "contract_id.student_id")
    def _compute_is_sponsor(self):
        for payer in self:
            payer.is_sponsor = (
                payer.partner_id.commercial_partner_id
                != payer.contract_id.student_id.commercial_partner_id
            )

    def _edu_check_draft(self):
        if any(payer.contract_id.state != "draft" for payer in self):
            raise UserError(
                self.env._("The payers of a contract can only change in draft.")
            )

    @api.model_create_multi
    def create(self, vals_list):
        # the system fields: refused to all but the superuser (the mixin)
        payers = super().create(vals_list)
        payers._edu_check_draft()
        return payers

    def write(self, vals):
        # the system fields and the contract: refused to all but the
        # superuser (the mixin)
        self._edu_check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_active_contract(self):
        self._edu_check_draft()
