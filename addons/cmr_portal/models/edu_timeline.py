from odoo import api, fields, models
from odoo.addons.edu_crm.models.edu_timeline import text_sql
from odoo.tools import SQL

# what the person sees of their own timeline in the portal: what the
# institution sent, planned and held back, their own requests, feedback,
# consent changes, applications, enrolments, documents and money; never
# internal notes, staff tasks or the admissions funnel's stages
PORTAL_KINDS = (
    "message",
    "email",
    "mailing",
    "contact",
    "application",
    "enrollment",
    "document",
    "invoice",
    "payment",
    "reminder",
    "request",
    "feedback",
    "consent",
    "notice",
)
# what a contact of an organisation reads of the organisation's own entries:
# its money matters, as Odoo's invoices portal shows a contact the invoices
# of their commercial partner (a sponsor's accountant follows the payments)
ORG_KINDS = ("invoice", "payment", "reminder", "notice")


class EduTimeline(models.Model):
    """The portal's and the pressure engine's sources of the timeline:
    requests and feedback filed in the portal, consent changes, the marketing
    calls and letters of the contact log, and the reason of every message the
    pressure engine held back."""

    _inherit = "edu.timeline"

    kind = fields.Selection(
        selection_add=[
            ("contact", "Marketing call or letter"),
            ("request", "Portal request"),
            ("feedback", "Feedback"),
            ("consent", "Consent change"),
        ]
    )

    def _edu_timeline_sources(self):
        return super()._edu_timeline_sources() + [
            self._cmr_timeline_requests(),
            self._cmr_timeline_feedback(),
            self._cmr_timeline_consents(),
            self._cmr_timeline_contacts(),
        ]

    @api.model
    def _edu_timeline_kind_models(self):
        return {
            **super()._edu_timeline_kind_models(),
            "contact": "campaign.pressure.contact",
        }

    @api.model
    def _edu_timeline_record_models(self):
        return super()._edu_timeline_record_models() + [
            "cmr.request",
            "cmr.feedback",
            "cmr.consent.log",
        ]

    def _edu_timeline_person_records(self):
        return super()._edu_timeline_person_records() + [
            SQL(
                "SELECT 'cmr.request'::varchar, q.id, q.partner_id, q.company_id, "
                "TRUE FROM cmr_request q"
            ),
        ]

    def _edu_timeline_trace_held_sql(self):
        return SQL("t.failure_type = 'pressure'")

    def _edu_timeline_trace_reason_sql(self):
        return SQL("t.pressure_reason"), SQL("t.pressure_reason_args")

    @api.model
    def _edu_timeline_reason_renderer(self):
        return self.env["campaign.pressure.engine"]._pressure_reason_renderer()

    def _edu_timeline_describe(self):
        described = super()._edu_timeline_describe()
        consents = self.filtered(lambda row: row.kind == "consent")
        logs = self.env["cmr.consent.log"].sudo().browse(consents.mapped("res_id"))
        words = {
            log.id: f"{log.field_label}: {log.old_value or '–'} → "
            f"{log.new_value or '–'}"
            for log in logs.exists()
        }
        for row in consents:
            if row.res_id in words:
                described[row.id] = words[row.res_id]
        return described

    def _cmr_timeline_requests(self):
        return SQL(
            """
            SELECT q.id, q.partner_id, q.create_date, 'request', 'portal', 'in',
                   CASE WHEN q.state IN ('new', 'in_progress') THEN 'planned'
                        ELSE 'done' END,
                   %(summary)s, 'cmr.request', q.id, NULL::int, NULL::varchar,
                   NULL::varchar, jsonb_build_object('request_state', q.state),
                   q.company_id
              FROM cmr_request q
            """,
            summary=text_sql(SQL("q.name")),
        )

    def _cmr_timeline_feedback(self):
        return SQL(
            """
            SELECT f.id, f.partner_id, f.create_date, 'feedback', 'portal', 'in',
                   'done', %(summary)s, 'cmr.feedback', f.id, NULL::int,
                   NULL::varchar, NULL::varchar, NULL::jsonb, f.company_id
              FROM cmr_feedback f
            """,
            summary=text_sql(SQL("LEFT(COALESCE(f.comment, ''), 120)")),
        )

    def _cmr_timeline_consents(self):
        return SQL(
            """
            SELECT c.id, c.partner_id, c.date, 'consent', 'portal',
                   CASE WHEN c.source = 'backend' THEN NULL ELSE 'in' END,
                   'done', %(summary)s, 'cmr.consent.log', c.id, NULL::int,
                   NULL::varchar, NULL::varchar, NULL::jsonb, NULL::int
              FROM cmr_consent_log c
            """,
            summary=text_sql(
                SQL(
                    "COALESCE(c.topic_name, c.field_name) || ': ' "
                    "|| COALESCE(c.old_code, '') || ' → ' || COALESCE(c.new_code, '')"
                )
            ),
        )

    def _cmr_timeline_contacts(self):
        """Marketing calls and letters of the contact log (its mailing rows
        are the traces, already on the timeline)."""
        return SQL(
            """
            SELECT k.id, k.partner_id, k.contact_date, 'contact', k.channel, 'out',
                   CASE k.state WHEN 'reserved' THEN 'planned'
                                WHEN 'released' THEN 'failed' ELSE 'done' END,
                   %(summary)s, k.res_model, k.res_id, NULL::int, NULL::varchar,
                   NULL::varchar, NULL::jsonb, k.company_id
              FROM campaign_pressure_contact k
         LEFT JOIN mailing_mailing mm ON mm.id = k.mailing_id
         LEFT JOIN utm_campaign uc ON uc.id = k.campaign_id
             WHERE k.partner_id IS NOT NULL AND k.source IN ('activity', 'letter')
            """,
            summary=SQL(
                "CASE WHEN NULLIF(mm.subject, '') IS NOT NULL THEN %s "
                "ELSE uc.title END",
                text_sql(SQL("mm.subject")),
            ),
        )

    @api.model
    def _cmr_portal_domain(self, partner):
        """The entries of ``partner`` shown to them in the portal. Of the
        applications, only those they follow in /my/applications (their own
        online ones): a lead someone else typed in, e.g. a public enquiry in
        their email's name, is not theirs to read."""
        own_applications = (
            self.env["crm.lead"]
            .sudo()
            .with_context(active_test=False)
            ._search([("partner_id", "=", partner.id), ("edu_is_online", "=", True)])
        )
        whose = [("partner_id", "=", partner.id)]
        organisation = partner.commercial_partner_id
        if organisation != partner:
            whose = [
                "|",
                *whose,
                "&",
                ("partner_id", "=", organisation.id),
                ("kind", "in", ORG_KINDS),
            ]
        return [
            *whose,
            ("kind", "in", PORTAL_KINDS),
            ("channel", "!=", "note"),
            "|",
            ("kind", "!=", "application"),
            ("res_id", "in", own_applications),
        ]

    @api.model
    def _cmr_portal_rows(self, rows_sudo, partner):
        """Rows of the portal's timeline for the person (``self.env``: their
        own environment, so that the reasons read as the person may see them):
        date, channel, subject, status, explanation and the portal page the
        entry opens. ``rows_sudo``: entries that passed ``_cmr_portal_domain``;
        ``partner``: the person (superuser). A mailing sent, planned or held
        back is explained in the person's words, as the list of their emails
        and SMS does (``mailing.trace._cmr_portal_rows``)."""
        env = self.env
        kinds = dict(self._fields["kind"]._description_selection(env))
        channels = dict(self._fields["channel"]._description_selection(env))
        # an enrolment's entry says what happened: applied, enrolled, left...
        steps = dict(self._fields["enrollment_state"]._description_selection(env))
        rows_sudo = rows_sudo.with_context(lang=env.lang)
        statuses = self._cmr_portal_statuses(rows_sudo, partner)
        return [
            dict(
                statuses[row],
                date=row.date,
                channel=channels.get(row.channel, "")
                if row.channel != "record"
                else "",
                subject=" · ".join(
                    part
                    for part in (
                        kinds.get(row.kind, ""),
                        row.description,
                        steps.get(row.enrollment_state, ""),
                    )
                    if part
                ),
                url=self._cmr_portal_url(row),
            )
            for row in rows_sudo
        ]

    @api.model
    def _cmr_portal_statuses(self, rows_sudo, partner):
        """``{row: {status, sent, explanation}}``: a mailing's in the
        person's words (one query for the traces of the page), the others'
        from the timeline's state and hold-back reason."""
        env = self.env
        Trace = env["mailing.trace"]
        traces = rows_sudo._edu_timeline_traces_of()
        trace_rows = Trace._cmr_portal_rows(Trace.union(*traces.values()), partner)
        statuses = {
            row: {key: words[key] for key in ("status", "sent", "explanation")}
            for row, words in zip(traces, trace_rows, strict=True)
        }
        render = env["campaign.pressure.engine"]._pressure_reason_renderer()
        states = dict(self._fields["state"]._description_selection(env))
        requests = dict(
            self.env["cmr.request"]._fields["state"]._description_selection(env)
        )
        for row in rows_sudo:
            if row in statuses:
                continue
            statuses[row] = {
                # a request's own state ("Submitted", "In Progress"...), which
                # its source gives with the row: the timeline's "Planned" is
                # not a word for a request
                "status": requests.get((row.reason_args or {}).get("request_state"), "")
                if row.res_model == "cmr.request"
                else states.get(row.state, ""),
                "sent": row.state not in ("held", "failed"),
                "explanation": render(row.reason_code, row.reason_args)
                if row.reason_code
                else "",
            }
        return statuses

    @api.model
    def _cmr_portal_url(self, row):
        """The portal page an entry opens, if it has one: the person's
        request, their own online application (the only applications of
        ``_cmr_portal_domain``), their posted invoice, their tuition and
        their education records."""
        if row.res_model == "cmr.request":
            return f"/my/requests/{row.res_id}"
        if row.kind == "application":
            return f"/my/applications/{row.res_id}"
        if row.kind == "invoice":
            return f"/my/invoices/{row.res_id}"
        if row.res_model == "edu.tuition.contract":
            return "/my/tuition"
        if row.res_model in ("edu.enrollment", "edu.document"):
            return "/my/education"
        return ""
