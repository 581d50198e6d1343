from odoo import http
from odoo.addons.portal.controllers.portal import (
    CustomerPortal,
    pager as portal_pager,
)
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request

from ..models.cmr_feedback import MAX_FEEDBACK_LENGTH
from ..models.cmr_request import MAX_TEXT_LENGTH
from .preferences import (
    follow_language,
    parse_preferences,
    posted_context,
    preference_context,
)

COMMUNICATION_STEP = 20


def portal_text(env, value, max_length, label):
    """``(text, error)`` of a free text posted in a portal form: stripped,
    and an error (``None`` when valid) for a text longer than
    ``max_length`` or with a NUL character, which PostgreSQL cannot store.
    ``text`` is what the form shows again (without NUL)."""
    raw = value if isinstance(value, str) else ""
    text = raw.replace("\x00", "").strip()
    if "\x00" in raw:
        return text, env._(
            "%(field)s contains a character that cannot be saved (NUL): "
            "remove it and send again.",
            field=label,
        )
    if len(text) > max_length:
        return text, env._(
            "%(field)s is limited to %(max)s characters.",
            field=label,
            max=max_length,
        )
    return text, None


def _to_int(value):
    """Database id from a request value (string or int), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value < 10**9 else None
    value = (value or "").strip() if isinstance(value, str) else ""
    return int(value) if value.isdigit() and len(value) < 10 else None


class CmrCustomerPortal(CustomerPortal):
    # ------------------------------------------------------------------
    # Home
    # ------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        env = request.env
        counted = {
            "cmr_request_count": "cmr.request",
            "cmr_enrollment_count": "edu.enrollment",
            "cmr_document_count": "edu.document",
        }
        for counter, model in counted.items():
            if counter in counters:
                Model = env[model]
                values[counter] = (
                    Model.search_count(self._cmr_own_domain(model))
                    if Model.has_access("read")
                    else 0
                )
        if "cmr_sponsored_count" in counters:
            values["cmr_sponsored_count"] = len(self._cmr_sponsored_students())
        return values

    def _cmr_own_domain(self, model):
        partner = request.env.user.partner_id
        if model == "edu.document":
            return [("partner_id", "=", partner.id), ("state", "=", "issued")]
        return [("partner_id", "=", partner.id)]

    # ------------------------------------------------------------------
    # Preferences
    # ------------------------------------------------------------------
    def _cmr_preferences_values(self, partner_sudo, **extra):
        values = self._prepare_portal_layout_values()
        values.update(preference_context(partner_sudo))
        values.update(
            page_name="cmr_preferences",
            cmr_form_action="/my/preferences",
            cmr_with_consent=True,
            # the person's own log lines, read through the record rules
            cmr_consent_logs=request.env["cmr.consent.log"].search(
                [("partner_id", "=", partner_sudo.id)], limit=20
            ),
        )
        values.update(extra)
        return values

    @http.route(
        "/my/preferences", type="http", auth="user", website=True, methods=["GET"]
    )
    def cmr_preferences(self, **kw):
        partner_sudo = request.env.user.partner_id.sudo()
        return request.render(
            "cmr_portal.portal_my_preferences",
            self._cmr_preferences_values(
                partner_sudo, cmr_saved=kw.get("saved") == "1"
            ),
        )

    @http.route(
        "/my/preferences", type="http", auth="user", website=True, methods=["POST"]
    )
    def cmr_preferences_save(self, **post):
        # the person edits their own partner only: identity from the session
        partner_sudo = request.env.user.partner_id.sudo()
        context = preference_context(partner_sudo)
        vals, topics, nothing, errors = parse_preferences(
            post, context, with_consent=True
        )
        if not errors:
            try:
                with request.env.cr.savepoint():
                    partner_sudo._cmr_apply_preferences(vals, topics, nothing, "portal")
            except ValidationError as error:
                errors.append(str(error.args[0]))
        if errors:
            return request.render(
                "cmr_portal.portal_my_preferences",
                self._cmr_preferences_values(
                    partner_sudo, cmr_errors=errors, **posted_context(post, context)
                ),
                status=400,
            )
        path = "/my/preferences?saved=1"
        if follow_language(partner_sudo.lang):
            # the language's prefix, as the page in the chosen language
            path = request.env["ir.http"]._url_for(path)
        return request.redirect(path)

    # ------------------------------------------------------------------
    # Communications
    # ------------------------------------------------------------------
    def _cmr_communication_filters(self):
        _ = request.env._
        return {
            "marketing": {"label": _("Emails and SMS")},
            "calls": {"label": _("Calls and letters")},
            "messages": {"label": _("Messages")},
        }

    @http.route(
        ["/my/communications", "/my/communications/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def cmr_communications(self, page=1, filterby="marketing", **kw):
        env = request.env
        partner = env.user.partner_id
        filters = self._cmr_communication_filters()
        if filterby not in filters:
            filterby = "marketing"
        if filterby == "marketing":
            # record rules limit traces to the person's own email and numbers
            Model = env["mailing.trace"]
            domain = []
            order = "create_date desc, id desc"
        elif filterby == "calls":
            Model = env["campaign.pressure.contact"]
            domain = [
                ("partner_id", "=", partner.id),
                ("source", "in", ("activity", "letter")),
            ]
            order = "contact_date desc, id desc"
        else:
            Model = env["mail.message"]
            domain = [
                ("partner_ids", "in", partner.ids),
                ("message_type", "in", ("comment", "email")),
                ("subtype_id.internal", "=", False),
            ]
            order = "date desc, id desc"
        total = Model.search_count(domain)
        pager = portal_pager(
            url="/my/communications",
            total=total,
            page=page,
            step=COMMUNICATION_STEP,
            url_args={"filterby": filterby},
        )
        records = Model.search(
            domain, order=order, limit=COMMUNICATION_STEP, offset=pager["offset"]
        )
        values = self._prepare_portal_layout_values()
        rows = self._cmr_communication_rows(filterby, records, partner)
        values.update(
            page_name="cmr_communications",
            pager=pager,
            filterby=filterby,
            searchbar_filters=filters,
            default_url="/my/communications",
            cmr_rows=rows,
        )
        return request.render("cmr_portal.portal_my_communications", values)

    def _cmr_communication_rows(self, filterby, records, partner):
        """Plain dicts for the template: date, channel, subject, status, explanation."""
        env = request.env
        if filterby == "marketing":
            return env["mailing.trace"]._cmr_portal_rows(records, partner.sudo())
        if filterby == "calls":
            channel_labels = dict(
                env["campaign.pressure.contact"]
                ._fields["channel"]
                ._description_selection(env)
            )
            state_labels = {
                "reserved": env._("Planned"),
                "confirmed": env._("Done"),
                "released": env._("Not done"),
            }
            return [
                {
                    "date": contact.contact_date,
                    "channel": channel_labels.get(contact.channel, ""),
                    "subject": contact.sudo().mailing_id.subject
                    or contact.sudo().campaign_id.name
                    or "",
                    "status": state_labels.get(contact.state, ""),
                    "sent": contact.state != "released",
                    "explanation": "",
                }
                for contact in records
            ]
        messages_sudo = records.sudo()
        return [
            {
                "date": message.date,
                "channel": env._("Email")
                if message.message_type == "email"
                else env._("Message"),
                "subject": message.subject or message.record_name or "",
                "status": env._("Sent"),
                "sent": True,
                "explanation": "",
            }
            for message in messages_sudo
        ]

    # ------------------------------------------------------------------
    # Feedback
    # ------------------------------------------------------------------
    def _cmr_feedback_values(self, **extra):
        env = request.env
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="cmr_feedback",
            # the labels of the rating field, in the reader's language
            cmr_ratings=env["cmr.feedback"]
            ._fields["rating"]
            ._description_selection(env),
        )
        values.update(extra)
        return values

    @http.route("/my/feedback", type="http", auth="user", website=True, methods=["GET"])
    def cmr_feedback(self, **kw):
        return request.render(
            "cmr_portal.portal_my_feedback",
            self._cmr_feedback_values(cmr_sent=kw.get("sent") == "1"),
        )

    @http.route(
        "/my/feedback", type="http", auth="user", website=True, methods=["POST"]
    )
    def cmr_feedback_post(self, rating=None, comment=None, **post):
        env = request.env
        errors = []
        ratings = dict(env["cmr.feedback"]._fields["rating"].selection)
        if not isinstance(rating, str) or rating not in ratings:
            errors.append(env._("Choose a rating from 1 to 5."))
            rating = None
        comment, error = portal_text(
            env, comment, MAX_FEEDBACK_LENGTH, env._("Your feedback")
        )
        if error:
            errors.append(error)
        if errors:
            return request.render(
                "cmr_portal.portal_my_feedback",
                self._cmr_feedback_values(
                    cmr_errors=errors, cmr_comment=comment, cmr_rating=rating
                ),
                status=400,
            )
        # the person gives feedback about themselves only: identity from the session
        env["cmr.feedback"].sudo().create(
            {
                "partner_id": env.user.partner_id.id,
                "rating": rating,
                "comment": comment or False,
            }
        )
        return request.redirect("/my/feedback?sent=1")

    # ------------------------------------------------------------------
    # Education
    # ------------------------------------------------------------------
    @http.route(
        ["/my/education", "/my/education/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def cmr_education(self, page=1, **kw):
        return self._cmr_education_page(page=page)

    def _cmr_education_page(self, page=1, errors=None, form=None, status=200):
        """The education page; ``errors``: messages of the server about the
        document request form (never text from the query string), ``form``:
        what the person typed."""
        env = request.env
        Enrollment = env["edu.enrollment"]
        Document = env["edu.document"]
        enrollments = (
            Enrollment.search(self._cmr_own_domain("edu.enrollment"))
            if Enrollment.has_access("read")
            else Enrollment
        )
        doc_domain = self._cmr_own_domain("edu.document")
        can_docs = Document.has_access("read")
        pager = portal_pager(
            url="/my/education",
            total=Document.search_count(doc_domain) if can_docs else 0,
            page=page,
            step=self._items_per_page,
        )
        documents = (
            Document.search(
                doc_domain, limit=self._items_per_page, offset=pager["offset"]
            )
            if can_docs
            else Document
        )
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="cmr_education",
            enrollments=enrollments.sudo(),
            documents=documents.sudo(),
            pager=pager,
            cmr_document_types=env["cmr.request"]._cmr_requestable_document_types(
                env.user.partner_id
            ),
            cmr_errors=errors or [],
            cmr_form=form or {},
        )
        return request.render("cmr_portal.portal_my_education", values, status=status)

    @http.route(
        "/my/education/documents/<int:document_id>",
        type="http",
        auth="public",
        website=True,
    )
    def cmr_education_document(self, document_id, access_token=None, **kw):
        try:
            document_sudo = self._document_check_access(
                "edu.document", document_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if document_sudo.state != "issued" or not document_sudo.attachment_id:
            return request.redirect("/my")
        stream = request.env["ir.binary"]._get_stream_from(document_sudo.attachment_id)
        return stream.get_response(as_attachment=True)

    @http.route(
        "/my/education/request",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def cmr_education_request(self, document_type_id=None, description=None, **post):
        env = request.env
        partner = env.user.partner_id
        doc_type_id = _to_int(document_type_id)
        # only what the form offers this person (the model refuses the rest)
        offered = env["cmr.request"]._cmr_requestable_document_types(partner)
        doc_type = offered.filtered(lambda t: t.id == doc_type_id)
        description, error = portal_text(
            env, description, MAX_TEXT_LENGTH, env._("The description")
        )
        errors = []
        if not doc_type:
            errors.append(env._("Choose the document you need."))
        if error:
            errors.append(error)
        request_sudo = None
        if not errors:
            try:
                with env.cr.savepoint():
                    request_sudo = (
                        env["cmr.request"]
                        .sudo()
                        .create(
                            {
                                "partner_id": partner.id,
                                "request_type": "document",
                                "document_type_id": doc_type.id,
                                "description": description or False,
                            }
                        )
                    )
            except ValidationError as exc:
                errors.append(str(exc.args[0]))
        if errors:
            return self._cmr_education_page(
                errors=errors,
                form={
                    "document_type_id": doc_type.id if doc_type else None,
                    "description": description,
                },
                status=400,
            )
        return request.redirect(request_sudo.access_url)

    # ------------------------------------------------------------------
    # Requests
    # ------------------------------------------------------------------
    def _cmr_request_sortings(self):
        _ = request.env._
        return {
            "date": {"label": _("Newest"), "order": "create_date desc, id desc"},
            "name": {"label": _("Reference"), "order": "name desc, id desc"},
            "state": {"label": _("Status"), "order": "state, id desc"},
        }

    @http.route(
        ["/my/requests", "/my/requests/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def cmr_requests(self, page=1, sortby="date", **kw):
        return self._cmr_requests_page(page=page, sortby=sortby)

    def _cmr_requests_page(
        self, page=1, sortby="date", errors=None, form=None, status=200
    ):
        Request = request.env["cmr.request"]
        sortings = self._cmr_request_sortings()
        if sortby not in sortings:
            sortby = "date"
        domain = self._cmr_own_domain("cmr.request")
        can_read = Request.has_access("read")
        pager = portal_pager(
            url="/my/requests",
            total=Request.search_count(domain) if can_read else 0,
            page=page,
            step=self._items_per_page,
            url_args={"sortby": sortby},
        )
        requests_ = (
            Request.search(
                domain,
                order=sortings[sortby]["order"],
                limit=self._items_per_page,
                offset=pager["offset"],
            )
            if can_read
            else Request
        )
        request.session["my_cmr_requests_history"] = requests_.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="cmr_requests",
            cmr_requests=requests_.sudo(),
            pager=pager,
            sortby=sortby,
            searchbar_sortings=sortings,
            default_url="/my/requests",
            cmr_errors=errors or [],
            cmr_form=form or {},
        )
        return request.render("cmr_portal.portal_my_requests", values, status=status)

    @http.route(
        "/my/requests/<int:request_id>", type="http", auth="public", website=True
    )
    def cmr_request_page(self, request_id, access_token=None, **kw):
        try:
            request_sudo = self._document_check_access(
                "cmr.request", request_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        values.update(page_name="cmr_request", cmr_request=request_sudo)
        values = self._get_page_view_values(
            request_sudo, access_token, values, "my_cmr_requests_history", False, **kw
        )
        return request.render("cmr_portal.portal_my_request", values)

    @http.route(
        "/my/requests/new", type="http", auth="user", website=True, methods=["POST"]
    )
    def cmr_request_new(self, description=None, **post):
        env = request.env
        description, error = portal_text(
            env, description, MAX_TEXT_LENGTH, env._("Your question")
        )
        if not description and not error:
            error = env._("Describe your question.")
        if error:
            return self._cmr_requests_page(
                errors=[error], form={"description": description}, status=400
            )
        request_sudo = (
            env["cmr.request"]
            .sudo()
            .create(
                {
                    "partner_id": env.user.partner_id.id,
                    "request_type": "other",
                    "description": description,
                }
            )
        )
        return request.redirect(request_sudo.access_url)

    # ------------------------------------------------------------------
    # Sponsors
    # ------------------------------------------------------------------
    def _cmr_sponsored_students(self):
        """Students of the user's organisation who gave their consent (sudo:
        the domain itself is the access check)."""
        organisation = request.env.user.partner_id.commercial_partner_id
        if not organisation.sudo().edu_is_sponsor:
            return request.env["res.partner"]
        return (
            request.env["res.partner"]
            .sudo()
            .search(
                [
                    ("edu_sponsor_ids", "in", organisation.ids),
                    ("cmr_sponsor_consent", "=", True),
                ],
                order="name, id",
            )
        )

    @http.route("/my/sponsored", type="http", auth="user", website=True)
    def cmr_sponsored(self, **kw):
        students_sudo = self._cmr_sponsored_students()
        # enrolments through the record rules (sponsor + consent)
        enrollments = request.env["edu.enrollment"].search(
            [("partner_id", "in", students_sudo.ids)]
        )
        by_student = {}
        for enrollment in enrollments.sudo():
            by_student.setdefault(enrollment.partner_id.id, []).append(enrollment)
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="cmr_sponsored",
            students=students_sudo,
            enrollments_by_student=by_student,
        )
        return request.render("cmr_portal.portal_my_sponsored", values)

    @http.route(
        "/my/sponsored/<int:student_id>", type="http", auth="user", website=True
    )
    def cmr_sponsored_student(self, student_id, **kw):
        students_sudo = self._cmr_sponsored_students()
        student_sudo = students_sudo.filtered(lambda s: s.id == student_id)
        if not student_sudo:
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="cmr_sponsored_student",
            student=student_sudo,
            enrollments=request.env["edu.enrollment"]
            .search([("partner_id", "=", student_sudo.id)])
            .sudo(),
        )
        values.update(self._cmr_sponsored_student_extra(student_sudo))
        return request.render("cmr_portal.portal_my_sponsored_student", values)

    def _cmr_sponsored_student_extra(self, student_sudo):
        """Hook for the tuition part (schedules and invoices the sponsor pays)."""
        return {}
