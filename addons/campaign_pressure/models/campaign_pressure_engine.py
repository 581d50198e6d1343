from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..engine import decide, sql, timeframes
from ..engine.records import Config, Message, Person, Rule
from .res_partner import QUIET_DAY_FIELDS

# up to this many requests (a send batch or chunk), partners are read by index
# probes
PROBE_LIMIT = 5000
# what the counting statement reads of the partners (flushed before it)
PARTNER_FIELDS = (
    "tz",
    "active",
    "email_normalized",
    "phone_sanitized",
    "pressure_max_contacts",
    "pressure_period",
    "pressure_quiet_from",
    "pressure_quiet_to",
    *QUIET_DAY_FIELDS,
    "pressure_cooldown_until",
    "pressure_cooldown_reason",
    "pressure_blocked_channel_ids",
)


def allowed_decision(key, pid):
    """A decision that allows the message to the person ``key``
    (partner ``pid``), before anything is decided in Python."""
    return {
        "key": key,
        "partner_id": pid,
        "allowed": True,
        "rule_id": False,
        "count": 0,
        "threshold": 0,
        "reason_code": False,
        # None, not {}: a dict of plain values is not tracked by the garbage
        # collector (100,000 decisions for a large check)
        "reason_args": None,
        "reason": False,
        "phone_action": "warn",
    }


class CampaignPressureEngine(models.AbstractModel):
    """Counting, arbitration and reservation of marketing contacts.

    Every send path builds a list of *requests* (one per recipient:
    ``{'ref', 'partner_id', 'email', 'phone'}``) and calls
    :meth:`_pressure_check_and_reserve`. One SQL statement
    (:mod:`..engine.sql`) resolves the person of each request (partner, else
    the partner owning the normalised email or sanitised phone, else the
    email / phone itself), locks the persons (see
    ``campaign.pressure.person``), counts their weighted contacts of every
    applicable window and allows at once those far from every limit; the
    others are decided by a pure function (:func:`..engine.decide.decide`),
    whose verdicts this model turns into decisions and log rows.

    Entry points: :meth:`_pressure_check_and_reserve` (a send),
    :meth:`_pressure_evaluate` (a check, a simulation), :meth:`_pressure_log`,
    :meth:`_pressure_person_keys` (arbitration). The reasons are in
    ``campaign_pressure_reasons.py`` (texts and renderer:
    :mod:`..engine.reasons`); the send paths' helpers (requests of records,
    message values, guards, trace sync, retry) in
    ``campaign_pressure_sends.py``: both extend this model.
    """

    _name = "campaign.pressure.engine"
    _description = "Marketing Pressure Engine"

    # ------------------------------------------------------------------
    # Configuration
    # ------------------------------------------------------------------

    @api.model
    @tools.ormcache("company_id")
    def _pressure_config(self, company_id):
        """Active rules of a company as plain, cacheable records."""
        rules = (
            self.env["campaign.pressure.rule"]
            .sudo()
            .search([("company_id", "in", [False, company_id])])
        )
        company = self.env["res.company"].sudo().browse(company_id)
        return Config(
            rules=tuple(
                Rule(
                    id=rule.id,
                    name=rule.name,
                    channels=tuple(rule.channel_ids.mapped("code")),
                    window_type=rule.window_type,
                    days=rule.window_days,
                    period=rule.period,
                    max=rule.max_contacts,
                    scope=rule.scope,
                    campaign_ids=tuple(rule.campaign_ids.ids),
                    tag_ids=tuple(rule.utm_tag_ids.ids),
                    phone_action=rule.phone_action,
                )
                for rule in rules
            ),
            cooldown_factor=company.pressure_cooldown_factor if company else 0.5,
        )

    @api.model
    def _pressure_default_tz(self):
        # the context's tz (the sending user's): reading the user's tz would
        # cost queries in every batch (the composer invalidates the cache)
        return self.env.context.get("tz") or "UTC"

    @api.model
    def _pressure_has_quiet_hours(self, quiet_from, quiet_to):
        """Whether quiet hours are set (:func:`..engine.timeframes.quiet_hours_set`)."""
        return timeframes.quiet_hours_set(quiet_from, quiet_to)

    # ------------------------------------------------------------------
    # Counting
    # ------------------------------------------------------------------

    @api.model
    def _pressure_query(
        self, requests, windows, now, lock=True, screen=None, reserve=None
    ):
        """One statement: resolve persons, lock them (optional), count windows.

        A request with a partner is the person ``p:<id>`` (keyed here, in
        Python); the statement resolves the others. Most recipients of a send
        are far from every cap: the statement screens them out and returns
        details only for the persons left to decide in Python.

        :param screen: :class:`..engine.sql.Screen`; without it the statement
          only resolves (and locks) persons: nothing is counted nor flagged.
          With it, the persons' own settings (blocked channel, quiet hours...)
          are read even when there is no window to count: a transactional
          message is not capped, but it still respects what the person asked;
        :param dict reserve: log values (:meth:`_pressure_log_values`): the
          statement itself logs the reservations of the requests it allows.
        :return: ``(keys, flagged)``: ``keys`` maps the index of each request
          to ``(key, partner_id)``; ``flagged`` maps a person key to its
          :class:`..engine.records.Person`.
        """
        keys, counts, refs, unresolved = self._pressure_keyed(requests)
        if not screen and not lock and not unresolved and not reserve:
            return keys, {}
        query = self._pressure_statement(
            requests, windows, now, (lock, screen, reserve), (counts, refs, unresolved)
        )
        # flush only what the statement reads (not the caller's pending work)
        self.env["campaign.pressure.contact"].flush_model()
        self.env["res.partner"].flush_model(PARTNER_FIELDS)
        if not lock and len(requests) > 5000:
            # a large simulation: JIT compilation would cost more than it
            # saves, and the per-person sort and hash fit in memory
            self.env.cr.execute(SQL("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'"))
        # serialization failures are expected under concurrency: retried by
        # the caller's transaction, not logged as errors
        self.env.cr.execute(query, log_exceptions=not lock)
        flagged = {}
        for row in self.env.cr.fetchall():
            if row[0] is None:
                flagged[row[1]] = Person(*row[1:12], counts=row[12:])
            else:
                keys[row[0]] = (row[1], row[2])
        return keys, flagged

    @api.model
    def _pressure_keyed(self, requests):
        """The person of each request with a partner (``keys``: index ->
        ``(key, partner_id)``), the number of requests (``counts``) and the
        first res_id (``refs``) per partner, and the indexes of the requests
        the statement resolves (``unresolved``)."""
        keys, counts, refs, unresolved = {}, {}, {}, []
        for idx, request in enumerate(requests):
            pid = request.get("partner_id") or None
            if pid:
                keys[idx] = (f"p:{pid}", pid)
                if pid in counts:
                    counts[pid] += 1
                else:
                    counts[pid] = 1
                    refs[pid] = request["ref"]
            else:
                unresolved.append(idx)
        return keys, counts, refs, unresolved

    @api.model
    def _pressure_statement(self, requests, windows, now, what, keyed):
        """The counting statement (:mod:`..engine.sql`). ``what``: ``(lock,
        screen, reserve)`` as :meth:`_pressure_query`; ``keyed``: ``(counts,
        refs, unresolved)`` of :meth:`_pressure_keyed`."""
        lock, screen, reserve = what
        counts, refs, unresolved = keyed
        ctes = [sql.given_cte(counts, refs, len(requests) - len(unresolved), reserve)]
        if unresolved:
            ctes.append(
                sql.resolve_ctes(
                    unresolved,
                    [
                        ref if isinstance(ref, int) else None
                        for ref in (requests[idx]["ref"] for idx in unresolved)
                    ],
                    [requests[idx].get("email") or None for idx in unresolved],
                    [requests[idx].get("phone") or None for idx in unresolved],
                )
            )
        else:
            ctes.append(SQL("persons AS (SELECT * FROM given)"))
        if lock:
            ctes.append(sql.lock_cte(now))
        leftovers = bool(reserve and reserve.get("leftovers"))
        if leftovers:
            ctes.append(
                sql.leftovers_cte(
                    reserve["mailing"],
                    reserve["res_model"],
                    [request["ref"] for request in requests],
                )
            )
            screen = screen and screen._replace(leftovers=True)
        if screen:
            tz = self._pressure_default_tz()
            starts = {
                w.period: timeframes.local_period_start(w.period, now, tz)
                for w in windows
                if w.kind == "calendar"
            }
            ctes.append(sql.persons_cte(windows, now, screen, QUIET_DAY_FIELDS, starts))
            ctes.append(sql.flag_cte(windows, now, screen))
        if reserve:
            ctes.append(
                sql.reserve_cte(reserve, now, bool(screen), unresolved, leftovers)
            )
        return SQL(
            "WITH %s %s",
            SQL(", ").join(ctes),
            sql.outputs(windows, bool(screen), unresolved),
        )

    @api.model
    def _pressure_relations(self):
        """The many2many tables the statement joins: the partners' blocked
        channels and the campaigns' tags."""
        blocked = self.env["res.partner"]._fields["pressure_blocked_channel_ids"]
        tags = self.env["utm.campaign"]._fields["tag_ids"]
        return (
            sql.Relation(blocked.relation, blocked.column1, blocked.column2),
            sql.Relation(tags.relation, tags.column1, tags.column2),
        )

    # ------------------------------------------------------------------
    # Deciding
    # ------------------------------------------------------------------

    @api.model
    def _pressure_message(self, channel, message):
        """The :class:`..engine.records.Message` of a ``message`` dict
        (:meth:`_pressure_evaluate`)."""
        weight = message.get("weight")
        return Message(
            channel=channel,
            weight=weight if weight is not None else 1,
            exempt=bool(message.get("exempt")),
            campaign_id=message.get("campaign_id"),
            tag_ids=tuple(message.get("campaign_tag_ids") or ()),
            postpone_quiet=bool(message.get("postpone_quiet")),
            reserved=message.get("reserved") or {},
        )

    @api.model
    def _pressure_evaluate(
        self, requests, channel, message=None, lock=True, now=None, reserve=None
    ):
        """Decide for each request whether the message may go out.

        :param list requests: dicts ``ref, partner_id, email, phone`` (at least
          one identifier each);
        :param str channel: email, sms, phone or letter;
        :param dict message: ``weight, exempt, campaign_id, campaign_tag_ids,
          company_id, reserved, postpone_quiet, explain`` (``reserved``: person
          key -> list of :class:`..engine.records.Planned` contacts of
          mailings that win arbitration; ``postpone_quiet``: the message can
          wait for the end of the person's quiet hours and days, the decision
          then has ``postpone_until``; ``explain``: False when nobody reads
          ``reason`` now, the sentence is then not rendered);
        :param dict reserve: log values (:meth:`_pressure_log_values`): the
          counting statement logs the reservations of the requests it allows
          at once (their decision has ``logged``); the caller logs the other
          allowed ones (:meth:`_pressure_check_and_reserve`);
        :return dict: ref -> decision dict (``key, partner_id, allowed,
          rule_id, count, threshold, reason_code, reason_args, reason,
          phone_action``, perhaps ``postpone_until`` and ``logged``)
        """
        message = dict(message or {})
        now = now or fields.Datetime.now()
        msg = self._pressure_message(channel, message)
        config = self._pressure_config(message.get("company_id") or self.env.company.id)
        windows = decide.windows(msg, config.rules)
        requests = [
            r
            for r in requests
            if r.get("partner_id") or r.get("email") or r.get("phone")
        ]
        if not requests:
            return {}
        blocked, tags = self._pressure_relations()
        screen = sql.Screen(
            channel=channel,
            weight=msg.weight,
            thresholds=[w.threshold for w in windows],
            reserved_keys=list(msg.reserved),
            quiet_days=not msg.exempt,
            probe=len(requests) <= PROBE_LIMIT,
            blocked=blocked,
            tags=tags,
            flag_extra=self._pressure_flag_extra(msg, now),
        )
        keys, flagged = self._pressure_query(
            requests, windows, now, lock=lock, screen=screen, reserve=reserve
        )
        decisions, left = self._pressure_decisions(requests, keys, flagged, reserve)
        if left:
            # a transactional message has no window (never capped) but is
            # still decided on the person's blocked channels and quiet hours
            self._pressure_decide(left, msg, windows, config, now, message)
        return decisions

    @api.model
    def _pressure_decisions(self, requests, keys, flagged, reserve):
        """A decision per request, allowed; those of the flagged persons are
        returned to be decided (``[(person, decision)]`` in request order:
        the same person twice in a batch accumulates). With ``reserve`` the
        statement logged the others (once each: a person twice in the batch
        is logged by the caller, per request)."""
        decisions = {}
        left = []
        repeated = set()
        if reserve:
            seen = set()
            for key, _pid in keys.values():
                if key in seen:
                    repeated.add(key)
                seen.add(key)
        for idx, request in enumerate(requests):
            key, pid = keys[idx]
            decision = allowed_decision(key, pid)
            decisions[request["ref"]] = decision
            if key in flagged:
                left.append((flagged[key], decision))
            elif reserve and key not in repeated:
                decision["logged"] = True
        return decisions, left

    @api.model
    def _pressure_decide(self, left, msg, windows, config, now, message):
        """Decide the requests the statement could not allow at once
        (:func:`..engine.decide.decide`) and write the verdicts on their
        decisions.

        A held decision says why as a code and its arguments
        (``reason_code``, ``reason_args``: see :meth:`_pressure_reasons`),
        stored as such on traces and simulations and rendered in the
        reader's language; ``reason`` is that sentence in this
        environment's language, for immediate display."""
        verdicts = decide.decide(
            [person for person, _decision in left],
            msg,
            windows,
            config.cooldown_factor,
            now,
            self._pressure_default_tz(),
        )
        # sentences translated once per batch, not once per recipient; none
        # for a send or a check (they store the codes)
        render = (
            self._pressure_reason_renderer(
                {rule.id: rule.name for rule in config.rules}
            )
            if message.get("explain", True)
            else None
        )
        for (_person, decision), verdict in zip(left, verdicts, strict=True):
            if verdict.postpone_until:
                decision["postpone_until"] = verdict.postpone_until
            if not verdict.allowed:
                self._pressure_hold(
                    decision,
                    render,
                    verdict.code,
                    verdict.args,
                    rule_id=verdict.rule_id,
                    count=verdict.count,
                    threshold=verdict.threshold,
                    phone_action=verdict.phone_action,
                )

    @api.model
    def _pressure_hold(self, decision, render, code, args, **values):
        """Hold ``decision`` back for the reason ``code`` (arguments
        ``args``); ``values``: rule_id, count, threshold, phone_action."""
        decision.update(
            allowed=False,
            reason_code=code,
            reason_args=args,
            reason=render(code, args) if render else False,
            phone_action=values.pop("phone_action", "block"),
            **values,
        )

    @api.model
    def _pressure_person_keys(self, requests):
        """Person key of each request (list in request order; requests
        without any identifier are left out), resolved without counting,
        flagging nor locking anything: what arbitration plans per person."""
        requests = [
            r
            for r in requests
            if r.get("partner_id") or r.get("email") or r.get("phone")
        ]
        if not requests:
            return []
        keys, _flagged = self._pressure_query(
            requests, [], fields.Datetime.now(), lock=False
        )
        return [keys[idx][0] for idx in range(len(requests))]
