from odoo import api, models


class MailingSubscription(models.Model):
    """An opt-out reason given on Odoo's unsubscribe page is a negative
    response (``campaign.response``)."""

    _inherit = "mailing.subscription"

    @api.model_create_multi
    def create(self, vals_list):
        subscriptions = super().create(vals_list)
        if any(vals.get("opt_out_reason_id") for vals in vals_list):
            self.env["campaign.response"].sudo()._record_optouts(
                "mailing_subscription", subscriptions.ids
            )
        return subscriptions

    def write(self, vals):
        res = super().write(vals)
        if vals.get("opt_out_reason_id"):
            self.env["campaign.response"].sudo()._record_optouts(
                "mailing_subscription", self.ids
            )
        return res


class MailBlacklist(models.Model):
    _inherit = "mail.blacklist"

    def write(self, vals):
        res = super().write(vals)
        if vals.get("opt_out_reason_id"):
            self.env["campaign.response"].sudo()._record_optouts(
                "mail_blacklist", self.ids
            )
        return res
