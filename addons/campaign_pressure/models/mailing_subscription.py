from odoo import api, models


class MailingSubscription(models.Model):
    _inherit = "mailing.subscription"

    @api.model_create_multi
    def create(self, vals_list):
        subscriptions = super().create(vals_list)
        subscriptions.filtered("opt_out")._pressure_cooldown_optout()
        return subscriptions

    def write(self, vals):
        opted_in = self.filtered(lambda s: not s.opt_out)
        res = super().write(vals)
        if vals.get("opt_out"):
            opted_in._pressure_cooldown_optout()
        return res

    def _pressure_cooldown_optout(self):
        if self:
            self.env["res.partner"]._pressure_cooldown_emails(
                self.sudo().contact_id.mapped("email"), "unsubscribe"
            )
