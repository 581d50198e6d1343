from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.sql import create_index

from .edu_timeline_sources import (
    ENROLLMENT_SUB_ROWS,
    ENROLLMENTS_SOURCE,
    MESSAGES_SOURCE,
    SOURCE_SHIFT,
    TIMELINE_COLUMNS,
    TRACES_SOURCE,
    activity_channel_sql,
    person_records_sql,
    record_sources_sql,
    text_sql,
)


class EduTimeline(models.Model):
    """Everything that happened or is planned with a person, past and future,
    across every source: one read over the real tables, nothing copied.

    The view is a ``UNION ALL`` of one ``SELECT`` per source (chatter and
    emails, mailings and SMS, activities, applications and their stages,
    enrolment changes, documents, invoices, payments, reminders); each addon
    adds its own through ``_edu_timeline_sources`` and the view is rebuilt
    by ``init()`` whenever a module that extends this model is installed or
    updated. Every source keys its rows on the person (``partner_id``), so a
    read of one person's timeline filters each branch on an indexed column
    (the planner pushes the condition into every branch of the union) and
    sorts only that person's rows, however large the tables are.

    Records of the person (``_edu_timeline_person_records``): the partner
    itself and the records that belong to them (applications, enrolments,
    tuition contracts, invoices, documents); the messages and activities of
    all of them are on the person's timeline.
    """

    _name = "edu.timeline"
    _description = "Person Timeline"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "summary"

    partner_id = fields.Many2one("res.partner", string="Person", readonly=True)
    date = fields.Datetime(readonly=True)
    kind = fields.Selection(
        [
            ("message", "Message"),
            ("email", "Email"),
            ("mailing", "Mailing"),
            ("activity", "Call, meeting or task"),
            ("application", "Application"),
            ("stage", "Application stage"),
            ("enrollment", "Enrolment"),
            ("document", "Document"),
            ("invoice", "Invoice"),
            ("payment", "Payment"),
            ("reminder", "Payment reminder"),
        ],
        readonly=True,
    )
    channel = fields.Selection(
        [
            ("email", "Email"),
            ("sms", "SMS"),
            ("phone", "Phone"),
            ("meeting", "Meeting"),
            ("letter", "Letter"),
            ("portal", "Portal"),
            ("note", "Internal note"),
            ("task", "Task"),
            ("record", "Record"),
        ],
        readonly=True,
    )
    direction = fields.Selection(
        [("in", "Incoming"), ("out", "Outgoing")],
        readonly=True,
        help="Incoming: from the person (a reply, a request, a payment). "
        "Outgoing: from the institution. Empty for internal entries.",
    )
    state = fields.Selection(
        [
            ("planned", "Planned"),
            ("done", "Done"),
            ("held", "Held back"),
            ("failed", "Failed"),
        ],
        readonly=True,
    )
    summary = fields.Char(readonly=True, translate=True)
    description = fields.Char(
        compute="_compute_description",
        help="The summary, in words for the entries whose source stores codes.",
    )
    res_model = fields.Char(string="Record Model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", readonly=True
    )
    record_ref = fields.Reference(
        selection="_selection_record_ref",
        string="Record",
        compute="_compute_record_ref",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type", string="Activity Type", readonly=True
    )
    enrollment_state = fields.Selection(
        selection="_selection_enrollment_state",
        string="Enrolment Status",
        readonly=True,
    )
    reason_code = fields.Char(string="Reason Code", readonly=True)
    reason_args = fields.Json(string="Reason Details", readonly=True)
    reason = fields.Char(
        string="Held Back Because",
        compute="_compute_reason",
        help="Why the message was held back, in the reader's language.",
    )
    company_id = fields.Many2one("res.company", readonly=True)

    @api.model
    def _selection_record_ref(self):
        return [(model, model) for model in self.env]

    @api.model
    def _selection_enrollment_state(self):
        return self.env["edu.enrollment"]._fields["state"].selection

    @api.depends("res_model", "res_id")
    def _compute_record_ref(self):
        for row in self:
            row.record_ref = (
                f"{row.res_model},{row.res_id}"
                if row.res_model in self.env and row.res_id
                else False
            )

    @api.depends("summary", "kind", "res_id")
    @api.depends_context("lang")
    def _compute_description(self):
        described = self._edu_timeline_describe()
        for row in self:
            row.description = described.get(row.id, row.summary)

    def _edu_timeline_describe(self):
        """``{row id: text}`` for the rows of ``self`` whose summary is a code
        that their source puts in words (one query per source for the
        batch): the logged calls' outcome and duration here, an addon adds
        its own."""
        # done activities are the rows of the messages source (the first)
        calls = {
            message_id: row
            for message_id, row in self._edu_timeline_source_ids(
                MESSAGES_SOURCE
            ).items()
            if row.kind == "activity" and row.state == "done"
        }
        messages = self.env["mail.message"].sudo().browse(calls).exists()
        outcomes = dict(
            messages._fields["edu_call_outcome"]._description_selection(self.env)
        )
        described = {}
        for message in messages.filtered("edu_call_outcome"):
            hours, minutes = divmod(round(message.edu_call_duration * 60), 60)
            row = calls[message.id]
            described[row.id] = " · ".join(
                (
                    row.summary,
                    outcomes[message.edu_call_outcome],
                    f"{hours}:{minutes:02d}",
                )
            )
        return described

    def _edu_timeline_source_ids(self, number):
        """``{id in its table: row}`` for the rows of ``self`` that come from
        the source numbered ``number`` (``MESSAGES_SOURCE``,
        ``TRACES_SOURCE``): the row's id without its source's number."""
        first = number << SOURCE_SHIFT
        return {row.id - first: row for row in self if row.id >> SOURCE_SHIFT == number}

    def _edu_timeline_traces_of(self):
        """``{row: mailing.trace}`` (superuser) of the mailing rows of
        ``self``, in one query."""
        rows = self._edu_timeline_source_ids(TRACES_SOURCE)
        traces = self.env["mailing.trace"].sudo().browse(rows).exists()
        return {rows[trace.id]: trace for trace in traces}

    @api.depends("reason_code", "reason_args")
    @api.depends_context("lang")
    def _compute_reason(self):
        render = self._edu_timeline_reason_renderer()
        for row in self:
            row.reason = (
                render(row.reason_code, row.reason_args) if row.reason_code else False
            )

    @api.model
    def _edu_timeline_reason_renderer(self):
        """A function ``(code, args) -> sentence`` of the hold-back reasons,
        made once per batch: none here, the addon that holds messages back
        renders its own."""
        return lambda code, args: False

    def action_open_record(self):
        """Open the record of the entry, if the user may read it."""
        self.ensure_one()
        record = self.record_ref
        if not record or not record.exists():
            raise UserError(self.env._("The record of this entry no longer exists."))
        record.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "views": [(False, "form")],
            "target": "current",
        }

    # ------------------------------------------------------------------
    # the view
    # ------------------------------------------------------------------

    def init(self):
        # the sources' tables that Odoo does not index on the person
        create_index(
            self.env.cr,
            "edu_timeline_mailing_trace_record_idx",
            "mailing_trace",
            ["model", "res_id"],
        )
        create_index(
            self.env.cr,
            "edu_timeline_account_payment_partner_idx",
            "account_payment",
            ["partner_id", "date"],
            where="partner_id IS NOT NULL",
        )
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._edu_timeline_query(),
            )
        )

    def _edu_timeline_query(self):
        """The union of the sources, each numbered for the row ids."""
        return SQL(" UNION ALL ").join(self._edu_timeline_branches())

    def _edu_timeline_branches(self, rows=None):
        """The ``SELECT`` of each source with the view's columns, its rows
        numbered by their source (``id``). ``rows``: ``{source number: row
        ids in the source}`` to read only those rows of only those sources,
        found by each source's own key (its table's index, see
        ``_edu_timeline_row_filter``) rather than by the computed ``id``."""
        names = SQL(", ").join(SQL.identifier(column) for column in TIMELINE_COLUMNS)
        columns = SQL(", ").join(
            SQL.identifier("src", column) for column in TIMELINE_COLUMNS[1:]
        )
        branches = []
        for number, source in enumerate(self._edu_timeline_sources(), start=1):
            if rows is not None and number not in rows:
                continue
            branches.append(
                SQL(
                    "SELECT (%s::bigint << %s) + src.row_id AS id, %s "
                    "FROM (%s) src(%s)%s",
                    number,
                    SOURCE_SHIFT,
                    columns,
                    source,
                    names,
                    SQL(
                        " WHERE %s", self._edu_timeline_row_filter(number, rows[number])
                    )
                    if rows is not None
                    else SQL(),
                )
            )
        return branches

    def _edu_timeline_row_filter(self, number, row_ids):
        """The condition on ``src`` that keeps the rows ``row_ids`` of the
        source numbered ``number``: on the source's key, which PostgreSQL
        pushes down to its table's primary key. An enrolment's rows are its
        id times ``ENROLLMENT_SUB_ROWS`` plus the change: found by the
        enrolment (``res_id``)."""
        condition = SQL("src.row_id IN %s", tuple(row_ids))
        if number == ENROLLMENTS_SOURCE:
            enrollments = tuple({row_id // ENROLLMENT_SUB_ROWS for row_id in row_ids})
            condition = SQL("src.res_id IN %s AND %s", enrollments, condition)
        return condition

    def _edu_timeline_sources(self):
        """One ``SQL`` ``SELECT`` per source, the messages first
        (``MESSAGES_SOURCE``) and the mailing traces third
        (``TRACES_SOURCE``), with the columns of
        ``TIMELINE_COLUMNS`` in that order (``summary`` as translated text:
        a ``jsonb`` of language codes, ``text_sql()`` for plain text). An
        addon adds its sources by extending this list; keep each source keyed
        on an indexed partner column so one person's read stays cheap."""
        return [
            self._edu_timeline_messages(),
            self._edu_timeline_activities(),
            self._edu_timeline_traces(),
            *record_sources_sql(self._edu_timeline_lead_channel_sql()),
        ]

    def _edu_timeline_lead_channel_sql(self):
        """The channel an application came through, an SQL expression over
        its lead ``l`` (``crm_lead``): a record here; the glue modules of
        Odoo's apps that make leads (live chat, events) name theirs."""
        return SQL("'record'")

    def _edu_timeline_person_records(self):
        """``SELECT model, res_id, partner_id, company_id, kept``: the records
        whose messages, activities and traces are on their person's timeline
        (see ``person_records_sql``: one table each, no ``WHERE``)."""
        return person_records_sql()

    def _edu_timeline_records_sql(self):
        return SQL("(%s)", SQL(" UNION ALL ").join(self._edu_timeline_person_records()))

    def _edu_timeline_messages(self):
        """Emails and chatter messages on the person and their records, and
        the activities marked done (Odoo posts them as messages with their
        type). The copies that mass sends log on their records
        (``email_outgoing``) are left out: those sends are on the timeline
        through their own source (mailing traces, the reminder ladder)."""
        return SQL(
            """
            SELECT m.id AS row_id, r.partner_id, m.date,
                   CASE WHEN m.mail_activity_type_id IS NOT NULL THEN 'activity'
                        WHEN m.message_type = 'email' THEN 'email'
                        ELSE 'message' END AS kind,
                   CASE WHEN m.mail_activity_type_id IS NOT NULL THEN %(act_channel)s
                        WHEN m.message_type = 'email' THEN 'email'
                        WHEN COALESCE(st.internal, FALSE) OR m.is_internal THEN 'note'
                        ELSE 'email' END AS channel,
                   CASE WHEN m.edu_call_direction IS NOT NULL
                        THEN m.edu_call_direction
                        WHEN m.author_id = r.partner_id THEN 'in'
                        WHEN m.mail_activity_type_id IS NOT NULL
                          OR COALESCE(st.internal, FALSE) OR m.is_internal THEN NULL
                        ELSE 'out' END AS direction,
                   'done' AS state,
                   CASE WHEN NULLIF(m.subject, '') IS NOT NULL
                          OR m.mail_activity_type_id IS NULL
                        THEN %(subject)s ELSE t.name END AS summary,
                   r.model AS res_model, r.res_id,
                   m.mail_activity_type_id AS activity_type_id,
                   NULL::varchar AS enrollment_state,
                   NULL::varchar AS reason_code, NULL::jsonb AS reason_args,
                   r.company_id
              FROM %(records)s r
              JOIN mail_message m ON m.model = r.model AND m.res_id = r.res_id
         LEFT JOIN mail_message_subtype st ON st.id = m.subtype_id
         LEFT JOIN mail_activity_type t ON t.id = m.mail_activity_type_id
             WHERE r.kept AND r.partner_id IS NOT NULL
               AND (m.message_type IN ('email', 'comment')
                    OR m.mail_activity_type_id IS NOT NULL)
            """,
            records=self._edu_timeline_records_sql(),
            act_channel=activity_channel_sql(SQL("t.category")),
            subject=text_sql(SQL("COALESCE(NULLIF(m.subject, ''), m.record_name)")),
        )

    def _edu_timeline_activities(self):
        """Scheduled calls, meetings and tasks (done ones are messages)."""
        return SQL(
            """
            SELECT a.id, r.partner_id, a.date_deadline::timestamp,
                   'activity', %(act_channel)s, NULL::varchar, 'planned',
                   CASE WHEN NULLIF(a.summary, '') IS NOT NULL
                        THEN %(summary)s ELSE t.name END,
                   r.model, r.res_id, a.activity_type_id, NULL::varchar,
                   NULL::varchar, NULL::jsonb, r.company_id
              FROM %(records)s r
              JOIN mail_activity a ON a.res_model = r.model AND a.res_id = r.res_id
         LEFT JOIN mail_activity_type t ON t.id = a.activity_type_id
             WHERE r.kept AND r.partner_id IS NOT NULL AND a.active
            """,
            records=self._edu_timeline_records_sql(),
            act_channel=activity_channel_sql(SQL("t.category")),
            summary=text_sql(SQL("a.summary")),
        )

    def _edu_timeline_trace_reason_sql(self):
        """``(code, args)`` columns of a held-back trace ``t``: none here, the
        addon that holds messages back adds its own."""
        return SQL("NULL::varchar"), SQL("NULL::jsonb")

    def _edu_timeline_trace_held_sql(self):
        """Whether the trace ``t`` was held back (rather than failed)."""
        return SQL("FALSE")

    def _edu_timeline_traces(self):
        """Mass mailings and SMS mailings sent (or not) to the person."""
        code, args = self._edu_timeline_trace_reason_sql()
        return SQL(
            """
            SELECT t.id, r.partner_id,
                   COALESCE(t.sent_datetime, t.create_date),
                   'mailing',
                   CASE WHEN t.trace_type = 'sms' THEN 'sms' ELSE 'email' END,
                   'out',
                   CASE WHEN %(held)s THEN 'held'
                        WHEN t.trace_status IN ('outgoing', 'process', 'pending')
                        THEN 'planned'
                        WHEN t.trace_status IN ('error', 'bounce', 'cancel')
                        THEN 'failed'
                        ELSE 'done' END,
                   %(summary)s, 'mailing.mailing', t.mass_mailing_id,
                   NULL::int, NULL::varchar, %(code)s, %(args)s, r.company_id
              FROM %(records)s r
              JOIN mailing_trace t ON t.model = r.model AND t.res_id = r.res_id
         LEFT JOIN mailing_mailing mm ON mm.id = t.mass_mailing_id
             WHERE r.kept AND r.partner_id IS NOT NULL
            """,
            records=self._edu_timeline_records_sql(),
            held=self._edu_timeline_trace_held_sql(),
            summary=text_sql(SQL("mm.subject")),
            code=code,
            args=args,
        )
