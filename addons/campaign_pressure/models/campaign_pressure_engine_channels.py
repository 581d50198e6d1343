from odoo import api, fields, models
from odoo.tools import SQL

from ..engine import decide, sql, sql_channels, timeframes
from ..engine.records import PERSON_COLUMNS, Person
from .campaign_pressure_engine import PARTNER_FIELDS, PROBE_LIMIT, allowed_decision
from .res_partner import QUIET_DAY_FIELDS

# the statement's columns before the blocks: key, pid, the settings
SETTINGS_END = 2 + len(PERSON_COLUMNS) - 1


class CampaignPressureEngine(models.AbstractModel):
    """One message on several channels, checked in one statement: what a
    best-channel plan asks (is there room on email, SMS, phone, letter for
    each of these people?). The same decisions as :meth:`_pressure_evaluate`
    without a lock, channel by channel, but the contacts are counted once."""

    _inherit = "campaign.pressure.engine"

    @api.model
    def _pressure_held_per_channel(self, requests, messages, now=None):
        """The requests the pressure rules hold back, per channel.

        :param dict requests: channel code -> requests ``{ref, partner_id}``
          (people by partner: requests without one are left out);
        :param dict messages: channel code -> the message dict of
          :meth:`_pressure_evaluate` (the same company for all);
        :return dict: channel code -> ``{ref: decision}`` of the requests
          held back on that channel; the channel's other requests are
          allowed (perhaps postponed: not said here).
        """
        now = now or fields.Datetime.now()
        codes = [code for code, reqs in requests.items() if reqs]
        if not codes:
            return {}
        config = self._pressure_config(
            messages[codes[0]].get("company_id") or self.env.company.id
        )
        msgs = [self._pressure_message(code, messages[code]) for code in codes]
        own_windows = [decide.windows(msg, config.rules) for msg in msgs]
        windows, indexes = sql_channels.union(own_windows)
        counts = self._pressure_channel_counts(requests, codes)
        blocked, tags = self._pressure_relations()
        screens = [
            sql.Screen(
                channel=msg.channel,
                weight=msg.weight,
                thresholds=[w.threshold for w in wins],
                reserved_keys=list(msg.reserved),
                quiet_days=not msg.exempt,
                probe=len(counts) <= PROBE_LIMIT,
                blocked=blocked,
                tags=tags,
                flag_extra=self._pressure_flag_extra(msg, now),
            )
            for msg, wins in zip(msgs, own_windows, strict=True)
        ]
        flagged = self._pressure_channel_flagged(
            counts, sql_channels.Channels(windows, screens, indexes), now
        )
        held = {}
        for i, code in enumerate(codes):
            left = self._pressure_channel_left(requests[code], flagged[i])
            if left:
                self._pressure_decide(
                    left, msgs[i], own_windows[i], config, now, messages[code]
                )
            held[code] = {
                decision["ref"]: decision
                for _person, decision in left
                if not decision["allowed"]
            }
        return held

    @api.model
    def _pressure_channel_counts(self, requests, codes):
        """``{partner id: its number of requests}`` over every channel (a
        request asked on several channels counts once). More than a
        channel's own number only flags more people: their decision in
        Python reads the channel's requests."""
        counts, seen = {}, set()
        for code in codes:
            for request in requests[code]:
                pid = request.get("partner_id")
                if not pid:
                    continue
                pair = (pid, request["ref"])
                if pair not in seen:
                    seen.add(pair)
                    counts[pid] = counts.get(pid, 0) + 1
        return counts

    @api.model
    def _pressure_channel_flagged(self, counts, channels, now):
        """Per channel (in order), ``{partner id: Person}`` of the people
        the statement flags for deciding in Python."""
        tz = self._pressure_default_tz()
        starts = {
            w.period: timeframes.local_period_start(w.period, now, tz)
            for w in channels.windows
            if w.kind == "calendar"
        }
        given = sql.given_cte(counts, {}, sum(counts.values()), None)
        query = sql_channels.statement(given, channels, now, QUIET_DAY_FIELDS, starts)
        self.env["campaign.pressure.contact"].flush_model()
        self.env["res.partner"].flush_model(PARTNER_FIELDS)
        if len(counts) > PROBE_LIMIT:
            # as a large simulation (_pressure_query)
            self.env.cr.execute(SQL("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'"))
        self.env.cr.execute(query)
        n = len(channels.screens)
        flagged = [{} for _i in range(n)]
        for row in self.env.cr.fetchall():
            settings = row[2:SETTINGS_END]
            blocks = row[SETTINGS_END : SETTINGS_END + n]
            flags = row[SETTINGS_END + n : SETTINGS_END + 2 * n]
            window_counts = row[SETTINGS_END + 2 * n :]
            for i, flag in enumerate(flags):
                if flag:
                    flagged[i][row[1]] = Person(
                        row[0],
                        row[1],
                        *settings,
                        blocks[i],
                        counts=tuple(window_counts[j] for j in channels.indexes[i]),
                    )
        return flagged

    @api.model
    def _pressure_channel_left(self, requests, flagged):
        """``[(person, decision)]`` of the channel's requests whose person
        the statement flagged, each with an allowed decision and its ref."""
        return [
            (
                flagged[request["partner_id"]],
                dict(
                    allowed_decision(
                        f"p:{request['partner_id']}", request["partner_id"]
                    ),
                    ref=request["ref"],
                ),
            )
            for request in requests
            if request.get("partner_id") in flagged
        ]
