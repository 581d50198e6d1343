from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CampaignJourney(models.Model):
    """Who a journey's messages go to: the person of a partner field of the
    record (the payer of an instalment, a sponsor or the student who pays),
    not the record's first partner field blindly."""

    _inherit = "campaign.journey"

    recipient_field = fields.Char(
        string="Send to",
        help="The record's partner field whose person receives the journey's "
        "emails, SMS, calls and letters, and is the participant (e.g. the "
        "payer of an instalment). Empty: the record's own partner.",
    )

    @api.constrains("recipient_field", "model_id")
    def _check_recipient_field(self):
        for journey in self.filtered("recipient_field"):
            field = self.env[journey.model_id.model]._fields.get(
                journey.recipient_field
            )
            if (
                not field
                or field.type != "many2one"
                or field.comodel_name != "res.partner"
                or not field.store
            ):
                raise ValidationError(
                    self.env._(
                        "The journey %(journey)s sends to %(field)s: choose a "
                        "stored partner field of %(model)s.",
                        journey=journey.name,
                        field=journey.recipient_field,
                        model=journey.model_id.name,
                    )
                )

    @api.model
    def _journey_recipient_field_of(self, mailing, sender=None):
        """The recipient field of the journey whose step sends ``mailing``
        (None for any other mailing, and for a send that is not the journey
        runner's: nothing is read for a plain mailing), in one query.

        ``sender``: the composer sending it, which asks once per batch of
        recipients; the answer is kept for the rest of that send (on the
        cursor, keyed on the composer: a later send asks again), since Odoo
        empties the record cache between batches."""
        if not mailing or not mailing._journey_sending():
            return None
        memo = self.env.cr.cache.setdefault("campaign_journey_recipient_field", {})
        key = sender and (sender._name, sender.id, mailing.id)
        if key and key in memo:
            return memo[key]
        journey = (
            self.sudo()
            .with_context(active_test=False)
            .search_fetch(
                [("step_ids.mailing_id", "=", mailing.id)], ["recipient_field"], limit=1
            )
        )
        fname = journey.recipient_field or None
        if key:
            memo[key] = fname
        return fname
