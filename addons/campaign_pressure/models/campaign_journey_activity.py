from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """Stamp the journey work items of the tasks done: their "activity
        done" triggers fire (the activity itself is deleted or archived)."""
        if self.ids:
            items = (
                self.env["campaign.journey.participant.step"]
                .sudo()
                .search([("activity_id", "in", self.ids)])
            )
            if items:
                items.write({"activity_done_date": fields.Datetime.now()})
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
