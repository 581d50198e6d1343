from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine.channel_plan import POLICIES

POLICY_LABELS = {
    "preferred": "Preferred channel first",
    "cheapest": "Cheapest channel that responds",
    "expected": "Most responses within the budget",
}


class UtmCampaign(models.Model):
    """How the campaign's "best channel" mailings choose a channel per
    person (``engine/channel_plan.py``)."""

    _inherit = "utm.campaign"

    channel_policy = fields.Selection(
        [(code, POLICY_LABELS[code]) for code in POLICIES],
        string="Best channel policy",
        default="preferred",
        required=True,
        help="For mailings that reach each person on their best channel: the "
        "person's preferred channel first (else the cheapest they can be "
        "reached on); the cheapest channel whose observed response rate for "
        "the person's segment is at least the threshold; or the most expected "
        "responses within the budget.",
    )
    channel_rate_threshold = fields.Float(
        string="Response rate threshold",
        digits=(16, 4),
        default=0.0,
        help="Policy 'Cheapest channel that responds': the share (0 to 1) of "
        "the people contacted on a channel who answered positively over the "
        "last 12 months, that a channel needs for the person's segment.",
    )

    @api.constrains("channel_rate_threshold")
    def _check_channel_rate_threshold(self):
        for campaign in self:
            if not 0.0 <= campaign.channel_rate_threshold <= 1.0:
                raise ValidationError(
                    self.env._(
                        "The response rate threshold of the campaign '%(campaign)s' "
                        "is a share between 0 and 1 (e.g. 0.05 for 5%%).",
                        campaign=campaign.title,
                    )
                )
