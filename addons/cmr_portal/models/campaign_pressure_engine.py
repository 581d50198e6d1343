import pytz
from odoo import api, fields, models


class CampaignPressureEngine(models.AbstractModel):
    _inherit = "campaign.pressure.engine"

    @api.model
    def _pressure_screened_partner_ids(self):
        """People with quiet days are decided after the counting statement
        (below): it must not reserve their contact on its own."""
        return (
            *super()._pressure_screened_partner_ids(),
            *self.env["res.partner"]._cmr_quiet_partner_ids(),
        )

    @api.model
    def _pressure_evaluate(
        self, requests, channel, message=None, lock=True, now=None, reserve=None
    ):
        """Also hold back marketing contacts on the person's quiet days (set in
        the portal preferences)."""
        decisions = super()._pressure_evaluate(
            requests, channel, message=message, lock=lock, now=now, reserve=reserve
        )
        if (message or {}).get("exempt"):
            return decisions
        quiet_ids = self.env["res.partner"]._cmr_quiet_partner_ids()
        allowed = [
            d
            for d in decisions.values()
            if d["allowed"] and d.get("partner_id") in quiet_ids
        ]
        if not allowed:
            return decisions
        partners = (
            self.env["res.partner"]
            .sudo()
            .search_fetch(
                [
                    ("id", "in", list({d["partner_id"] for d in allowed})),
                    ("cmr_quiet_weekdays", "!=", False),
                ],
                ["cmr_quiet_weekdays", "tz"],
            )
        )
        if not partners:
            return decisions
        now = now or fields.Datetime.now()
        quiet = {}
        for partner in partners:
            tz = partner.tz or self._pressure_default_tz()
            weekday = (
                pytz.utc.localize(now).astimezone(self._pressure_tzinfo(tz)).weekday()
            )
            quiet[partner.id] = weekday in partner._cmr_quiet_weekday_set()
        for decision in allowed:
            if quiet.get(decision["partner_id"]):
                decision.update(
                    allowed=False,
                    phone_action="block",
                    reason=self.env._("Quiet day of the person."),
                )
        return decisions
