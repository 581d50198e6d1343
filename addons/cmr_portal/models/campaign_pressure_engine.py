from datetime import datetime, timedelta

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
        the portal preferences); a message that can wait (email) is postponed
        to the next day that is not quiet."""
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
                [
                    "cmr_quiet_weekdays",
                    "tz",
                    "pressure_quiet_from",
                    "pressure_quiet_to",
                ],
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
            if weekday in partner._cmr_quiet_weekday_set():
                quiet[partner.id] = partner
        postpone = (message or {}).get("postpone_quiet")
        for decision in allowed:
            partner = quiet.get(decision["partner_id"])
            if not partner:
                continue
            until = postpone and self._cmr_after_quiet_days(partner, now)
            if until:
                decision["postpone_until"] = max(
                    until, decision.get("postpone_until") or until
                )
            else:
                decision.update(
                    allowed=False,
                    phone_action="block",
                    reason=self.env._("Quiet day of the person."),
                )
        return decisions

    @api.model
    def _cmr_after_quiet_days(self, partner, now):
        """Start (naive UTC) of the person's next day that is not quiet, after
        their quiet hours if the day starts in them; None when every day of
        the week is quiet."""
        tz = partner.tz or self._pressure_default_tz()
        zone = self._pressure_tzinfo(tz)
        quiet_days = partner._cmr_quiet_weekday_set()
        day = pytz.utc.localize(now).astimezone(zone).date()
        for _i in range(7):
            day += timedelta(days=1)
            if day.weekday() in quiet_days:
                continue
            start = (
                zone.localize(datetime.combine(day, datetime.min.time()))
                .astimezone(pytz.utc)
                .replace(tzinfo=None)
            )
            quiet_from, quiet_to = (
                partner.pressure_quiet_from,
                partner.pressure_quiet_to,
            )
            if self._pressure_has_quiet_hours(
                quiet_from, quiet_to
            ) and self._pressure_in_quiet_hours(
                0.0, quiet_from or 0.0, quiet_to or 0.0
            ):
                start = self._pressure_quiet_end(start, tz, quiet_to or 0.0)
            return start
        return None
