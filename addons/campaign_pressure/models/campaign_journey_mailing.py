from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# the context key the journey runner sends a step's mailing with (the
# mailing's id); any caller can set a context key, so it is checked against
# the steps before it changes anything (``_journey_sending``)
JOURNEY_SEND = "campaign_journey_send"


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    is_journey_mailing = fields.Boolean(
        string="Journey step mailing",
        compute="_compute_is_journey_mailing",
        search="_search_is_journey_mailing",
        help="Sent by a step of a journey, batch after batch: it is reached from "
        "its step, and Email Marketing's lists of mailings leave it out.",
    )

    def _journey_steps(self):
        """Journey steps (removed ones included) of the mailings."""
        return (
            self.env["campaign.journey.step"]
            .sudo()
            .with_context(active_test=False)
            .search([("mailing_id", "in", self.ids)])
        )

    @api.depends_context("uid")
    def _compute_is_journey_mailing(self):
        journey_mailings = self._journey_steps().mailing_id
        for mailing in self:
            mailing.is_journey_mailing = mailing in journey_mailings

    def _search_is_journey_mailing(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._("Search journey step mailings with = or != and a yes/no.")
            )
        steps = (
            self.env["campaign.journey.step"]
            .sudo()
            .with_context(active_test=False)
            ._search([("mailing_id", "!=", False)])
        )
        mailing_ids = steps.subselect(SQL.identifier(steps.table, "mailing_id"))
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", mailing_ids)]

    def _journey_sending(self):
        """Whether this send is the journey runner's send of a step's
        mailing. The runner flags its own sends (``JOURNEY_SEND``), so a
        plain mailing reads nothing more per batch than Odoo does; the flag
        counts only for a mailing that is a step's."""
        self.ensure_one()
        if self.env.context.get(JOURNEY_SEND) != self.id:
            return False
        # asked once per batch of recipients: the answer is kept on the
        # cursor for the rest of the send (Odoo empties the record cache
        # between batches; a step's mailing stays a step's mailing)
        known = self.env.cr.cache.setdefault("campaign_journey_sending", {})
        if self.id not in known:
            known[self.id] = bool(self._journey_steps())
        return known[self.id]

    def _get_seen_list(self):
        """A journey step's mailing sends once per work item, which the
        runner claims exactly once: a person who enters the journey again
        (per its re-entry policy) receives the step again, which Odoo's
        "already sent by this mailing" list would cancel as a duplicate.
        Duplicates within one batch are still dropped by the composer."""
        if self._journey_sending():
            return set()
        return super()._get_seen_list()
