from odoo import models


class MailThreadBlacklist(models.AbstractModel):
    _inherit = "mail.thread.blacklist"

    def _message_receive_bounce(self, email, partner):
        res = super()._message_receive_bounce(email, partner)
        if partner:
            partner._pressure_cooldown("bounce")
        else:
            self.env["res.partner"]._pressure_cooldown_emails([email], "bounce")
        return res
