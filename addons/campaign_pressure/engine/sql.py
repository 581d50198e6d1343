"""Builders of the counting statement and of the contact log's INSERT.

One statement resolves the person of each request, locks the persons
(``campaign.pressure.person``), counts their weighted contacts per window and
flags those who need deciding in Python (:mod:`.decide`); the others are
allowed at once, and reserved by the same statement when asked. Every value
is a parameter of :class:`odoo.tools.SQL`; names are
:meth:`~odoo.tools.SQL.identifier`.
"""

from datetime import timedelta
from typing import NamedTuple

from odoo.tools import SQL

from .records import PERSON_COLUMNS
from .timeframes import PERIOD_SPAN


class Relation(NamedTuple):
    """A many2many table: ``table(column1 -> record, column2 -> other)``."""

    table: str
    column1: str
    column2: str


class Screen(NamedTuple):
    """What the statement flags for deciding in Python."""

    channel: str
    weight: int
    thresholds: list  # per window: the rule's maximum, None for own caps
    reserved_keys: list  # persons with contacts planned by other mailings
    quiet_days: bool  # a marketing message: people on quiet days are decided
    probe: bool  # a small batch: read partners by index probes
    blocked: Relation  # res.partner's blocked channels
    tags: Relation  # utm.campaign's tags
    # an extension's condition on ``pp`` that flags more persons (e.g. a
    # suppression after a response): they are decided in Python
    flag_extra: SQL | None = None
    # the statement's CTE ``lft`` holds the reservations an interrupted send
    # of the same mailing left for these documents: not counted
    leftovers: bool = False


def int_array(values):
    """PostgreSQL literal of an int array (NULL for what is not an int): one
    string to adapt, not 100,000 values."""
    return (
        "{" + ",".join(str(v) if isinstance(v, int) else "NULL" for v in values) + "}"
    )


def quiet_hours_set(alias):
    """:func:`..timeframes.quiet_hours_set` on the columns of ``alias``."""
    return SQL(
        "COALESCE(%(a)s.pressure_quiet_from, 0)"
        " != COALESCE(%(a)s.pressure_quiet_to, 0)",
        a=SQL.identifier(alias),
    )


def quiet_days(alias, day_fields):
    """Bit mask (``1 << weekday``) of the quiet days of partner ``alias``;
    ``day_fields``: the week day columns, Monday first."""
    return SQL(
        "(%s)",
        SQL(" | ").join(
            SQL("(CASE WHEN %s THEN %s ELSE 0 END)", SQL.identifier(alias, f), 1 << d)
            for d, f in enumerate(day_fields)
        ),
    )


def period_start(period, now, default):
    """Start (UTC) of the current calendar period in the time zone of
    partner ``p``; ``default`` (computed once in Python) for people without
    one."""
    return SQL(
        "COALESCE(timezone('UTC', timezone(p.tz, date_trunc(%(period)s,"
        " timezone(p.tz, timezone('UTC', %(now)s::timestamp))))), %(default)s)",
        period=period,
        now=now,
        default=default,
    )


def window_filter(window, index, now, tags):
    """Condition on contact ``c`` for one window. Calendar windows start at
    the person's own period start (column ``pp.s<index>``, computed once per
    person, not per contact row)."""
    if window.kind == "rolling":
        conditions = [SQL("c.contact_date >= %s", now - timedelta(days=window.days))]
    else:
        conditions = [SQL("c.contact_date >= pp.%s", SQL.identifier(f"s{index}"))]
    if window.channels:
        conditions.append(SQL("c.channel = ANY(%s)", list(window.channels)))
    if window.scope == "marketing":
        conditions.append(SQL("c.is_transactional IS NOT TRUE"))
    elif window.scope == "campaign":
        conditions.append(
            SQL("c.campaign_id = ANY(%s)", list(window.rule.campaign_ids))
        )
    elif window.scope == "tag":
        conditions.append(
            SQL(
                "c.campaign_id IN (SELECT %s FROM %s WHERE %s = ANY(%s))",
                SQL.identifier(tags.column1),
                SQL.identifier(tags.table),
                SQL.identifier(tags.column2),
                list(window.rule.tag_ids),
            )
        )
    if not window.rule:
        # the person's own cap: only counted for people who set one
        conditions.append(
            SQL(
                "pp.pressure_period = %s AND pp.pressure_max_contacts > 0",
                window.own,
            )
        )
    return SQL(" AND ").join(conditions)


def given_cte(counts, refs, n_requests, reserve):
    """CTE ``given``: the persons of the requests with a partner.
    ``counts``: partner id -> number of its requests; ``refs``: partner id
    -> res_id of its first request."""
    # arrays passed as one literal each: adapting 100,000 Python values one
    # by one would cost more (the statement sorts the persons itself)
    return SQL(
        """given AS (
            SELECT 'p:' || g.pid AS key, g.pid, COALESCE(g.n, 1) AS n, g.ref
              FROM unnest(%s::int[], %s::int[], %s::int[]) AS g(pid, n, ref)
        )""",
        "{" + ",".join(map(str, counts)) + "}",
        # unnest pads the shorter arrays with NULL: n is 1, res_id only
        # matters when the statement logs reservations
        "{" + ",".join(map(str, counts.values())) + "}"
        if len(counts) != n_requests
        else "{}",
        int_array(refs.values()) if reserve else "{}",
    )


def resolve_ctes(idx, refs, emails, phones):
    """CTEs ``req``, ``keyed`` (the person of each request without a
    partner: the partner owning the normalised email or sanitised phone,
    else the email / phone itself) and ``persons`` (every person once, with
    its number of requests)."""
    return SQL(
        """req AS (
            SELECT * FROM unnest(%s::int[], %s::int[], %s::varchar[], %s::varchar[])
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
        idx,
        refs,
        emails,
        phones,
    )


def lock_cte(now):
    """CTE ``lck``: lock every person (in key order: no deadlock between two
    sends) by upserting their ``campaign_pressure_person`` row."""
    return SQL(
        """lck AS (
            INSERT INTO campaign_pressure_person (person_key, touch_date)
            SELECT key, %s::timestamp FROM persons ORDER BY key
            ON CONFLICT (person_key)
            DO UPDATE SET touch_date = EXCLUDED.touch_date
            RETURNING person_key
        )""",
        now,
    )


def partners_join(screen, day_fields):
    """The join of ``persons per`` to their partner ``p``."""
    if screen.probe:
        # a send batch: one index probe per person (LIMIT keeps the subquery
        # from being flattened into a hash join that reads every partner); a
        # simulation over many people is left to the planner
        return SQL(
            """LATERAL (
                SELECT rp.id, rp.tz, rp.pressure_max_contacts,
                       rp.pressure_period, rp.pressure_quiet_from,
                       rp.pressure_quiet_to, %s AS quiet_days,
                       rp.pressure_cooldown_until, rp.pressure_cooldown_reason
                  FROM res_partner rp WHERE rp.id = per.pid LIMIT 1
            ) p ON TRUE""",
            quiet_days("rp", day_fields),
        )
    return SQL(
        """(SELECT rp.*, %s AS quiet_days FROM res_partner rp) p
           ON p.id = per.pid""",
        quiet_days("rp", day_fields),
    )


def persons_cte(wins, now, screen, day_fields, default_starts, blocked=None):
    """CTE ``pp``: the persons with their settings, whether the channel is
    blocked and the start of each calendar window (``s<index>``).
    ``default_starts``: period -> its start for people without a time zone;
    ``blocked``: ``[(column, channel code)]`` of the blocked flags (default:
    ``blocked``, of the screen's channel)."""
    starts = [
        SQL(
            ", %s AS %s",
            period_start(w.period, now, default_starts[w.period])
            if w.rule
            # the person's own cap: only for people who set one
            else SQL(
                "CASE WHEN p.pressure_max_contacts > 0 THEN %s END",
                period_start(w.period, now, default_starts[w.period]),
            ),
            SQL.identifier(f"s{i}"),
        )
        for i, w in enumerate(wins)
        if w.kind == "calendar"
    ]
    rel = screen.blocked
    flags = SQL(", ").join(
        SQL(
            """(p.id IS NOT NULL AND EXISTS (
                   SELECT 1 FROM %(rel)s rel
                     JOIN campaign_pressure_channel ch ON ch.id = rel.%(col2)s
                    WHERE rel.%(col1)s = p.id AND ch.code = %(channel)s
               )) AS %(column)s""",
            rel=SQL.identifier(rel.table),
            col1=SQL.identifier(rel.column1),
            col2=SQL.identifier(rel.column2),
            channel=channel,
            column=SQL.identifier(column),
        )
        for column, channel in blocked or [("blocked", screen.channel or "")]
    )
    return SQL(
        """pp AS (
        SELECT per.key, per.pid, per.n, p.tz, p.pressure_max_contacts,
               p.pressure_period, p.pressure_quiet_from, p.pressure_quiet_to,
               p.quiet_days, p.pressure_cooldown_until,
               p.pressure_cooldown_reason, %(flags)s
               %(starts)s
          FROM persons per
          LEFT JOIN %(partners)s
      ORDER BY per.key  -- index order: neighbouring probes
    )""",
        flags=flags,
        starts=SQL("").join(starts),
        partners=partners_join(screen, day_fields),
    )


def flag_cte(wins, now, screen):
    """CTE ``f``: the counts per window and whether the person needs deciding
    in Python (``flag``). Without windows (a transactional message) nothing
    is counted: only the persons whose own settings apply are flagged."""
    return SQL(
        "f AS (SELECT pp.* %s, %s AS flag FROM pp %s)",
        SQL(", agg.*") if wins else SQL(),
        flag_condition(screen, now),
        agg_join(wins, now, screen.tags, screen.leftovers),
    )


def flag_condition(screen, now, blocked="blocked", over=None):
    """Whether the person of ``pp`` (joined to ``agg``) needs deciding in
    Python for the message of ``screen``. ``blocked``: the column of the
    channel's block; ``over``: ``[(index, threshold)]`` of the windows
    ``w<index>`` of the message (default: the screen's, in order)."""
    if over is None:
        over = enumerate(screen.thresholds)
    over = [
        SQL("agg.%s + %s > %s", SQL.identifier(f"w{i}"), screen.weight, threshold)
        for i, threshold in over
        if threshold is not None
    ]
    return SQL(
        """COALESCE(
            pp.n > 1 OR pp.%(blocked)s OR pp.key = ANY(%(reserved)s)
            OR (pp.pid IS NOT NULL AND (
                COALESCE(pp.pressure_max_contacts, 0) > 0
                OR %(quiet_hours)s %(quiet_days)s
                OR pp.pressure_cooldown_until > %(now)s))
            %(over)s %(extra)s, false  -- unset settings (NULL) flag nobody
        )""",
        blocked=SQL.identifier(blocked),
        reserved=list(screen.reserved_keys),
        now=now,
        quiet_hours=quiet_hours_set("pp"),
        # quiet days hold marketing contacts only
        quiet_days=SQL("OR pp.quiet_days != 0") if screen.quiet_days else SQL(),
        over=SQL("").join(SQL(" OR %s", cond) for cond in over),
        extra=SQL(" OR (%s)", screen.flag_extra) if screen.flag_extra else SQL(),
    )


def agg_join(wins, now, tags, leftovers=False):
    """Lateral join ``agg``: the person's weighted contacts per window
    (nothing to join without windows), without the leftovers of ``lft``
    (``leftovers``)."""
    if not wins:
        return SQL()
    spans = [w.days if w.kind == "rolling" else PERIOD_SPAN[w.period] + 2 for w in wins]
    sums = SQL(", ").join(
        SQL(
            "COALESCE(SUM(c.weight) FILTER (WHERE %s), 0) AS %s",
            window_filter(window, i, now, tags),
            SQL.identifier(f"w{i}"),
        )
        for i, window in enumerate(wins)
    )
    since = now - timedelta(days=max(spans))
    contacts = SQL(
        """campaign_pressure_contact c
                 WHERE c.person_key = pp.key AND c.contact_date >= %s
                   AND c.state != 'released'""",
        since,
    )
    if leftovers:
        # the leftovers of the person are counted negatively: this send
        # reuses or releases them (the statement cannot see its own updates)
        columns = "contact_date, channel, weight, is_transactional, campaign_id"
        contacts = SQL(
            """(SELECT %(columns)s FROM %(contacts)s
                 UNION ALL
                SELECT l.contact_date, l.channel, -l.weight, l.is_transactional,
                       l.campaign_id
                  FROM lft l
                 WHERE l.person_key = pp.key AND l.contact_date >= %(since)s
            ) c""",
            columns=SQL(", ".join(f"c.{col}" for col in columns.split(", "))),
            contacts=contacts,
            since=since,
        )
    return SQL(
        """CROSS JOIN LATERAL (
                SELECT %s
                  FROM %s
         ) agg""",
        sums,
        contacts,
    )


def leftovers_cte(mailing, res_model, refs):
    """CTE ``lft``: the reservations of ``mailing`` for the documents
    ``refs`` (``res_model``) that have no mail (no trace) of it: left over by
    an interrupted send. The statement reuses or releases them
    (:func:`reserve_cte`) and does not count them."""
    return SQL(
        """lft AS (
            SELECT c.id, c.person_key, c.res_id, c.contact_date, c.channel,
                   c.weight, c.is_transactional, c.campaign_id
              FROM campaign_pressure_contact c
             WHERE c.mailing_id = %(mailing)s AND c.res_model = %(res_model)s
               AND c.res_id = ANY(%(refs)s::int[]) AND c.state = 'reserved'
               AND NOT EXISTS (
                   SELECT FROM mailing_trace t
                    WHERE t.mass_mailing_id = c.mailing_id
                      AND t.model = c.res_model AND t.res_id = c.res_id)
        )""",
        mailing=mailing,
        res_model=res_model,
        refs=int_array(refs),
    )


def reserve_cte(log_values, now, screened, unresolved, leftovers=False):
    """CTEs logging the reservations of the requests allowed at once: the
    persons the statement did not flag (every person once in the batch when
    nothing is screened). With ``leftovers`` (CTE ``lft``), an allowed
    request whose document has a leftover reservation of the same person
    reuses it (one row per document, dated now, priced of the day); the
    other leftovers are released."""
    rows = SQL("SELECT key, pid, ref FROM given")
    if unresolved:
        rows = SQL("%s UNION ALL SELECT key, pid, ref FROM keyed", rows)
    # a person twice in the batch is logged by the caller, per request
    allowed = SQL("JOIN persons pe ON pe.key = x.key AND pe.n = 1")
    if screened:
        allowed = SQL("JOIN f ON f.key = x.key AND NOT f.flag")  # n > 1 flags
    if not leftovers:
        return SQL(
            "ins AS (%s RETURNING 1)",
            insert(SQL("(%s) x %s", rows, allowed), log_values, "reserved", now),
        )
    return SQL(
        """alw AS (SELECT x.key, x.pid, x.ref FROM (%(rows)s) x %(allowed)s),
        pick AS (
            SELECT DISTINCT ON (l.res_id) l.id, l.res_id
              FROM lft l JOIN alw ON alw.ref = l.res_id AND alw.key = l.person_key
          ORDER BY l.res_id, l.id
        ), reuse AS (%(reuse)s RETURNING 1),
        rel AS (
            UPDATE campaign_pressure_contact c SET state = 'released'
              FROM lft l
             WHERE c.id = l.id AND l.id NOT IN (SELECT id FROM pick)
         RETURNING 1
        ), ins AS (%(insert)s RETURNING 1)""",
        rows=rows,
        allowed=allowed,
        reuse=reuse(log_values, now),
        insert=insert(
            SQL("alw x WHERE NOT EXISTS (SELECT FROM pick WHERE pick.res_id = x.ref)"),
            log_values,
            "reserved",
            now,
        ),
    )


def reuse(log_values, now):
    """UPDATE of the leftover reservations picked for reuse (CTE ``pick``)
    with the values of this send, as :func:`insert` would log them."""
    return SQL(
        """UPDATE campaign_pressure_contact c
              SET channel = %(channel)s, contact_date = %(now)s,
                  weight = %(weight)s, source = %(source)s,
                  campaign_id = %(campaign)s, is_transactional = %(is_transactional)s,
                  company_id = %(company)s, user_id = %(user)s,
                  unit_cost = %(unit_cost)s, cost_currency_id = %(cost_currency)s
             FROM pick WHERE c.id = pick.id""",
        now=now,
        **log_values,
    )


def insert(rows, log_values, state, now):
    """INSERT of log rows: one per row ``x(key, pid, ref)`` of the FROM item
    ``rows``, with ``log_values`` (the model's ``_pressure_log_values``,
    the unit cost of the day included: what the message costs is stored
    when it is logged, never repriced)."""
    return SQL(
        """INSERT INTO campaign_pressure_contact
                (person_key, partner_id, res_id, channel, contact_date, weight,
                 source, mailing_id, campaign_id, res_model, is_transactional,
                 state, company_id, user_id, unit_cost, cost_currency_id)
            SELECT x.key, x.pid, x.ref, %(channel)s, %(now)s, %(weight)s,
                   %(source)s, %(mailing)s, %(campaign)s, %(res_model)s,
                   %(is_transactional)s, %(state)s, %(company)s, %(user)s,
                   %(unit_cost)s, %(cost_currency)s
              FROM %(rows)s""",
        rows=rows,
        state=state,
        now=now,
        **log_values,
    )


def outputs(wins, screened, unresolved):
    """The statement's result: the flagged persons (``idx`` NULL, then key,
    pid, :data:`~.records.PERSON_COLUMNS` and the counts) and the person of
    each request resolved by the statement (its ``idx``)."""
    columns = [*PERSON_COLUMNS, *(f"w{i}" for i in range(len(wins)))]
    branches = []
    if screened:
        branches.append(
            SQL(
                "SELECT NULL::int AS idx, f.key, f.pid, %s FROM f WHERE f.flag",
                SQL(", ").join(SQL.identifier("f", col) for col in columns),
            )
        )
    if unresolved:
        nulls = SQL("").join(SQL(", NULL") for _col in columns if screened)
        branches.append(SQL("SELECT k.idx, k.key, k.pid%s FROM keyed k", nulls))
    if not branches:
        # nothing to check nor to resolve: lock only
        branches.append(SQL("SELECT NULL::int, NULL::varchar, NULL::int LIMIT 0"))
    return SQL(" UNION ALL ").join(branches)
