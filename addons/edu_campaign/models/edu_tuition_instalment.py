from odoo import api, fields, models
from odoo.addons.edu_crm.models import edu_tuition_instalment as base


class EduTuitionInstalment(models.Model):
    """Instalments as a journey target ("7 days before the due date, email
    the payer"): a journey runs on a model with a chatter; it sends to the
    record's partner, here the student of the contract, or to the payer
    when the journey's recipient field says so."""

    _name = "edu.tuition.instalment"
    _inherit = ["edu.tuition.instalment", "mail.thread"]
    # computed from the contract's payers: nobody sets it by hand (a payer
    # written here would redirect the instalment's notices to anyone)
    _edu_system_fields = base.EduTuitionInstalment._edu_system_fields | {"payer_id"}

    payer_id = fields.Many2one(
        "res.partner",
        string="Payer",
        compute="_compute_payer_id",
        store=True,
        index="btree_not_null",
        help="Who pays the instalment: the contract's payer with the largest "
        "share (a sponsor, or the student), the student when it has none.",
    )

    @api.depends(
        "contract_id.student_id",
        "contract_id.payer_ids.partner_id",
        "contract_id.payer_ids.share",
    )
    def _compute_payer_id(self):
        for instalment in self:
            payers = instalment.contract_id.payer_ids.filtered("partner_id")
            main = max(payers, key=lambda p: p.share, default=payers.browse())
            instalment.payer_id = main.partner_id or instalment.student_id

    def _mail_get_partner_fields(self, introspect_fields=False):
        return ["student_id"]

    def _message_get_default_recipients(self):
        # mail's generic version reads a field named partner_id only
        return {
            instalment.id: {
                "partner_ids": instalment.student_id.ids,
                "email_to": False,
                "email_cc": False,
            }
            for instalment in self
        }
