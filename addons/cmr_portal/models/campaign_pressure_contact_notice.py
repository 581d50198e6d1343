from odoo import fields, models


class CampaignPressureContact(models.Model):
    """The account notices in the contact log: transactional contacts,
    counted and never capped (``edu.account.notice``)."""

    _inherit = "campaign.pressure.contact"

    source = fields.Selection(
        selection_add=[("notice", "Account notice")], ondelete={"notice": "cascade"}
    )
