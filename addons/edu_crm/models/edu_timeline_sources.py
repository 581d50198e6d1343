"""The SQL of the person's timeline (``edu.timeline``): the columns every
source SELECTs and the sources that read edu_crm's own records. The model
composes them; the sources that other addons extend (messages, activities,
mailing traces) stay on the model."""

from odoo.tools import SQL

# the columns every source SELECTs, in this order (see _edu_timeline_sources)
TIMELINE_COLUMNS = (
    "row_id",
    "partner_id",
    "date",
    "kind",
    "channel",
    "direction",
    "state",
    "summary",
    "res_model",
    "res_id",
    "activity_type_id",
    "enrollment_state",
    "reason_code",
    "reason_args",
    "company_id",
)
# a row's id is its source's number shifted left by this many bits, plus a
# number unique within the source (its table's id, or id * 8 + a sub-row)
SOURCE_SHIFT = 40
# the number of the messages source (the first of _edu_timeline_sources)
MESSAGES_SOURCE = 1
# the number of the mailing traces source (the third): its rows' own ids are
# the traces' ids
TRACES_SOURCE = 3
# the number of the enrolment changes source (the sixth): its rows' own ids
# are the enrolment's id times ENROLLMENT_SUB_ROWS plus the change (1 to 6)
ENROLLMENTS_SOURCE = 6
ENROLLMENT_SUB_ROWS = 8


def activity_channel_sql(category):
    """The timeline channel of an activity type's ``category`` column."""
    return SQL(
        "CASE %s WHEN 'phonecall' THEN 'phone' WHEN 'meeting' THEN 'meeting' "
        "ELSE 'task' END",
        category,
    )


def text_sql(value):
    """A plain text column as the translated-text value of ``summary``."""
    return SQL("jsonb_build_object('en_US', %s)", value)


def person_records_sql():
    """``SELECT model, res_id, partner_id, company_id, kept``: the records of
    edu_crm whose messages, activities and traces are on their person's
    timeline (the model's ``_edu_timeline_person_records``) when ``kept``
    and ``partner_id`` is set. Each is one table without a ``WHERE`` and
    with a ``varchar`` model: PostgreSQL then folds their union into the
    source that reads them, so a condition on the model (the record rules
    of ``edu_timeline_access``) is decided for each table at planning."""
    return [
        SQL(
            "SELECT 'res.partner'::varchar AS model, p.id AS res_id, "
            "p.id AS partner_id, p.company_id, TRUE AS kept FROM res_partner p"
        ),
        SQL(
            "SELECT 'crm.lead'::varchar, l.id, l.partner_id, l.company_id, TRUE "
            "FROM crm_lead l"
        ),
        SQL(
            "SELECT 'edu.enrollment'::varchar, e.id, e.partner_id, e.company_id, "
            "TRUE FROM edu_enrollment e"
        ),
        SQL(
            "SELECT 'edu.tuition.contract'::varchar, c.id, c.student_id, "
            "c.company_id, TRUE FROM edu_tuition_contract c"
        ),
        SQL(
            "SELECT 'account.move'::varchar, m.id, m.partner_id, m.company_id, "
            "m.move_type IN ('out_invoice', 'out_refund') FROM account_move m"
        ),
        SQL(
            "SELECT 'edu.document'::varchar, d.id, d.partner_id, d.company_id, "
            "TRUE FROM edu_document d"
        ),
    ]


def record_sources_sql(lead_channel=None):
    """The sources on edu_crm's records, in the timeline's order.
    ``lead_channel``: the SQL of an application's channel over its lead
    ``l`` (``EduTimeline._edu_timeline_lead_channel_sql``)."""
    return [
        applications_sql(lead_channel),
        stages_sql(),
        enrollments_sql(),
        documents_sql(),
        invoices_sql(),
        payments_sql(),
        reminders_sql(),
    ]


def applications_sql(lead_channel=None):
    """Applications (admissions leads) of the person, when they came in,
    on the channel they came through (``lead_channel``, default: a record)."""
    return SQL(
        """
        SELECT l.id, l.partner_id, l.create_date, 'application', %(channel)s,
               'in', 'done', %(summary)s, 'crm.lead', l.id, NULL::int,
               NULL::varchar, NULL::varchar, NULL::jsonb, l.company_id
          FROM crm_lead l
          JOIN crm_team tm ON tm.id = l.team_id
         WHERE l.partner_id IS NOT NULL AND tm.edu_is_admissions
        """,
        channel=lead_channel or SQL("'record'"),
        summary=text_sql(SQL("l.name")),
    )


def stages_sql():
    """Each stage an application entered."""
    return SQL(
        """
        SELECT h.id, l.partner_id, h.date_in, 'stage', 'record', NULL::varchar,
               'done', s.name, 'crm.lead', l.id, NULL::int, NULL::varchar,
               NULL::varchar, NULL::jsonb, h.company_id
          FROM edu_lead_stage_history h
          JOIN crm_lead l ON l.id = h.lead_id
          JOIN crm_stage s ON s.id = h.stage_id
         WHERE l.partner_id IS NOT NULL
        """
    )


def enrollments_sql():
    """One row per dated change of an enrolment: applied, admitted,
    enrolled, on leave, graduated, left (withdrawn or expelled)."""
    return SQL(
        """
        SELECT e.id * %(sub_rows)s + ch.n, e.partner_id, ch.day::timestamp,
               'enrollment', 'record', NULL::varchar, 'done', %(summary)s,
               'edu.enrollment', e.id, NULL::int, ch.state,
               NULL::varchar, NULL::jsonb, e.company_id
          FROM edu_enrollment e
          JOIN edu_intake i ON i.id = e.intake_id
    CROSS JOIN LATERAL (VALUES
               (1, e.date_applied, 'applied'),
               (2, e.date_admitted, 'admitted'),
               (3, e.date_enrolled, 'enrolled'),
               (4, e.date_leave, 'on_leave'),
               (5, e.date_graduated, 'graduated'),
               (6, e.date_end, CASE WHEN e.state = 'expelled' THEN 'expelled'
                                    ELSE 'withdrawn' END)
               ) AS ch(n, day, state)
         WHERE ch.day IS NOT NULL
        """,
        # the intake's name is translated (jsonb) already
        sub_rows=ENROLLMENT_SUB_ROWS,
        summary=SQL("i.name"),
    )


def documents_sql():
    """Numbered documents issued to the person."""
    return SQL(
        """
        SELECT d.id, d.partner_id, d.date_issued, 'document', 'record', 'out',
               'done', %(summary)s, 'edu.document', d.id, NULL::int, NULL::varchar,
               NULL::varchar, NULL::jsonb, d.company_id
          FROM edu_document d
         WHERE d.date_issued IS NOT NULL
        """,
        summary=text_sql(SQL("d.name")),
    )


def invoices_sql():
    """Posted customer invoices and credit notes of the person."""
    return SQL(
        """
        SELECT m.id, m.partner_id, COALESCE(m.invoice_date, m.date)::timestamp,
               'invoice', 'record', 'out', 'done', %(summary)s,
               'account.move', m.id, NULL::int, NULL::varchar,
               NULL::varchar, NULL::jsonb, m.company_id
          FROM account_move m
         WHERE m.partner_id IS NOT NULL AND m.state = 'posted'
           AND m.move_type IN ('out_invoice', 'out_refund')
        """,
        summary=text_sql(SQL("m.name")),
    )


def payments_sql():
    """Payments received from the person."""
    return SQL(
        """
        SELECT p.id, p.partner_id, p.date::timestamp, 'payment', 'record',
               CASE WHEN p.payment_type = 'inbound' THEN 'in' ELSE 'out' END,
               CASE WHEN p.state IN ('paid', 'in_process') THEN 'done'
                    WHEN p.state = 'draft' THEN 'planned'
                    ELSE 'failed' END,
               %(summary)s, 'account.payment', p.id, NULL::int, NULL::varchar,
               NULL::varchar, NULL::jsonb, p.company_id
          FROM account_payment p
         WHERE p.partner_id IS NOT NULL AND p.partner_type = 'customer'
        """,
        summary=text_sql(SQL("COALESCE(p.name, p.memo)")),
    )


def reminders_sql():
    """Steps of the payment reminder ladder on the person's contracts."""
    return SQL(
        """
        SELECT g.id, c.student_id, COALESCE(g.date_done, g.create_date),
               'reminder', 'record', 'out',
               CASE g.state WHEN 'pending' THEN 'planned'
                            WHEN 'failed' THEN 'failed' ELSE 'done' END,
               s.name, 'edu.tuition.contract', c.id, NULL::int, NULL::varchar,
               NULL::varchar, NULL::jsonb, g.company_id
          FROM edu_reminder_log g
          JOIN edu_tuition_contract c ON c.id = g.contract_id
          JOIN edu_reminder_stage s ON s.id = g.stage_id
         WHERE c.student_id IS NOT NULL
        """
    )
