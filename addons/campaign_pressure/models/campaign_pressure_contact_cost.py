from odoo import api, fields, models
from odoo.tools import SQL


class CampaignPressureContact(models.Model):
    """The price of a contact, stored when it is logged.

    ``unit_cost`` is what the message cost on the day it was logged (the
    mailing's own cost or the channel's cost of the sending company), in
    ``cost_currency_id``; a campaign's "spent" converts it into the
    campaign's currency at the rate of the day of the contact. A change of a
    channel's cost or of a rate afterwards leaves the past as it was paid.
    """

    _inherit = "campaign.pressure.contact"

    unit_cost = fields.Float(
        string="Unit cost",
        digits=(16, 4),
        readonly=True,
        help="What the message cost when it was logged, in the cost currency.",
    )
    cost_currency_id = fields.Many2one(
        "res.currency", string="Cost currency", readonly=True
    )

    @api.model_create_multi
    def create(self, vals_list):
        # rows made through the ORM (server code, tests) are priced as the
        # engine's INSERT prices them: the same expressions, one query per
        # (channel, mailing, company)
        Cost = self.env["campaign.pressure.channel.cost"]
        memo = {}
        for vals in vals_list:
            if "unit_cost" in vals:
                continue
            key = (vals.get("channel"), vals.get("mailing_id"), vals.get("company_id"))
            if key not in memo:
                priced = Cost._log_unit_cost(vals.get("channel"), vals)
                memo[key] = self.env.execute_query(
                    SQL("SELECT %s, %s", priced["unit_cost"], priced["cost_currency"])
                )[0]
            vals.update(unit_cost=memo[key][0], cost_currency_id=memo[key][1])
        return super().create(vals_list)
