from odoo import fields, models


class UtmCampaign(models.Model):
    _inherit = "utm.campaign"

    response_positive_count = fields.Integer(
        string="Positive responses",
        compute="_compute_response_counts",
        groups="mass_mailing.group_mass_mailing_user",
    )
    response_negative_count = fields.Integer(
        string="Negative responses",
        compute="_compute_response_counts",
        groups="mass_mailing.group_mass_mailing_user",
    )

    def _compute_response_counts(self):
        counts = {
            (campaign.id, polarity): count
            for campaign, polarity, count in self.env["campaign.response"]._read_group(
                [("campaign_id", "in", self.ids)],
                ["campaign_id", "polarity"],
                ["__count"],
            )
        }
        for campaign in self:
            campaign.response_positive_count = counts.get((campaign.id, "positive"), 0)
            campaign.response_negative_count = counts.get((campaign.id, "negative"), 0)
