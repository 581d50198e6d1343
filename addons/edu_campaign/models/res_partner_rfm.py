from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.edu_crm.models import res_partner as base
from odoo.tools import SQL

# interactions counted for the frequency, tuition due for the punctuality
RFM_WINDOW_DAYS = 365
# the stored result of the scoring, compared to know what changed
RFM_COLUMNS = (
    ("edu_rfm_segment_id", "seg_id"),
    ("edu_rfm_recency", "r"),
    ("edu_rfm_frequency", "f"),
    ("edu_rfm_monetary", "m"),
    ("edu_rfm_punctuality", "pu"),
    ("edu_rfm_last_interaction", "last"),
    ("edu_rfm_interactions", "n"),
    ("edu_rfm_paid", "paid"),
)
RFM_HELP = "Quintile among the people scored (5: the best fifth), recomputed daily. "
# the four scores: (the value ranked, higher is better, among whom); a
# person outside "among whom" scores 0 (1 for the frequency: nobody in
# touch in 12 months is in the bottom fifth, where ranked among the others a
# crowd of them would have read 3). The value is never NULL (an
# interaction without a date is the oldest).
RFM_QUINTILES = {
    "r": (SQL("COALESCE(people.last, '-infinity'::timestamp)"), True, SQL("TRUE")),
    "f": (SQL("people.n"), True, SQL("people.n > 0")),
    "m": (SQL("people.paid"), True, SQL("people.paid > 0")),
    "pu": (
        SQL("people.reminders::float / GREATEST(people.due, 1)"),
        False,
        SQL("people.due > 0"),
    ),
}


RFM_FIELDS = frozenset(
    {
        "edu_rfm_segment_id",
        "edu_rfm_previous_segment_id",
        "edu_rfm_segment_date",
        "edu_rfm_recency",
        "edu_rfm_frequency",
        "edu_rfm_monetary",
        "edu_rfm_punctuality",
        "edu_rfm_last_interaction",
        "edu_rfm_interactions",
        "edu_rfm_paid",
        "edu_rfm_history_ids",
    }
)


class ResPartner(models.Model):
    """RFM scoring (issue 15, item 6): recency, frequency and monetary value
    of each person, plus punctuality, from live data of both addons:

    - an interaction is a marketing contact sent or scheduled (the contact
      log), a response, an email or message the person wrote, a payment;
      recency is the last one, frequency the number in the last 12 months;
    - monetary is the tuition paid, by the payer and for the student
      (posted tuition invoices, what is no longer due);
    - punctuality is the reminder ladder's work per tuition invoice due in
      the last 12 months (fewer reminders: more punctual).

    Each is a quintile (:meth:`_edu_rfm_sql_quintile`: people of equal
    value share a score); monetary among people who paid and punctuality among
    people with tuition due (0 for the others). The named segment is the
    first :class:`edu.rfm.segment` whose ranges hold the scores.

    One SQL statement computes everything, writes the persons whose scores
    changed and adds a history row for each change of segment
    (:meth:`_cron_compute_rfm`): the scores are searchable fields, usable in
    mailing and journey filters."""

    _inherit = "res.partner"
    # set by the scoring job only: a segment written by hand would move a
    # person into (or out of) every mailing that filters on it
    _edu_system_fields = base.ResPartner._edu_system_fields | RFM_FIELDS

    edu_rfm_segment_id = fields.Many2one(
        "edu.rfm.segment",
        string="RFM Segment",
        readonly=True,
        groups="base.group_user",
        copy=False,
        index="btree_not_null",
    )
    edu_rfm_previous_segment_id = fields.Many2one(
        "edu.rfm.segment",
        string="Previous RFM Segment",
        readonly=True,
        groups="base.group_user",
        copy=False,
    )
    edu_rfm_segment_date = fields.Datetime(
        string="In RFM Segment Since",
        readonly=True,
        groups="base.group_user",
        copy=False,
    )
    edu_rfm_recency = fields.Integer(
        string="Recency Score",
        readonly=True,
        groups="base.group_user",
        copy=False,
        help=RFM_HELP + "From the last interaction on any channel.",
    )
    edu_rfm_frequency = fields.Integer(
        string="Frequency Score",
        readonly=True,
        groups="base.group_user",
        copy=False,
        help=RFM_HELP + "From the interactions of the last 12 months.",
    )
    edu_rfm_monetary = fields.Integer(
        string="Monetary Score",
        readonly=True,
        groups="base.group_user",
        copy=False,
        help=RFM_HELP + "From the tuition paid; 0: none paid.",
    )
    edu_rfm_punctuality = fields.Integer(
        string="Punctuality Score",
        readonly=True,
        groups="base.group_user",
        copy=False,
        help=RFM_HELP + "From the tuition reminders per invoice due in the last "
        "12 months (fewer: higher); 0: no tuition due.",
    )
    edu_rfm_last_interaction = fields.Datetime(
        string="Last Interaction", readonly=True, groups="base.group_user", copy=False
    )
    edu_rfm_interactions = fields.Integer(
        string="Interactions (12 months)",
        readonly=True,
        groups="base.group_user",
        copy=False,
    )
    edu_rfm_paid = fields.Float(
        string="Tuition Paid",
        readonly=True,
        groups="edu_crm.group_edu_user",
        copy=False,
        digits="Account",
    )
    edu_rfm_history_ids = fields.One2many(
        "edu.rfm.history",
        "partner_id",
        string="RFM History",
        readonly=True,
        groups="edu_crm.group_edu_user",
    )

    @api.model
    def _cron_compute_rfm(self):
        """Daily job: score every person and record the changes of segment,
        in one statement (:meth:`_edu_rfm_sql`)."""
        for model in (
            "campaign.pressure.contact",
            "campaign.response",
            "mail.message",
            "account.payment",
            "account.move",
            "edu.reminder.log",
            "edu.rfm.segment",
            "res.users",
            "res.partner",
        ):
            self.env[model].flush_model()
        # PostgreSQL's JIT compiles this statement's expressions (the
        # windows, the comparisons of every score) for longer than they run:
        # 3 to 4 s of 10 at 100,000 persons over 10,000,000 contacts: off
        # for the statement, in the same round trip
        self.env.cr.execute(
            SQL(
                "SET LOCAL jit = off; %s; SET LOCAL jit TO DEFAULT",
                self._edu_rfm_sql(fields.Datetime.now()),
            )
        )
        self.invalidate_model(
            [column for column, _alias in RFM_COLUMNS]
            + ["edu_rfm_previous_segment_id", "edu_rfm_segment_date"]
        )
        self.env["edu.rfm.history"].invalidate_model()

    @api.model
    def _edu_rfm_sql(self, now):
        """The statement: the scores (:meth:`_edu_rfm_sql_scores`), then
        ``upd`` writes the persons whose scores changed, ``gone`` clears
        those no longer scored, and the history gets one row per change of
        segment."""
        changed = SQL(" OR ").join(
            SQL(
                "p.%s IS DISTINCT FROM seg.%s",
                SQL.identifier(column),
                SQL.identifier(alias),
            )
            for column, alias in RFM_COLUMNS
        )
        assign = SQL(", ").join(
            SQL("%s = seg.%s", SQL.identifier(column), SQL.identifier(alias))
            for column, alias in RFM_COLUMNS
        )
        moved = SQL("seg.seg_id IS DISTINCT FROM seg.prev_id")
        return SQL(
            """
            WITH %(scores)s, upd AS (
                UPDATE res_partner p
                   SET %(assign)s,
                       edu_rfm_previous_segment_id = CASE WHEN %(moved)s
                           THEN seg.prev_id ELSE p.edu_rfm_previous_segment_id END,
                       edu_rfm_segment_date = CASE WHEN %(moved)s
                           THEN %(now)s ELSE p.edu_rfm_segment_date END
                  FROM seg
                 WHERE p.id = seg.partner_id AND (%(changed)s)
             RETURNING p.id
            ), gone AS (
                UPDATE res_partner p
                   SET edu_rfm_previous_segment_id = p.edu_rfm_segment_id,
                       edu_rfm_segment_id = NULL, edu_rfm_segment_date = %(now)s,
                       edu_rfm_recency = 0, edu_rfm_frequency = 0,
                       edu_rfm_monetary = 0, edu_rfm_punctuality = 0,
                       edu_rfm_last_interaction = NULL, edu_rfm_interactions = 0,
                       edu_rfm_paid = 0
                 WHERE p.edu_rfm_last_interaction IS NOT NULL
                   -- NOT IN: a hashed subplan (NOT EXISTS on a CTE loops)
                   AND p.id NOT IN (SELECT seg.partner_id FROM seg)
             RETURNING p.id, p.edu_rfm_previous_segment_id AS prev_id
            )
            INSERT INTO edu_rfm_history
                   (partner_id, date, previous_segment_id, segment_id,
                    recency, frequency, monetary, punctuality)
            SELECT seg.partner_id, %(now)s, seg.prev_id, seg.seg_id,
                   seg.r, seg.f, seg.m, seg.pu
              FROM seg WHERE %(moved)s
            UNION ALL
            SELECT gone.id, %(now)s, gone.prev_id, NULL, 0, 0, 0, 0
              FROM gone WHERE gone.prev_id IS NOT NULL
            """,
            scores=self._edu_rfm_sql_scores(now),
            assign=assign,
            moved=moved,
            changed=changed,
            now=now,
        )

    @api.model
    def _edu_rfm_sql_scores(self, now):
        """The CTEs up to ``seg``: one row per person scored (active, not an
        employee, with an interaction) with their figures (``last``, ``n``,
        ``paid``), scores (``r``, ``f``, ``m``, ``pu``), segment
        (``seg_id``) and segment before this run (``prev_id``)."""
        return SQL(
            """
            %(events)s, %(tuition)s, people AS (
                SELECT rf.partner_id, rf.last, rf.n,
                       COALESCE(t.paid, 0)::numeric AS paid,
                       COALESCE(t.due, 0) AS due, COALESCE(t.reminders, 0) AS reminders,
                       p.edu_rfm_segment_id AS prev_id
                  FROM rf
                  JOIN res_partner p ON p.id = rf.partner_id
                  LEFT JOIN tuition t ON t.partner_id = rf.partner_id
                 WHERE p.active AND NOT EXISTS (
                       SELECT 1 FROM res_users u
                        WHERE u.partner_id = p.id AND NOT u.share)
            ), %(quintiles)s, scored AS (
                SELECT people.*, q_r.score AS r,
                       COALESCE(q_f.score, 1) AS f,
                       COALESCE(q_m.score, 0) AS m, COALESCE(q_pu.score, 0) AS pu
                  FROM people
                  JOIN q_r ON q_r.v = %(r)s
                  LEFT JOIN q_f ON %(f_among)s AND q_f.v = %(f)s
                  LEFT JOIN q_m ON %(m_among)s AND q_m.v = %(m)s
                  LEFT JOIN q_pu ON %(pu_among)s AND q_pu.v = %(pu)s
            ), segmap AS (
                -- the segment of each of the 900 possible scores: looked up
                -- once each, not once per person
                SELECT DISTINCT ON (r.r, f.f, m.m, pu.pu)
                       r.r, f.f, m.m, pu.pu, g.id AS seg_id
                  FROM generate_series(1, 5) AS r(r)
                 CROSS JOIN generate_series(1, 5) AS f(f)
                 CROSS JOIN generate_series(0, 5) AS m(m)
                 CROSS JOIN generate_series(0, 5) AS pu(pu)
                  JOIN edu_rfm_segment g ON g.active
                       AND r.r BETWEEN g.recency_min AND g.recency_max
                       AND f.f BETWEEN g.frequency_min AND g.frequency_max
                       AND m.m >= g.monetary_min
                       AND pu.pu >= g.punctuality_min
                 ORDER BY r.r, f.f, m.m, pu.pu, g.sequence, g.id
            ), seg AS (
                SELECT scored.*, segmap.seg_id
                  FROM scored
                  LEFT JOIN segmap ON segmap.r = scored.r AND segmap.f = scored.f
                       AND segmap.m = scored.m AND segmap.pu = scored.pu
            )""",
            events=self._edu_rfm_sql_events(now - timedelta(days=RFM_WINDOW_DAYS)),
            tuition=self._edu_rfm_sql_tuition(now),
            quintiles=SQL(", ").join(
                self._edu_rfm_sql_quintile(name, value, higher, among)
                for name, (value, higher, among) in RFM_QUINTILES.items()
            ),
            **{name: value for name, (value, _h, _a) in RFM_QUINTILES.items()},
            **{
                f"{name}_among": among
                for name, (_v, _h, among) in RFM_QUINTILES.items()
            },
        )

    @api.model
    def _edu_rfm_sql_quintile(self, name, value, higher_is_better, among):
        """The CTE ``q_<name>``: the quintile score (5: the best fifth) of
        each ``value`` among the people of ``among`` (a condition on
        ``people``): the fifth in which the middle of the run of people of
        that value falls, counted from the best (5 minus the fifths of the
        people strictly better plus half of the others of equal value).
        People of equal value share the score: ``NTILE`` split them by id
        (of two people with 3 interactions each, one was in the bottom fifth
        and one in the next), and ranking a run by its first or last place
        would lift or sink all of it.

        Ranked per value, not per person: the people are counted per value
        first (a hash aggregate), and the window runs over the values, so
        that the four scores sort the values once each instead of sorting
        every person three times each."""
        return SQL(
            """
            %(cte)s AS (
                -- integers: the division rounds down, as a rank's did
                SELECT v, (5 - (5 * (2 * ((SUM(c) OVER (ORDER BY v %(dir)s))::bigint
                                          - c)
                                     + c - 1))
                               / (2 * (SUM(c) OVER ())::bigint))::int AS score
                  FROM (SELECT %(value)s AS v, COUNT(*) AS c
                          FROM people WHERE %(among)s GROUP BY 1) counted
            )""",
            cte=SQL.identifier(f"q_{name}"),
            value=value,
            dir=SQL("DESC" if higher_is_better else "ASC"),
            among=among,
        )

    @api.model
    def _edu_rfm_sql_events(self, since):
        """The CTE ``rf``: per person, the last interaction (``last``) and
        the number since ``since`` (``n``). Each source is grouped on its
        own first, so that the contact log, by far the largest, is read in
        one grouped scan."""
        return SQL(
            """
            ev AS (
                SELECT partner_id, max(contact_date) AS last,
                       count(*) FILTER (WHERE contact_date >= %(since)s) AS n
                  FROM campaign_pressure_contact
                 WHERE partner_id IS NOT NULL AND state <> 'released'
                 GROUP BY partner_id
                UNION ALL
                SELECT partner_id, max(date),
                       count(*) FILTER (WHERE date >= %(since)s)
                  FROM campaign_response WHERE partner_id IS NOT NULL
                 GROUP BY partner_id
                UNION ALL
                SELECT author_id, max(date), count(*) FILTER (WHERE date >= %(since)s)
                  FROM mail_message
                 WHERE author_id IS NOT NULL AND message_type IN ('email', 'comment')
                 GROUP BY author_id
                UNION ALL
                SELECT partner_id, max(date)::timestamp,
                       count(*) FILTER (WHERE date >= %(since)s::date)
                  FROM account_payment
                 WHERE partner_id IS NOT NULL AND payment_type = 'inbound'
                   AND state IN ('in_process', 'paid')
                 GROUP BY partner_id
            ), rf AS (
                SELECT partner_id, max(last) AS last, sum(n)::int AS n
                  FROM ev GROUP BY partner_id
            )""",
            since=since,
        )

    @api.model
    def _edu_rfm_sql_tuition(self, now):
        """The CTE ``tuition``: per person, payer or student of posted
        tuition invoices, what they paid (all time), how many invoices fell
        due in the window and how many reminder stages those took."""
        return SQL(
            """
            tuition AS (
                SELECT who.partner_id,
                       sum(m.amount_total_signed - m.amount_residual_signed) AS paid,
                       count(*) FILTER (WHERE m.invoice_date_due >= %(since)s
                                          AND m.invoice_date_due < %(today)s) AS due,
                       sum((SELECT count(*) FROM edu_reminder_log l
                             WHERE l.instalment_id = m.edu_instalment_id
                               AND l.date_done IS NOT NULL))
                           FILTER (WHERE m.invoice_date_due >= %(since)s
                                     AND m.invoice_date_due < %(today)s) AS reminders
                  FROM account_move m
                  JOIN edu_tuition_instalment i ON i.id = m.edu_instalment_id
                  JOIN edu_tuition_contract c ON c.id = i.contract_id
                 CROSS JOIN LATERAL (VALUES (m.commercial_partner_id),
                       (NULLIF(c.student_id, m.commercial_partner_id)))
                       AS who(partner_id)
                 WHERE m.move_type = 'out_invoice' AND m.state = 'posted'
                   AND who.partner_id IS NOT NULL
                 GROUP BY who.partner_id
            )""",
            since=(now - timedelta(days=RFM_WINDOW_DAYS)).date(),
            today=now.date(),
        )
