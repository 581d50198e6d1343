from odoo import models


class MailingMailing(models.Model):
    """The journey's part of a step mailing's send, loaded after every send
    of the addon (the budget's screen, the best channel's plan), so that it
    runs before them: the queue cron's send of a step's mailing is refused
    before a best-channel plan creates its calls, logs its letters or sends
    its SMS (``mailing_mailing_channel_send``)."""

    _inherit = "mailing.mailing"

    def _action_send_mail(self, res_ids=None):
        # the queue cron's send (Odoo's "Send now" checks in action_send_mail)
        self._journey_check_send()
        return super()._action_send_mail(res_ids=res_ids)
