from odoo import api, models, tools


class CampaignPressureChannelCost(models.Model):
    _inherit = "campaign.pressure.channel.cost"

    @api.model
    @tools.ormcache("company_id")
    def _capacity_limited_codes(self, company_id):
        """The channels whose daily capacity ``company_id`` limits (cached:
        a send asks it every time; cleared when a cost line changes)."""
        lines = (
            self.sudo()
            .with_context(active_test=False)
            .search([("company_id", "=", company_id), ("capacity_limited", "=", True)])
        )
        return frozenset(lines.mapped("channel_id.code"))

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        self.env.registry.clear_cache()
        return lines

    def write(self, vals):
        res = super().write(vals)
        self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res


class MailingMailing(models.Model):
    """The budget screen skipped when nothing can limit the send: the
    mailing has no campaign (so no budget) and the company does not limit
    the channel's daily capacity. The screen reads the remaining recipients
    a second time and the channel's cost line: three queries a send for
    nothing (issue 18, Odoo's own query-budget tests of a mass mailing)."""

    _inherit = "mailing.mailing"

    def _budget_screen(self, res_ids=None):
        self.ensure_one()
        if not self.campaign_id and not self._budget_capacity_limited():
            return res_ids
        return super()._budget_screen(res_ids)

    def _budget_capacity_limited(self):
        """Whether the company limits how many messages of this mailing's
        channel go out a day."""
        self.ensure_one()
        codes = self.env["campaign.pressure.channel.cost"]._capacity_limited_codes(
            self.env.company.id
        )
        return self._pressure_channel() in codes
