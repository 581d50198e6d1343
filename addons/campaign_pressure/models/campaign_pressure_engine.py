import logging
import random
import time

import psycopg2.errors
from odoo import SUPERUSER_ID, api, fields, models, tools
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..engine import decide, sql, timeframes
from ..engine.records import Config, Message, Person, Rule
from .res_partner import QUIET_DAY_FIELDS

_logger = logging.getLogger(__name__)

# up to this many requests (a send batch or chunk), partners are read by index
# probes
PROBE_LIMIT = 5000
RETRY_ERRORS = (psycopg2.errors.SerializationFailure, psycopg2.errors.DeadlockDetected)
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
    :meth:`_pressure_person_keys` (arbitration), the reasons
    (:meth:`_pressure_reason_renderer`).
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
            ctes.append(sql.reserve_cte(reserve, now, bool(screen), unresolved))
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
            decision = {
                "key": key,
                "partner_id": pid,
                "allowed": True,
                "rule_id": False,
                "count": 0,
                "threshold": 0,
                "reason_code": False,
                # None, not {}: a dict of plain values is not tracked by the
                # garbage collector (100,000 decisions for a large check)
                "reason_args": None,
                "reason": False,
                "phone_action": "warn",
            }
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
    def _pressure_trace_reason(self, decision):
        """Trace values recording why ``decision`` was held back: its code
        and arguments; the text only for an extension's reason that has no
        code (shown as written)."""
        if decision.get("reason_code"):
            return {
                "pressure_reason": decision["reason_code"],
                "pressure_reason_args": decision.get("reason_args") or {},
            }
        return {"failure_reason": decision.get("reason") or False}

    # ------------------------------------------------------------------
    # Reasons: stored as codes, rendered in the reader's language
    # ------------------------------------------------------------------

    @api.model
    def _pressure_reasons(self):
        """Why a message is held back: ``[(code, label)]`` in the
        environment's language. The selection of every stored reason
        (traces, simulations); an extension that holds back more people
        adds its codes here and their sentences in
        :meth:`_pressure_reason_templates`, then sets ``reason_code`` and
        ``reason_args`` on the decisions it holds."""
        _ = self.env._
        return [
            ("rule", _("Pressure rule")),
            ("own_cap", _("Person's own cap")),
            ("cooldown", _("Cool-down after a negative response")),
            ("blocked_channel", _("Channel blocked by the person")),
            ("quiet_hours", _("Quiet hours")),
            ("quiet_day", _("Quiet day")),
        ]

    @api.model
    def _pressure_reason_templates(self, detailed=True):
        """Sentence of each reason code in the environment's language, with
        ``%(name)s`` arguments (see :meth:`_pressure_reason_renderer`).
        ``detailed``: the reader may see why a person cools down (the
        marketing team: the response is internal scoring)."""
        _ = self.env._
        templates = {
            "rule": _(
                "Rule '%(rule)s' reached: %(count)s contact(s) in its window, "
                "threshold %(threshold)s."
            ),
            "own_cap": _(
                "The person's own cap reached: %(count)s contact(s) %(period)s, "
                "threshold %(threshold)s."
            ),
            "cooldown": _(
                "Cool-down until %(until)s after a negative response "
                "(%(response)s): the threshold is lowered to %(threshold)s and "
                "%(count)s contact(s) were made."
            ),
            "cooldown_undated": _(
                "Cool-down after a negative response: the threshold is lowered "
                "to %(threshold)s and %(count)s contact(s) were made."
            ),
            "blocked_channel": _("The person blocked the %(channel)s channel."),
            "quiet_hours": _("Quiet hours of the person."),
            "quiet_day": _("Quiet day of the person: nothing until %(until)s."),
            "quiet_day_undated": _("Quiet days of the person: every day of the week."),
        }
        if not detailed:
            templates["cooldown"] = templates["cooldown_undated"]
        return templates

    @api.model
    def _pressure_reason_renderer(self, rule_names=None):
        """A function ``(code, args) -> sentence`` in the environment's
        language. Translations, labels and dates are looked up once per
        renderer (a batch), not once per recipient. ``rule_names``: rule id
        -> name already known (else read, in the reader's language)."""
        env = self.env
        detailed = env.su or env.user.has_group("mass_mailing.group_mass_mailing_user")
        templates = self._pressure_reason_templates(detailed=detailed)
        channels = dict(
            env["campaign.pressure.contact"]
            ._fields["channel"]
            ._description_selection(env)
        )
        responses = dict(
            env["res.partner"]
            ._fields["pressure_cooldown_reason"]
            ._description_selection(env)
        )
        periods = {"week": env._("this week"), "month": env._("this month")}
        names = dict(rule_names or {})
        dates = {}
        # many people of a batch are held back for the same reason
        sentences = {}

        def rule_name(rule_id):
            if rule_id not in names:
                rule = env["campaign.pressure.rule"].sudo().browse(rule_id).exists()
                names[rule_id] = rule.name if rule else None
            return names[rule_id]

        def date(value):
            if value not in dates:
                dates[value] = tools.format_datetime(
                    env, fields.Datetime.to_datetime(value), dt_format="short"
                )
            return dates[value]

        def render(code, args):
            args = args or {}
            try:
                memo = (code, *sorted(args.items()))
                if memo not in sentences:
                    sentences[memo] = sentence(code, args)
                return sentences[memo]
            except TypeError:  # stored arguments that are not plain values
                return sentence(code, args)

        def sentence(code, args):
            if code in ("cooldown", "quiet_day") and not args.get("until"):
                code = f"{code}_undated"
            template = templates.get(code)
            if not template:
                return args.get("text") or ""
            params = dict(args)
            # the rule's name now, in the reader's language (the name it had
            # when a deleted rule is not found)
            params["rule"] = (
                (args.get("rule_id") and rule_name(args["rule_id"]))
                or args.get("rule_name")
                or "?"
            )
            if args.get("until"):
                params["until"] = date(args["until"])
            if "response" in args:
                params["response"] = responses.get(args["response"]) or env._("unknown")
            if "period" in args:
                params["period"] = periods.get(args["period"], args["period"])
            if "channel" in args:
                params["channel"] = channels.get(args["channel"], args["channel"])
            params.setdefault("count", 0)
            params.setdefault("threshold", 0)
            return template % params

        return render

    @api.model
    # ------------------------------------------------------------------
    # Reservation
    # ------------------------------------------------------------------

    @api.model
    def _pressure_log_values(self, channel, source, values):
        """SQL parameters of a log row, from ``values``: mailing_id,
        campaign_id, res_model, weight, is_transactional, company_id,
        user_id (contacts logged by hand)."""
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
        }

    @api.model
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
        self, requests, channel, source, mailing=None, res_model=None, postpone=False
    ):
        """Check a batch of a send and reserve the allowed recipients.
        ``postpone``: the channel can wait for the end of quiet hours."""
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
        decisions = self._pressure_evaluate(
            requests,
            channel,
            message=message,
            lock=True,
            reserve=self._pressure_log_values(channel, source, values),
        )
        self._pressure_log(decisions, channel, source, values)
        self.env["campaign.pressure.contact"].invalidate_model()
        return decisions

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

    @api.model
    def _pressure_is_manager(self):
        """Whether the caller may take a pressure manager's decisions (rules,
        transactional messages, cool-downs): server-side code (``sudo()``,
        crons) or a member of the group."""
        return self.env.su or self.env.user.has_group(
            "campaign_pressure.group_pressure_manager"
        )

    @api.model
    def _pressure_check_manager(self, message):
        """Refuse with ``message`` (translated) unless the caller is a
        pressure manager (see :meth:`_pressure_is_manager`)."""
        if not self._pressure_is_manager():
            raise AccessError(message)

    @api.model
    def _pressure_disabled(self):
        """Whether the send paths skip the pressure checks: only when the
        system user itself asks (context ``campaign_pressure_disable`` in a
        shell, a script or the benchmark of the stock send path).

        Never for a user's request: over JSON-RPC any user sends any
        context, and ``sudo()`` keeps the request's context, so ``env.su``
        would not tell a server-side decision from a client's flag. The
        system user cannot log in; crons run as it with the context stored
        on the cron, not a client's."""
        return self.env.uid == SUPERUSER_ID and bool(
            self.env.context.get("campaign_pressure_disable")
        )

    @api.model
    def _pressure_sending(self):
        """State of the sends in progress on this cursor (``mailing id ->
        {"reserved": ..., "ahead": ...}``), kept in the cursor's cache: it
        survives the commits a send makes between batches, and costs no
        context variant (every environment lookup compares contexts)."""
        return self.env.cr.cache.setdefault("campaign_pressure_sending", {})

    @api.model
    def _pressure_message_values(self, mailing):
        if not mailing:
            return {"reserved": {}}
        sending = self._pressure_sending().get(mailing.id) or {}
        mailing = mailing.sudo()
        return {
            "weight": mailing.pressure_weight or 1,
            "exempt": mailing.pressure_exempt,
            "campaign_id": mailing.campaign_id.id or None,
            "campaign_tag_ids": tuple(mailing.campaign_id.tag_ids.ids),
            "company_id": self.env.company.id,
            # person key -> contacts planned by mailings winning arbitration
            "reserved": sending.get("reserved") or {},
        }

    @api.model
    def _pressure_release_documents(self, mailing, model, res_ids):
        """Release the reservations a mailing holds for records that have no
        mail (no trace) of it: recipients Odoo itself cancelled, or left
        over by an interrupted send."""
        if not res_ids or not mailing:
            return
        self.env["campaign.pressure.contact"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE campaign_pressure_contact c
                   SET state = 'released'
                 WHERE c.mailing_id = %(mailing)s AND c.res_model = %(model)s
                   AND c.res_id = ANY(%(res_ids)s) AND c.state = 'reserved'
                   AND NOT EXISTS (
                       SELECT FROM mailing_trace t
                        WHERE t.mass_mailing_id = c.mailing_id
                          AND t.model = c.res_model AND t.res_id = c.res_id)
                """,
                mailing=mailing.id,
                model=model,
                res_ids=sql.int_array(res_ids),
            )
        )
        self.env["campaign.pressure.contact"].invalidate_model(["state"])

    @api.model
    def _pressure_sync_traces(self, trace_ids, state):
        """Confirm or release the reservations of mailing traces."""
        if not trace_ids:
            return
        from_states = (
            ["reserved"] if state == "confirmed" else ["reserved", "confirmed"]
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE campaign_pressure_contact c
                   SET state = %s
                  FROM mailing_trace t
                 WHERE t.id = ANY(%s) AND c.mailing_id = t.mass_mailing_id
                   AND c.res_model = t.model AND c.res_id = t.res_id
                   AND c.state = ANY(%s)
                """,
                state,
                list(trace_ids),
                from_states,
            )
        )
        self.env["campaign.pressure.contact"].invalidate_model()

    # ------------------------------------------------------------------
    # Requests from records
    # ------------------------------------------------------------------

    @api.model
    def _pressure_requests(self, model, res_ids, channel):
        """Requests for records of any mailing model (simulation, arbitration)."""
        records = self.env[model].browse(res_ids)
        requests = []
        if model == "res.partner":
            return [{"ref": rid, "partner_id": rid} for rid in res_ids]
        if channel == "sms" and hasattr(records, "_sms_get_recipients_info"):
            info = records._sms_get_recipients_info()
            for rid in res_ids:
                rec = info.get(rid) or {}
                requests.append(
                    {
                        "ref": rid,
                        "partner_id": rec.get("partner").id
                        if rec.get("partner")
                        else None,
                        "phone": rec.get("sanitized") or None,
                    }
                )
            return requests
        partner_fname = next(
            (
                fname
                for fname in (
                    records._mail_get_partner_fields()
                    if hasattr(records, "_mail_get_partner_fields")
                    else []
                )
                if records._fields[fname].store
                and records._fields[fname].type == "many2one"
            ),
            None,
        )
        email_fname = (
            records._mail_get_primary_email_field()
            if hasattr(records, "_mail_get_primary_email_field")
            else None
        )
        fnames = [f for f in (partner_fname, email_fname) if f]
        records.fetch(fnames)
        for record in records:
            requests.append(
                {
                    "ref": record.id,
                    "partner_id": record[partner_fname].id if partner_fname else None,
                    "email": tools.email_normalize(record[email_fname])
                    if email_fname
                    else None,
                }
            )
        return requests

    # ------------------------------------------------------------------
    # Concurrency
    # ------------------------------------------------------------------

    @api.model
    def _pressure_retry(self, func, tries=5):
        """Run ``func()`` in the current transaction and retry it from a
        rollback on serialization failures / deadlocks (crons, workers)."""
        for attempt in range(1, tries + 1):
            try:
                return func()
            except RETRY_ERRORS:
                if attempt == tries:
                    raise
                _logger.info(
                    "Marketing pressure: concurrent send, retry %s/%s", attempt, tries
                )
                self.env.cr.rollback()
                self.env.invalidate_all()
                time.sleep(random.uniform(0.05, 0.3) * attempt)
        return None
