from odoo import api, models


class MailBlacklist(models.Model):
    _inherit = "mail.blacklist"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env["res.partner"]._pressure_cooldown_emails(
            records.mapped("email"), "unsubscribe"
        )
        return records

    def write(self, vals):
        res = super().write(vals)
        if vals.get("active"):
            self.env["res.partner"]._pressure_cooldown_emails(
                self.mapped("email"), "unsubscribe"
            )
        return res
