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


def currency_rate_sql(currency, company, day):
    """SQL of the rate of ``currency`` for ``company`` on ``day`` (SQL
    expressions), read as ``res.currency._get_rates`` reads it: the rate
    of the company's root company before a shared one, the last one on or
    before the day, else the first one there is, else 1."""
    root = SQL(
        "(SELECT split_part(rco.parent_path, '/', 1)::int"
        " FROM res_company rco WHERE rco.id = %s)",
        company,
    )
    scope = SQL(
        "r.currency_id = %s AND (r.company_id IS NULL OR r.company_id = %s)",
        currency,
        root,
    )
    return SQL(
        """COALESCE(
               (SELECT r.rate FROM res_currency_rate r
                 WHERE %(scope)s AND r.name <= %(day)s
                 ORDER BY r.company_id, r.name DESC LIMIT 1),
               (SELECT r.rate FROM res_currency_rate r
                 WHERE %(scope)s
                 ORDER BY r.company_id, r.name LIMIT 1),
               1.0)""",
        scope=scope,
        day=day,
    )


def converted_sql(amount, source, target, company, day):
    """SQL of ``amount`` in the currency ``source`` converted into the
    currency ``target`` at the rates of ``company`` on ``day`` (SQL
    expressions), as ``res.currency._convert(..., round=False)`` converts
    it; no source or no target currency: the amount as it is. Written once: a
    campaign's spent and reserved (``utm.campaign._budget_logged_amounts``)
    and the campaign results report (edu_campaign) read the contact log's
    stored prices through it, in one statement whatever the days and
    currencies."""
    return SQL(
        """CASE WHEN %(source)s IS NULL OR %(target)s IS NULL
                  OR %(source)s = %(target)s THEN %(amount)s
                ELSE %(amount)s * %(to_rate)s / %(from_rate)s END""",
        source=source,
        target=target,
        amount=amount,
        to_rate=currency_rate_sql(target, company, day),
        from_rate=currency_rate_sql(source, company, day),
    )
