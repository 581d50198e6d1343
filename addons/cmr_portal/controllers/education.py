"""The education page: enrolments, issued documents and the document
request form."""

from odoo import http
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request

from ..models.cmr_request import MAX_TEXT_LENGTH
from .portal import CmrCustomerPortal, _to_int, portal_text


class CmrEducationPortal(CmrCustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "cmr_enrollment_count" in counters:
            values["cmr_enrollment_count"] = self._cmr_own_count("edu.enrollment")
        if "cmr_document_count" in counters:
            values["cmr_document_count"] = self._cmr_own_count("edu.document")
        return values

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
