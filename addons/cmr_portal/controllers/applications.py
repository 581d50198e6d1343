"""The applicant's own applications: list, one application (stage, missing
documents and their upload, next step, messages), withdraw.

Applications are read as the portal user (record rule: their own online
applications); ``sudo()`` only on a lead that passed that search. The rules
of uploading and withdrawing are the model's (``_edu_add_documents``,
``action_edu_withdraw``)."""

from markupsafe import Markup
from odoo import http
from odoo.addons.edu_crm.models.edu_application_document import (
    APPLICATION_MAX_BYTES,
)
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request

from .forms import requirement_uploads
from .portal import CmrCustomerPortal, _to_int, portal_text

MAX_MESSAGE_LENGTH = 2000


class CmrApplicationsPortal(CmrCustomerPortal):
    def _cmr_application_domain(self):
        return [
            ("partner_id", "=", request.env.user.partner_id.id),
            ("edu_is_online", "=", True),
        ]

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "cmr_application_count" in counters:
            Lead = request.env["crm.lead"].with_context(active_test=False)
            values["cmr_application_count"] = (
                Lead.search_count(self._cmr_application_domain())
                if Lead.has_access("read")
                else 0
            )
        return values

    def _cmr_own_application(self, lead_id):
        """The user's own application ``lead_id`` (sudo, after the search as
        the user), or an empty recordset."""
        Lead = request.env["crm.lead"].with_context(active_test=False)
        lead_id = _to_int(lead_id)
        if not lead_id or not Lead.has_access("read"):
            return Lead.sudo().browse()
        return Lead.search(
            [("id", "=", lead_id), *self._cmr_application_domain()], limit=1
        ).sudo()

    @http.route("/my/applications", type="http", auth="user", website=True)
    def cmr_applications(self, **kw):
        Lead = request.env["crm.lead"].with_context(active_test=False)
        leads = (
            Lead.search(self._cmr_application_domain(), order="create_date desc, id")
            if Lead.has_access("read")
            else Lead
        )
        values = self._prepare_portal_layout_values()
        values.update(page_name="cmr_applications", cmr_applications=leads.sudo())
        return request.render("cmr_portal.portal_my_applications", values)

    def _cmr_application_page(self, lead_sudo, errors=None, status=200, **extra):
        env = request.env
        activity = lead_sudo._cmr_applicant_next_activity()
        messages = lead_sudo.message_ids.filtered(
            lambda m: m.message_type == "comment"
            and m.subtype_id == env.ref("mail.mt_comment")
        )
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="cmr_application",
            cmr_application=lead_sudo,
            cmr_next_activity=activity,
            cmr_messages=messages,
            # the programme's admission questionnaire, by its own answer token
            cmr_questionnaire=lead_sudo._edu_questionnaire_answer(),
            # the reasons flagged for applicants, never Sales' own
            cmr_lost_reasons=env["crm.lost.reason"]._edu_applicant_reasons(
                lead_sudo.company_id
            ),
            cmr_errors=errors or [],
            **extra,
        )
        return request.render("cmr_portal.portal_my_application", values, status=status)

    @http.route(
        "/my/applications/<int:lead_id>",
        type="http",
        auth="user",
        website=True,
        methods=["GET"],
    )
    def cmr_application(self, lead_id, sent=None, **kw):
        lead_sudo = self._cmr_own_application(lead_id)
        if not lead_sudo:
            return request.redirect("/my/applications")
        return self._cmr_application_page(lead_sudo, cmr_sent=sent == "1")

    @http.route(
        "/my/applications/<int:lead_id>/documents",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def cmr_application_upload(self, lead_id, **post):
        lead_sudo = self._cmr_own_application(lead_id)
        if not lead_sudo:
            return request.redirect("/my/applications")
        files = requirement_uploads(
            lead_sudo.edu_programme_id.requirement_ids, APPLICATION_MAX_BYTES
        )
        errors = [] if files else [request.env._("Choose a file to upload.")]
        if files:
            try:
                with request.env.cr.savepoint():
                    lead_sudo._edu_add_documents(files)
            except (UserError, ValidationError) as exc:
                errors.append(str(exc.args[0]))
        if errors:
            return self._cmr_application_page(lead_sudo, errors=errors, status=400)
        return request.redirect(f"/my/applications/{lead_sudo.id}")

    @http.route(
        "/my/applications/<int:lead_id>/withdraw",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def cmr_application_withdraw(self, lead_id, lost_reason_id=None, **post):
        lead_sudo = self._cmr_own_application(lead_id)
        if not lead_sudo:
            return request.redirect("/my/applications")
        reason_id = _to_int(lost_reason_id)
        try:
            with request.env.cr.savepoint():
                # as the user: the model checks that they are the applicant
                # and that the reason is one offered to applicants
                lead_sudo.sudo(False).action_edu_withdraw(reason_id)
        except (AccessError, UserError) as exc:
            return self._cmr_application_page(
                lead_sudo, errors=[str(exc.args[0])], status=400
            )
        return request.redirect(f"/my/applications/{lead_sudo.id}")

    @http.route(
        "/my/applications/<int:lead_id>/message",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def cmr_application_message(self, lead_id, message=None, **post):
        env = request.env
        lead_sudo = self._cmr_own_application(lead_id)
        if not lead_sudo:
            return request.redirect("/my/applications")
        text, error = portal_text(
            env, message, MAX_MESSAGE_LENGTH, env._("The message")
        )
        if error or not text:
            return self._cmr_application_page(
                lead_sudo, errors=[error or env._("Write a message.")], status=400
            )
        lead_sudo.message_post(
            body=Markup("<p>%s</p>") % text,
            author_id=env.user.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return request.redirect(f"/my/applications/{lead_sudo.id}#cmr_messages")
