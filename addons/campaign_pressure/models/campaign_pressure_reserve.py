from odoo import api, fields, models
from odoo.tools import SQL

from ..engine import sql


class CampaignPressureEngine(models.AbstractModel):
    """Reservation: the log values of a send, the log of the contacts the
    counting statement did not log itself, and a send's check and
    reservation (:meth:`_pressure_check_and_reserve`)."""

    _inherit = "campaign.pressure.engine"

    @api.model
    def _pressure_log_values(self, channel, source, values):
        """SQL parameters of a log row, from ``values``: mailing_id,
        campaign_id, res_model, weight, is_transactional, company_id,
        user_id (contacts logged by hand); the unit cost of the day and its
        currency (``campaign.pressure.channel.cost._log_unit_cost``)."""
        return {
            "channel": channel,
            "source": source,
            "weight": values.get("weight") or 1,
            "mailing": values.get("mailing_id") or None,
            "campaign": values.get("campaign_id") or None,
            "res_model": values.get("res_model") or None,
            "is_transactional": bool(values.get("is_transactional")),
            "company": values.get("company_id") or self.env.company.id,
            "user": values.get("user_id") or None,
            **self.env["campaign.pressure.channel.cost"]._log_unit_cost(
                channel, values
            ),
        }

    @api.model
    def _pressure_log(
        self, decisions, channel, source, values, state="reserved", now=None
    ):
        """Log allowed decisions in one INSERT.

        :param dict decisions: ref (res_id) -> decision
        :param dict values: mailing_id, campaign_id, res_model, weight,
          is_transactional, company_id, user_id
        """
        allowed = [
            (ref, d)
            for ref, d in decisions.items()
            if d["allowed"] and not d.get("logged")
        ]
        if not allowed:
            return 0
        now = now or fields.Datetime.now()
        self.env.cr.execute(
            sql.insert(
                SQL(
                    "unnest(%s::varchar[], %s::int[], %s::int[]) AS x(key, pid, ref)",
                    [d["key"] for _ref, d in allowed],
                    [d["partner_id"] for _ref, d in allowed],
                    [ref if isinstance(ref, int) else None for ref, _d in allowed],
                ),
                self._pressure_log_values(channel, source, values),
                state,
                now,
            )
        )
        self.env["campaign.pressure.contact"].invalidate_model()
        return len(allowed)

    @api.model
    def _pressure_check_and_reserve(
        self,
        requests,
        channel,
        source,
        mailing=None,
        res_model=None,
        postpone=False,
        leftovers=False,
    ):
        """Check a batch of a send and reserve the allowed recipients.
        ``postpone``: the channel can wait for the end of quiet hours;
        ``leftovers``: the reservations of ``mailing`` for these records
        (``res_model``) that have no mail yet were left by an interrupted
        send: the same statement reuses those of the recipients it allows at
        once, releases the others and does not count them (one query, not a
        release before the check)."""
        message = dict(
            self._pressure_message_values(mailing),
            postpone_quiet=postpone,
            explain=False,  # the send stores the codes, not the sentences
        )
        values = {
            "mailing_id": mailing.id if mailing else False,
            "campaign_id": message.get("campaign_id"),
            "res_model": res_model,
            "weight": message.get("weight"),
            "is_transactional": message.get("exempt"),
            "company_id": message.get("company_id"),
        }
        # the counting statement reserves the recipients it allows at once;
        # the others, decided in Python, are logged here (when allowed)
        reserve = self._pressure_log_values(channel, source, values)
        if leftovers and mailing and res_model:
            reserve["leftovers"] = True
        decisions = self._pressure_evaluate(
            requests, channel, message=message, lock=True, reserve=reserve
        )
        self._pressure_log(decisions, channel, source, values)
        self.env["campaign.pressure.contact"].invalidate_model()
        return decisions
