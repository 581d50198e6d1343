import logging
import math
import random
import time
from datetime import datetime, timedelta

import psycopg2.errors
import pytz
from odoo import SUPERUSER_ID, api, fields, models, tools
from odoo.exceptions import AccessError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# windows of a person's own cap (calendar periods, every channel)
OWN_PERIODS = ("week", "month")
# span of a calendar period in days, used for the horizon of the log scan and
# for arbitration (scheduled mailings planned within the span are reserved)
PERIOD_SPAN = {"day": 1, "week": 7, "month": 31}
# up to this many requests (a send batch or chunk), partners are read by index
# probes
PROBE_LIMIT = 5000
RETRY_ERRORS = (psycopg2.errors.SerializationFailure, psycopg2.errors.DeadlockDetected)


def _int_array(values):
    """PostgreSQL literal of an int array (NULL for what is not an int): one
    string to adapt, not 100,000 values."""
    return (
        "{" + ",".join(str(v) if isinstance(v, int) else "NULL" for v in values) + "}"
    )


class CampaignPressureEngine(models.AbstractModel):
    """Counting, arbitration and reservation of marketing contacts.

    Every send path builds a list of *requests* (one per recipient:
    ``{'ref', 'partner_id', 'email', 'phone'}``) and calls
    :meth:`_pressure_check_and_reserve`. One SQL statement resolves the person
    of each request (partner, else the partner owning the normalised email or
    sanitised phone, else the email / phone itself), locks the persons (see
    ``campaign.pressure.person``) and counts their weighted contacts of every
    applicable window; a second statement logs the reservations of the
    recipients allowed.
    """

    _name = "campaign.pressure.engine"
    _description = "Marketing Pressure Engine"

    # ------------------------------------------------------------------
    # Configuration
    # ------------------------------------------------------------------

    @api.model
    @tools.ormcache("company_id")
    def _pressure_config(self, company_id):
        """Active rules of a company as plain, cacheable data."""
        rules = (
            self.env["campaign.pressure.rule"]
            .sudo()
            .search([("company_id", "in", [False, company_id])])
        )
        company = self.env["res.company"].sudo().browse(company_id)
        rule_data = tuple(
            {
                "id": rule.id,
                "name": rule.name,
                "channels": tuple(rule.channel_ids.mapped("code")),
                "window_type": rule.window_type,
                "days": rule.window_days,
                "period": rule.period,
                "max": rule.max_contacts,
                "scope": rule.scope,
                "campaign_ids": tuple(rule.campaign_ids.ids),
                "tag_ids": tuple(rule.utm_tag_ids.ids),
                "phone_action": rule.phone_action,
            }
            for rule in rules
        )
        return {
            "rules": rule_data,
            "cooldown_factor": company.pressure_cooldown_factor if company else 0.5,
        }

    # ------------------------------------------------------------------
    # Windows
    # ------------------------------------------------------------------

    @api.model
    def _pressure_windows(self, channel, message, config):
        """Windows checked for a message: the applicable rules and the
        person's own caps. ``message``: dict with ``exempt``, ``campaign_id``,
        ``campaign_tag_ids``."""
        windows = []
        if message.get("exempt"):
            return windows
        for rule in config["rules"]:
            if channel not in rule["channels"]:
                continue
            if (
                rule["scope"] == "campaign"
                and message.get("campaign_id") not in rule["campaign_ids"]
            ):
                continue
            if rule["scope"] == "tag" and not set(rule["tag_ids"]) & set(
                message.get("campaign_tag_ids") or ()
            ):
                continue
            # a rule on both a rolling window and a calendar period checks
            # both windows against its maximum
            kinds = (
                ("rolling", "calendar")
                if rule["window_type"] == "both"
                else (rule["window_type"],)
            )
            for kind in kinds:
                windows.append(
                    {
                        "rule": rule,
                        "kind": kind,
                        "days": rule["days"],
                        "period": rule["period"],
                        "channels": rule["channels"],
                        "scope": rule["scope"],
                    }
                )
        for period in OWN_PERIODS:
            windows.append(
                {
                    "rule": None,
                    "own": period,
                    "kind": "calendar",
                    "days": 0,
                    "period": period,
                    "channels": None,
                    "scope": "marketing",
                }
            )
        return windows

    @api.model
    def _pressure_window_filter(self, window, index, now):
        """SQL condition on contact ``c`` for one window. Calendar windows
        start at the person's own period start (column ``pp.s<index>``,
        computed once per person, not per contact row)."""
        conditions = []
        if window["kind"] == "rolling":
            conditions.append(
                SQL("c.contact_date >= %s", now - timedelta(days=window["days"]))
            )
        else:
            conditions.append(
                SQL("c.contact_date >= pp.%s", SQL.identifier(f"s{index}"))
            )
        if window["channels"]:
            conditions.append(SQL("c.channel = ANY(%s)", list(window["channels"])))
        scope = window["scope"]
        if scope == "marketing":
            conditions.append(SQL("c.is_transactional IS NOT TRUE"))
        elif scope == "campaign":
            conditions.append(
                SQL("c.campaign_id = ANY(%s)", list(window["rule"]["campaign_ids"]))
            )
        elif scope == "tag":
            field = self.env["utm.campaign"]._fields["tag_ids"]
            conditions.append(
                SQL(
                    "c.campaign_id IN (SELECT %s FROM %s WHERE %s = ANY(%s))",
                    SQL.identifier(field.column1),
                    SQL.identifier(field.relation),
                    SQL.identifier(field.column2),
                    list(window["rule"]["tag_ids"]),
                )
            )
        if not window["rule"]:
            # the person's own cap: only counted for people who set one
            conditions.append(
                SQL(
                    "pp.pressure_period = %s AND pp.pressure_max_contacts > 0",
                    window["own"],
                )
            )
        return SQL(" AND ").join(conditions)

    @api.model
    def _pressure_period_start(self, period, now):
        """SQL: start (UTC) of the current calendar period in the time zone
        of partner ``p``; the start in the sender's time zone, computed once
        here, for people without one."""
        return SQL(
            "COALESCE(timezone('UTC', timezone(p.tz, date_trunc(%(period)s,"
            " timezone(p.tz, timezone('UTC', %(now)s::timestamp))))), %(default)s)",
            period=period,
            now=now,
            default=self._pressure_local_period_start(
                period, now, self._pressure_default_tz()
            ),
        )

    @api.model
    def _pressure_local_period_start(self, period, now, tz):
        """Start (naive UTC) of the calendar period containing ``now`` (naive
        UTC) in time zone ``tz``: weeks start on Monday, as date_trunc."""
        zone = self._pressure_tzinfo(tz)
        local = pytz.utc.localize(now).astimezone(zone).replace(tzinfo=None)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if period == "week":
            start -= timedelta(days=start.weekday())
        elif period == "month":
            start = start.replace(day=1)
        return zone.localize(start).astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _pressure_entry_counts(
        self, window, channel, is_transactional, campaign_id, tag_ids
    ):
        """Whether a contact (not yet in the log) counts in a window."""
        if window["channels"] and channel not in window["channels"]:
            return False
        scope = window["scope"]
        if scope == "marketing":
            return not is_transactional
        if scope == "campaign":
            return campaign_id in window["rule"]["campaign_ids"]
        if scope == "tag":
            return bool(set(window["rule"]["tag_ids"]) & set(tag_ids or ()))
        return True

    @api.model
    def _pressure_default_tz(self):
        # the context's tz (the sending user's): reading the user's tz would
        # cost queries in every batch (the composer invalidates the cache)
        return self.env.context.get("tz") or "UTC"

    # ------------------------------------------------------------------
    # Counting
    # ------------------------------------------------------------------

    @api.model
    def _pressure_query(
        self, requests, windows, now, lock=True, screen=None, reserve=None
    ):
        """One statement: resolve persons, lock them (optional), count windows.

        A request with a partner is the person ``p:<id>`` (keyed here, in
        Python); the statement resolves the others (the partner owning the
        normalised email or sanitised phone, else the email / phone itself).
        Most recipients of a send are far from every cap: the statement
        screens them out (``flag`` false) and returns details only for the
        persons left to decide in Python.

        :param dict screen: ``channel``, ``weight``, ``thresholds`` (one per
          window, None for the person's own caps), ``reserved_keys``
          (persons with contacts reserved by other mailings),
          ``partner_ids`` (partners always decided in Python) and ``probe``
          (read partners by index probes: a small batch);
        :param dict reserve: log values (see :meth:`_pressure_log_values`):
          the statement itself logs the reservations of the requests it
          allows at once.

        Without ``screen`` the statement only resolves (and locks) persons:
        nothing is counted nor flagged. With it, the persons' own settings
        (blocked channel, quiet hours...) are read even when there is no
        window to count: a transactional message is not capped, but it still
        respects what the person asked for.
        :return: ``(keys, flagged)``: ``keys`` maps the index of each request
          to ``(key, partner_id)``; ``flagged`` maps a person key to the tuple
          ``(key, pid, tz, max_contacts, period, quiet_from, quiet_to,
          cooldown_until, cooldown_reason, blocked, counts...)``.
        """
        screen = screen or {}
        keys = {}
        counts = {}  # partner id -> number of requests
        refs = {}  # partner id -> res_id of its first request
        unresolved = []
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
        if not screen and not lock and not unresolved and not reserve:
            return keys, {}
        # arrays passed as one literal each: adapting 100,000 Python values
        # one by one would cost more (the statement sorts the persons itself)
        ctes = [
            SQL(
                """given AS (
                    SELECT 'p:' || g.pid AS key, g.pid, COALESCE(g.n, 1) AS n, g.ref
                      FROM unnest(%s::int[], %s::int[], %s::int[]) AS g(pid, n, ref)
                )""",
                "{" + ",".join(map(str, counts)) + "}",
                # unnest pads the shorter arrays with NULL: n is 1, res_id
                # only matters when the statement logs reservations
                "{" + ",".join(map(str, counts.values())) + "}"
                if len(counts) != len(keys)
                else "{}",
                _int_array(refs.values()) if reserve else "{}",
            )
        ]
        if unresolved:
            ctes.append(
                SQL(
                    """req AS (
                        SELECT * FROM unnest(%s::int[], %s::int[],
                                             %s::varchar[], %s::varchar[])
                            AS r(idx, ref, email, phone)
                    ), keyed AS (
                        SELECT res.idx, res.ref, res.pid, CASE
                            WHEN res.pid IS NOT NULL THEN 'p:' || res.pid
                            WHEN res.email IS NOT NULL THEN 'e:' || res.email
                            ELSE 't:' || res.phone END AS key
                        FROM (
                            SELECT req.idx, req.ref, req.email, req.phone, COALESCE(
                                (SELECT rp.id FROM res_partner rp
                                  WHERE req.email IS NOT NULL
                                    AND rp.email_normalized = req.email
                                    AND rp.active ORDER BY rp.id LIMIT 1),
                                (SELECT rp.id FROM res_partner rp
                                  WHERE req.email IS NULL AND req.phone IS NOT NULL
                                    AND rp.phone_sanitized = req.phone AND rp.active
                               ORDER BY rp.id LIMIT 1)
                            ) AS pid
                            FROM req
                        ) res
                    ), persons AS (
                        SELECT g.key, g.pid, g.n + COALESCE(kn.n, 0) AS n
                          FROM given g
                          LEFT JOIN (SELECT key, COUNT(*)::int AS n
                                       FROM keyed GROUP BY key) kn USING (key)
                        UNION ALL
                        SELECT k.key, MIN(k.pid), COUNT(*)::int
                          FROM keyed k
                         WHERE NOT EXISTS (SELECT FROM given g WHERE g.key = k.key)
                      GROUP BY k.key
                    )""",
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
            ctes.append(
                SQL(
                    """lck AS (
                        INSERT INTO campaign_pressure_person (person_key, touch_date)
                        SELECT key, %s::timestamp FROM persons ORDER BY key
                        ON CONFLICT (person_key)
                        DO UPDATE SET touch_date = EXCLUDED.touch_date
                        RETURNING person_key
                    )""",
                    now,
                )
            )
        branches = []
        columns = self._pressure_detail_columns(windows) if screen else []
        if screen:
            ctes.extend(self._pressure_count_ctes(windows, now, screen))
        if reserve:
            ctes.append(
                self._pressure_reserve_cte(reserve, now, bool(screen), unresolved)
            )
        if screen:
            branches.append(
                SQL(
                    "SELECT NULL::int AS idx, f.key, f.pid, %s FROM f WHERE f.flag",
                    SQL(", ").join(SQL.identifier("f", col) for col in columns),
                )
            )
        if unresolved:
            branches.append(
                SQL(
                    "SELECT k.idx, k.key, k.pid%s FROM keyed k",
                    SQL("").join(SQL(", NULL") for _col in columns),
                )
            )
        if not branches:
            # nothing to check nor to resolve: lock only
            branches.append(SQL("SELECT NULL::int, NULL::varchar, NULL::int LIMIT 0"))
        query = SQL(
            "WITH %s %s", SQL(", ").join(ctes), SQL(" UNION ALL ").join(branches)
        )
        # flush only what the statement reads (not the caller's pending work)
        self.env["campaign.pressure.contact"].flush_model()
        self.env["res.partner"].flush_model(
            [
                "tz",
                "active",
                "email_normalized",
                "phone_sanitized",
                "pressure_max_contacts",
                "pressure_period",
                "pressure_quiet_from",
                "pressure_quiet_to",
                "pressure_cooldown_until",
                "pressure_cooldown_reason",
                "pressure_blocked_channel_ids",
            ]
        )
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
                flagged[row[1]] = row[1:]
            else:
                keys[row[0]] = (row[1], row[2])
        return keys, flagged

    @api.model
    def _pressure_reserve_cte(self, reserve, now, screened, unresolved):
        """CTE logging the reservations of the requests allowed at once: the
        persons the statement did not flag (every person once in the batch
        when nothing is screened)."""
        rows = SQL("SELECT key, pid, ref FROM given")
        if unresolved:
            rows = SQL("%s UNION ALL SELECT key, pid, ref FROM keyed", rows)
        # a person twice in the batch is logged by the caller, per request
        allowed = SQL("JOIN persons pe ON pe.key = x.key AND pe.n = 1")
        if screened:
            allowed = SQL("JOIN f ON f.key = x.key AND NOT f.flag")  # n > 1 flags
        return SQL(
            "ins AS (%s RETURNING 1)",
            self._pressure_insert_sql(
                SQL("(%s) x %s", rows, allowed), reserve, "reserved", now
            ),
        )

    @api.model
    def _pressure_insert_sql(self, rows, log_values, state, now):
        """INSERT of log rows: one per row ``x(key, pid, ref)`` of the FROM
        item ``rows``, with ``log_values`` (:meth:`_pressure_log_values`)."""
        return SQL(
            """INSERT INTO campaign_pressure_contact
                    (person_key, partner_id, res_id, channel, contact_date, weight,
                     source, mailing_id, campaign_id, res_model, is_transactional,
                     state, company_id, user_id)
                SELECT x.key, x.pid, x.ref, %(channel)s, %(now)s, %(weight)s,
                       %(source)s, %(mailing)s, %(campaign)s, %(res_model)s, %(tr)s,
                       %(state)s, %(company)s, %(user)s
                  FROM %(rows)s""",
            rows=rows,
            state=state,
            now=now,
            **log_values,
        )

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
            "tr": bool(values.get("is_transactional")),
            "company": values.get("company_id") or self.env.company.id,
            "user": values.get("user_id") or None,
        }

    @api.model
    def _pressure_detail_columns(self, windows):
        return [
            "tz",
            "pressure_max_contacts",
            "pressure_period",
            "pressure_quiet_from",
            "pressure_quiet_to",
            "pressure_cooldown_until",
            "pressure_cooldown_reason",
            "blocked",
            *(f"w{i}" for i in range(len(windows))),
        ]

    @api.model
    def _pressure_count_ctes(self, windows, now, screen):
        """CTEs ``pp`` (persons with their settings) and ``f`` (counts per
        window and whether the person needs deciding in Python). Without
        windows (a transactional message) nothing is counted: ``f`` only
        flags the persons whose own settings apply."""
        spans = [
            w["days"] if w["kind"] == "rolling" else PERIOD_SPAN[w["period"]] + 2
            for w in windows
        ]
        starts = [
            SQL(
                ", %s AS %s",
                self._pressure_period_start(w["period"], now)
                if w["rule"]
                # the person's own cap: only for people who set one
                else SQL(
                    "CASE WHEN p.pressure_max_contacts > 0 THEN %s END",
                    self._pressure_period_start(w["period"], now),
                ),
                SQL.identifier(f"s{i}"),
            )
            for i, w in enumerate(windows)
            if w["kind"] == "calendar"
        ]
        weight = screen.get("weight") or 1
        thresholds = screen.get("thresholds") or [None] * len(windows)
        over = [
            SQL("agg.%s + %s > %s", SQL.identifier(f"w{i}"), weight, threshold)
            for i, threshold in enumerate(thresholds)
            if threshold is not None
        ]
        partner_field = self.env["res.partner"]._fields["pressure_blocked_channel_ids"]
        if screen.get("probe"):
            # a send batch: one index probe per person (LIMIT keeps the
            # subquery from being flattened into a hash join that reads every
            # partner); a simulation over many people is left to the planner
            partners = SQL(
                """LATERAL (
                    SELECT rp.id, rp.tz, rp.pressure_max_contacts,
                           rp.pressure_period, rp.pressure_quiet_from,
                           rp.pressure_quiet_to, rp.pressure_cooldown_until,
                           rp.pressure_cooldown_reason
                      FROM res_partner rp WHERE rp.id = per.pid LIMIT 1
                ) p ON TRUE"""
            )
        else:
            partners = SQL("res_partner p ON p.id = per.pid")
        return [
            SQL(
                """pp AS (
                SELECT per.key, per.pid, per.n, p.tz, p.pressure_max_contacts,
                       p.pressure_period, p.pressure_quiet_from, p.pressure_quiet_to,
                       p.pressure_cooldown_until, p.pressure_cooldown_reason,
                       (p.id IS NOT NULL AND EXISTS (
                           SELECT 1 FROM %(rel)s rel
                             JOIN campaign_pressure_channel ch ON ch.id = rel.%(col2)s
                            WHERE rel.%(col1)s = p.id AND ch.code = %(channel)s
                       )) AS blocked
                       %(starts)s
                  FROM persons per
                  LEFT JOIN %(partners)s
              ORDER BY per.key  -- index order: neighbouring probes
            )""",
                rel=SQL.identifier(partner_field.relation),
                col1=SQL.identifier(partner_field.column1),
                col2=SQL.identifier(partner_field.column2),
                channel=screen.get("channel") or "",
                starts=SQL("").join(starts),
                partners=partners,
            ),
            SQL(
                """f AS (
                SELECT pp.* %(agg_columns)s, COALESCE(
                    pp.n > 1 OR pp.blocked OR pp.key = ANY(%(reserved)s)
                    OR pp.pid = ANY(%(partner_ids)s)
                    OR (pp.pid IS NOT NULL AND (
                        COALESCE(pp.pressure_max_contacts, 0) > 0
                        OR COALESCE(pp.pressure_quiet_from, 0)
                           != COALESCE(pp.pressure_quiet_to, 0)
                        OR pp.pressure_cooldown_until > %(now)s))
                    %(over)s, false  -- unset settings (NULL) flag nobody
                ) AS flag
                  FROM pp %(agg)s
            )""",
                reserved=list(screen.get("reserved_keys") or ()),
                partner_ids=list(screen.get("partner_ids") or ()),
                now=now,
                over=SQL("").join(SQL(" OR %s", cond) for cond in over),
                agg_columns=SQL(", agg.*") if windows else SQL(),
                agg=self._pressure_agg_sql(windows, now, spans),
            ),
        ]

    @api.model
    def _pressure_agg_sql(self, windows, now, spans):
        """Lateral join ``agg``: the person's weighted contacts per window
        (nothing to join without windows)."""
        if not windows:
            return SQL()
        sums = SQL(", ").join(
            SQL(
                "COALESCE(SUM(c.weight) FILTER (WHERE %s), 0) AS %s",
                self._pressure_window_filter(window, i, now),
                SQL.identifier(f"w{i}"),
            )
            for i, window in enumerate(windows)
        )
        return SQL(
            """CROSS JOIN LATERAL (
                    SELECT %s
                      FROM campaign_pressure_contact c
                     WHERE c.person_key = pp.key AND c.contact_date >= %s
                       AND c.state != 'released'
             ) agg""",
            sums,
            now - timedelta(days=max(spans)),
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
          company_id, reserved, postpone_quiet`` (``reserved``: person key ->
          list of ``(channel, weight, is_transactional, campaign_id,
          tag_ids)`` planned by mailings that win arbitration;
          ``postpone_quiet``: the message can wait for the end of the
          person's quiet hours, the decision then has ``postpone_until``;
          ``explain``: False when nobody reads ``reason`` now, the sentence
          is then not rendered);
        :param dict reserve: log values (:meth:`_pressure_log_values`): the
          counting statement logs the reservations of the requests it allows
          at once (their decision has ``logged``); the caller logs the other
          allowed ones (:meth:`_pressure_check_and_reserve`);
        :return dict: ref -> decision dict (``key, partner_id, allowed,
          rule_id, count, threshold, reason_code, reason_args, reason,
          phone_action``; see :meth:`_pressure_decide`)
        """
        message = dict(message or {})
        now = now or fields.Datetime.now()
        weight = message["weight"] if message.get("weight") is not None else 1
        company_id = message.get("company_id") or self.env.company.id
        config = self._pressure_config(company_id)
        windows = self._pressure_windows(channel, message, config)
        requests = [
            r
            for r in requests
            if r.get("partner_id") or r.get("email") or r.get("phone")
        ]
        if not requests:
            return {}
        reserved = message.get("reserved") or {}
        keys, details = self._pressure_query(
            requests,
            windows,
            now,
            lock=lock,
            screen={
                "channel": channel,
                "weight": weight,
                "thresholds": [
                    w["rule"]["max"] if w["rule"] else None for w in windows
                ],
                "reserved_keys": list(reserved),
                "partner_ids": self._pressure_screened_partner_ids(),
                "probe": len(requests) <= PROBE_LIMIT,
            },
            reserve=reserve,
        )
        decisions = {}
        flagged = []
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
            if key in details:
                # in request order: the same person twice in a batch accumulates
                flagged.append((details[key], decision))
            elif reserve and key not in repeated:
                decision["logged"] = True
        if flagged:
            # a transactional message has no window (never capped) but is
            # still decided on the person's blocked channels and quiet hours
            self._pressure_decide(
                flagged, channel, message, windows, config, weight, now
            )
        return decisions

    @api.model
    def _pressure_decide(self, flagged, channel, message, windows, config, weight, now):
        """Decide the requests the statement could not allow at once.

        A held decision says why as a code and its arguments
        (``reason_code``, ``reason_args``: see :meth:`_pressure_reasons`),
        stored as such on traces and simulations and rendered in the
        reader's language; ``reason`` is that sentence in this
        environment's language, for immediate display."""
        reserved = message.get("reserved") or {}
        added = {}
        zeros = [0] * len(windows)
        # (index, window, rule threshold or None for the person's own caps)
        checks = [
            (i, w, w["rule"]["max"] if w["rule"] else None)
            for i, w in enumerate(windows)
        ]
        counts_new = [
            self._pressure_entry_counts(
                w,
                channel,
                bool(message.get("exempt")),
                message.get("campaign_id"),
                message.get("campaign_tag_ids"),
            )
            for w in windows
        ]
        factor = config["cooldown_factor"]
        local_hours = {}
        rule_names = {rule["id"]: rule["name"] for rule in config["rules"]}
        # sentences translated once per batch, not once per recipient; none
        # for a send or a check (they store the codes)
        render = (
            self._pressure_reason_renderer(rule_names)
            if message.get("explain", True)
            else None
        )
        for row, decision in flagged:
            (
                key,
                _pid,
                tz,
                max_contacts,
                period,
                quiet_from,
                quiet_to,
                cooldown_until,
                cooldown_reason,
                blocked,
                *counts,
            ) = row
            if blocked:
                self._pressure_hold(
                    decision, render, "blocked_channel", {"channel": channel}
                )
                continue
            tz = tz or self._pressure_default_tz()
            if self._pressure_has_quiet_hours(quiet_from, quiet_to):
                if tz not in local_hours:
                    local = pytz.utc.localize(now).astimezone(self._pressure_tzinfo(tz))
                    local_hours[tz] = local.hour + local.minute / 60.0
                if self._pressure_in_quiet_hours(
                    local_hours[tz], quiet_from or 0.0, quiet_to or 0.0
                ):
                    if not message.get("postpone_quiet"):
                        self._pressure_hold(
                            decision,
                            render,
                            "quiet_hours",
                            {},
                            phone_action="warn",
                        )
                        continue
                    # a channel that can wait (email): sent when the quiet
                    # hours end, if the caps allow it now
                    decision["postpone_until"] = self._pressure_quiet_end(
                        now, tz, quiet_to or 0.0
                    )
            cooling = bool(cooldown_until and cooldown_until > now)
            extra = (
                self._pressure_reserved_counts(windows, reserved[key])
                if key in reserved
                else zeros
            )
            mine = added.get(key, zeros)
            # the window with the least room at the full thresholds, and
            # (during a cool-down) at the lowered ones
            worst, lowered = self._pressure_tightest(
                checks,
                (counts, mine, extra),
                weight,
                (max_contacts, period),
                factor if cooling else None,
            )
            if worst or lowered:
                _margin, window, used, threshold = worst or lowered
                rule = window["rule"]
                args = {"count": used, "threshold": threshold}
                if not worst:
                    # reached only because the cool-down lowers the
                    # thresholds: the rule itself was not reached
                    code = "cooldown"
                    args.update(
                        until=fields.Datetime.to_string(cooldown_until),
                        response=cooldown_reason or False,
                        rule_id=rule["id"] if rule else False,
                    )
                elif rule:
                    code = "rule"
                    args["rule_id"] = rule["id"]
                else:
                    code = "own_cap"
                    args["period"] = window["own"]
                self._pressure_hold(
                    decision,
                    render,
                    code,
                    args,
                    rule_id=rule["id"] if rule else False,
                    count=used,
                    threshold=threshold,
                    phone_action=rule["phone_action"] if rule else "block",
                )
                continue
            if key not in added:
                added[key] = [0] * len(windows)
            for i, counted in enumerate(counts_new):
                if counted:
                    added[key][i] += weight

    @api.model
    def _pressure_tightest(self, checks, used, weight, own, factor):
        """The window with the least room a new contact would exceed:
        ``(worst, lowered)``, each ``(margin, window, used, threshold)`` or
        None; ``worst`` at the full thresholds, ``lowered`` at the
        thresholds a cool-down lowers by ``factor`` (None: no cool-down).
        ``used``: contacts per window (logged, of this batch, reserved by
        other mailings); ``own``: the person's ``(max_contacts, period)``."""
        counts, mine, extra = used
        max_contacts, period = own
        worst = lowered = None
        for i, window, threshold in checks:
            if threshold is None:
                if not max_contacts or period != window["own"]:
                    continue
                threshold = max_contacts
            used = counts[i] + mine[i] + extra[i]
            if used + weight > threshold:
                margin = threshold - used
                if worst is None or margin < worst[0]:
                    worst = (margin, window, used, threshold)
            if factor is not None:
                cooled = math.floor(threshold * factor)
                if used + weight > cooled:
                    margin = cooled - used
                    if lowered is None or margin < lowered[0]:
                        lowered = (margin, window, used, cooled)
        return worst, lowered

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
            if code == "cooldown" and not args.get("until"):
                code = "cooldown_undated"
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
    def _pressure_reserved_counts(self, windows, entries):
        extra = [0] * len(windows)
        for channel, weight, is_transactional, campaign_id, tag_ids in entries:
            for i, window in enumerate(windows):
                if self._pressure_entry_counts(
                    window, channel, is_transactional, campaign_id, tag_ids
                ):
                    extra[i] += weight
        return extra

    @api.model
    def _pressure_tzinfo(self, tz):
        try:
            return pytz.timezone(tz)
        except pytz.UnknownTimeZoneError:
            return pytz.utc

    @api.model
    def _pressure_quiet_end(self, now, tz, end):
        """End (naive UTC) of the quiet hours a person in time zone ``tz`` is
        in at ``now`` (naive UTC); ``end``: local hour (float) they end."""
        zone = self._pressure_tzinfo(tz)
        local = pytz.utc.localize(now).astimezone(zone)
        day = local.date()
        if local.hour + local.minute / 60.0 >= end:
            day += timedelta(days=1)  # quiet since the evening: ends tomorrow
        naive = datetime.combine(day, datetime.min.time()) + timedelta(
            minutes=round(end * 60)
        )
        return zone.localize(naive).astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _pressure_has_quiet_hours(self, quiet_from, quiet_to):
        """Whether a person's quiet hours (local hours, floats) are set."""
        return quiet_from != quiet_to and bool(quiet_from or quiet_to)

    @api.model
    def _pressure_in_quiet_hours(self, hour, start, end):
        if start < end:
            return start <= hour < end
        return hour >= start or hour < end

    # ------------------------------------------------------------------
    # Reservation
    # ------------------------------------------------------------------

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
            self._pressure_insert_sql(
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
    def _pressure_screened_partner_ids(self):
        """Partners whose requests are always decided in Python (never
        allowed, nor reserved, by the counting statement alone): for
        extensions that hold back more people after the engine's decision."""
        return ()

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
                res_ids=_int_array(res_ids),
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
