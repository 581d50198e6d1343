from odoo import models


class MailingMailing(models.Model):
    """The journey's part of a step mailing's send, loaded after every send
    of the addon (the budget's screen, the best channel's plan), so that it
    runs before them: the queue cron's send of a step's mailing is refused
    before a best-channel plan creates its calls, logs its letters or sends
    its SMS (``mailing_mailing_channel_send``); a best-channel step plans
    for the journey's recipient; the runner's batches of a step's mailing
    count the budget the earlier batches reserved."""

    _inherit = "mailing.mailing"

    def _action_send_mail(self, res_ids=None):
        # the queue cron's send (Odoo's "Send now" checks in action_send_mail)
        self._journey_check_send()
        return super()._action_send_mail(res_ids=res_ids)

    def _channel_plan_partner_column(self):
        """A step's mailing plans for the journey's participant: the person
        its emails and SMS go to (the journey's recipient field, such as the
        payer of an instalment), by the rule the journey's entry reads it."""
        journey = self.sudo().journey_step_id.journey_id
        if not journey or self.mailing_model_real not in self.env:
            return super()._channel_plan_partner_column()
        return self.env["campaign.journey.runner"]._journey_partner_fname(
            self.mailing_model_real, journey.recipient_field
        )

    def _budget_send_excluded(self):
        # each batch of the runner is a send of its own: the reservations of
        # the earlier ones (mails still in Odoo's queue) hold the budget; a
        # batch interrupted before its commit leaves none
        if self._journey_sending():
            return self.browse()
        return super()._budget_send_excluded()
