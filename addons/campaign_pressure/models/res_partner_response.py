from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    campaign_response_count = fields.Integer(
        string="Responses",
        compute="_compute_campaign_response_count",
        groups="mass_mailing.group_mass_mailing_user",
    )

    def _compute_campaign_response_count(self):
        counts = dict(
            self.env["campaign.response"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.campaign_response_count = counts.get(partner, 0)
