"""The events that account notices tell the person about, as SQL.

Each kind is one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` over the
real tables: the unique key (event, recipient) makes a rerun, or two cron
workers at once, plan nothing twice. Events older than ``LOOKBACK_DAYS``
are not notified (no flood of old payments when the notices are turned
on); an instalment due in N days is found by its due date. The recipient is
the record's person: the payer of a payment or an invoice (student or
sponsor), the person a document is issued to, the requester, the applicant.
"""

from datetime import timedelta

from odoo.tools import SQL

NOTICE_KINDS = [
    ("payment", "Payment received"),
    ("due", "Instalment due soon"),
    ("document", "Document ready"),
    ("request", "Request status changed"),
    ("offer", "Offer issued"),
]
# the company setting that turns each kind on (res.company)
KIND_SETTINGS = {
    "payment": "cmr_notice_payment",
    "due": "cmr_notice_due",
    "document": "cmr_notice_document",
    "request": "cmr_notice_request",
    "offer": "cmr_notice_offer",
}
LOOKBACK_DAYS = 3
# request states that are told to the person (a new request is their own)
REQUEST_STATES = ("in_progress", "done", "refused")


def channel_sql(partner):
    """The channel of the person ``partner`` (an alias of res_partner): SMS
    when they chose it in the portal and have a mobile number, else email."""
    return SQL(
        "CASE WHEN %(p)s.cmr_preferred_channel = 'sms' "
        "AND %(p)s.phone_sanitized IS NOT NULL THEN 'sms' ELSE 'email' END",
        p=partner,
    )


def insert_sql(env, kind, select, now, sms_only=False):
    """The INSERT of the notices of ``kind`` that ``select`` returns
    (columns: event_key, partner_id, name, res_model, res_id, company_id; the
    recipient's res_partner is aliased ``rp``, the company ``co``).
    ``now``: the job's time, when the notice is due. ``sms_only``: the
    event's record already emails the person (its own
    chatter message): only those who chose SMS get a notice."""
    return SQL(
        """
        INSERT INTO edu_account_notice (
            kind, event_key, partner_id, name, res_model, res_id, company_id,
            channel, state, scheduled_date,
            create_uid, write_uid, create_date, write_date)
        SELECT %(kind)s, ev.event_key, ev.partner_id, ev.name, ev.res_model,
               ev.res_id, ev.company_id, %(channel)s, 'queued', %(now)s,
               %(uid)s, %(uid)s,
               NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
          FROM (%(select)s)
               ev(event_key, partner_id, name, res_model, res_id, company_id)
          JOIN res_partner rp ON rp.id = ev.partner_id
          JOIN res_company co ON co.id = ev.company_id
         WHERE rp.active AND co.%(setting)s AND %(only)s
        ON CONFLICT (event_key, partner_id) DO NOTHING
        """,
        kind=kind,
        channel=channel_sql(SQL("rp")),
        uid=env.uid,
        now=now,
        select=select,
        setting=SQL.identifier(KIND_SETTINGS[kind]),
        only=SQL("%s = 'sms'", channel_sql(SQL("rp"))) if sms_only else SQL("TRUE"),
    )


def payments_sql(env, since):
    """Payments received on tuition invoices: to the payer, with the receipt."""
    return SQL(
        """
        SELECT DISTINCT 'account.payment,' || p.id AS event_key,
               p.partner_id, p.name, 'account.payment' AS res_model,
               p.id AS res_id, p.company_id
          FROM account_payment p
          JOIN account_move__account_payment r ON r.payment_id = p.id
          JOIN account_move m ON m.id = r.invoice_id
         WHERE m.edu_instalment_id IS NOT NULL
           AND p.partner_id IS NOT NULL AND p.payment_type = 'inbound'
           AND p.state IN ('in_process', 'paid') AND p.create_date >= %(since)s
        """,
        since=since,
    )


def due_sql(env, today):
    """Open tuition invoices whose instalment falls due within the company's
    N days: to the invoice's payer (each payer has an invoice of their
    share). The due date is in the key: a deferred instalment is told again."""
    return SQL(
        """
        SELECT 'account.move,' || m.id || ',due,' || i.due_date AS event_key,
               m.partner_id, m.name, 'account.move', m.id, m.company_id
          FROM account_move m
          JOIN edu_tuition_instalment i ON i.id = m.edu_instalment_id
          JOIN res_company c ON c.id = m.company_id
         WHERE %(open)s AND i.contract_state = 'active'
           AND i.due_date >= %(today)s::date
           AND i.due_date <= %(today)s::date + c.cmr_notice_due_days
        """,
        open=env["account.move"]._edu_open_tuition_sql("m"),
        today=today,
    )


def documents_sql(env, since):
    """Documents issued to the person. Offer letters are the offer's; a
    document a portal request asked for is told by the request (its message
    and its notice)."""
    return SQL(
        """
        SELECT 'edu.document,' || d.id, d.partner_id, d.name, 'edu.document',
               d.id, d.company_id
          FROM edu_document d
         WHERE d.state = 'issued' AND d.date_issued >= %(since)s
           AND d.type_code IS DISTINCT FROM 'admission_offer'
           AND NOT EXISTS (SELECT FROM cmr_request q WHERE q.document_id = d.id)
        """,
        since=since,
    )


def requests_sql(env, since):
    """Portal requests that moved to a state the requester is told about
    (by SMS: the request's transitions email them, ``cmr.request._cmr_notify``)."""
    return SQL(
        """
        SELECT 'cmr.request,' || q.id || ',' || q.state, q.partner_id, q.name,
               'cmr.request', q.id, q.company_id
          FROM cmr_request q
         WHERE q.state IN %(states)s AND q.write_date >= %(since)s
        """,
        states=REQUEST_STATES,
        since=since,
    )


def offers_sql(env, since):
    """Offers of a place issued to the applicant (the offer letter's key: an
    offer issued again is told again; by SMS: issuing the offer emails the
    applicant, ``crm.lead.action_edu_issue_offer``)."""
    return SQL(
        """
        SELECT 'crm.lead,' || l.id || ',offer,' || d.id, l.partner_id, d.name,
               'crm.lead', l.id, COALESCE(l.company_id, d.company_id)
          FROM crm_lead l
          JOIN edu_document d ON d.id = l.edu_offer_document_id
         WHERE l.edu_offer_state = 'pending' AND l.partner_id IS NOT NULL
           AND d.date_issued >= %(since)s
        """,
        since=since,
    )


def event_sources_sql(env, now):
    """The INSERT statements of every kind, for the job run at ``now``."""
    since = now - timedelta(days=LOOKBACK_DAYS)
    return [
        insert_sql(env, "payment", payments_sql(env, since), now),
        insert_sql(env, "due", due_sql(env, now.date()), now),
        insert_sql(env, "document", documents_sql(env, since), now),
        insert_sql(env, "request", requests_sql(env, since), now, sms_only=True),
        insert_sql(env, "offer", offers_sql(env, since), now, sms_only=True),
    ]
