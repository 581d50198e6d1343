from odoo import api, models
from odoo.exceptions import ValidationError


class CampaignJourney(models.Model):
    """A positive response reason may start a journey (its "Start
    journey"): any journey whose records have a person, the partner the
    response is registered on (``campaign.journey.runner``
    ``_journey_enter_people``)."""

    _inherit = "campaign.journey"

    @api.constrains("model_id", "recipient_field")
    def _check_started_by_reasons(self):
        reasons = (
            self.env["campaign.response.reason"]
            .sudo()
            .with_context(active_test=False)
            .search([("start_journey_id", "in", self.ids)])
        )
        for reason in reasons:
            reason.start_journey_id._journey_check_started_by(reason)

    def _journey_check_started_by(self, reason):
        """Refuse ``reason`` starting this journey: only a positive reason
        does, and only a journey whose records have a person."""
        self.ensure_one()
        if reason.polarity != "positive":
            raise ValidationError(
                self.env._(
                    "Only a positive response starts a journey: the reason "
                    "'%(reason)s' is not one (journey '%(journey)s').",
                    reason=reason.name,
                    journey=self.name,
                )
            )
        fname = self.env["campaign.journey.runner"]._journey_partner_fname(
            self.model_name, self.recipient_field
        )
        if not fname:
            raise ValidationError(
                self.env._(
                    "A response starts a journey for the person who gave it: "
                    "the records of the journey '%(journey)s' (%(model)s) have "
                    "no contact to find them by.",
                    journey=self.name,
                    model=self.model_id.name,
                )
            )
