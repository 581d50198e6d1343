from odoo import api, fields, models
from odoo.exceptions import ValidationError

# the days before a due date the "instalment due" notice may be sent
MAX_DUE_DAYS = 60


class ResCompany(models.Model):
    _inherit = "res.company"

    cmr_notice_payment = fields.Boolean(string="Notice: Payment Received", default=True)
    cmr_notice_due = fields.Boolean(string="Notice: Instalment Due", default=True)
    cmr_notice_due_days = fields.Integer(
        string="Instalment Due Notice (days before)",
        default=7,
        help="The notice of an instalment due is sent this many days before its "
        "due date.",
    )
    cmr_notice_document = fields.Boolean(string="Notice: Document Ready", default=True)
    cmr_notice_request = fields.Boolean(
        string="Notice: Request Status Changed", default=True
    )
    cmr_notice_offer = fields.Boolean(string="Notice: Offer Issued", default=True)

    @api.constrains("cmr_notice_due_days")
    def _check_cmr_notice_due_days(self):
        for company in self:
            if not 1 <= company.cmr_notice_due_days <= MAX_DUE_DAYS:
                raise ValidationError(
                    self.env._(
                        "The notice of an instalment due is sent between 1 and "
                        "%(max)s days before the due date.",
                        max=MAX_DUE_DAYS,
                    )
                )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    cmr_notice_payment = fields.Boolean(
        related="company_id.cmr_notice_payment", readonly=False
    )
    cmr_notice_due = fields.Boolean(related="company_id.cmr_notice_due", readonly=False)
    cmr_notice_due_days = fields.Integer(
        related="company_id.cmr_notice_due_days", readonly=False
    )
    cmr_notice_document = fields.Boolean(
        related="company_id.cmr_notice_document", readonly=False
    )
    cmr_notice_request = fields.Boolean(
        related="company_id.cmr_notice_request", readonly=False
    )
    cmr_notice_offer = fields.Boolean(
        related="company_id.cmr_notice_offer", readonly=False
    )
