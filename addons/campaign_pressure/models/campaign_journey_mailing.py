from odoo import models


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    def _get_seen_list(self):
        """A journey step's mailing sends once per work item, which the
        runner claims exactly once: a person who enters the journey again
        (per its re-entry policy) receives the step again, which Odoo's
        "already sent by this mailing" list would cancel as a duplicate.
        Duplicates within one batch are still dropped by the composer."""
        if (
            self.env["campaign.journey.step"]
            .sudo()
            .search_count([("mailing_id", "=", self.id)], limit=1)
        ):
            return set()
        return super()._get_seen_list()
