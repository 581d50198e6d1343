"""The offer on the applicant's application page: accept or decline it, then
review the proposed tuition contract and its schedule and sign it, the way
Odoo's sales orders are signed online (``portal.signature_form``).

Every route finds the application through ``_cmr_own_application`` (searched
as the portal user: their own online applications). The rules are the
model's: ``crm.lead.action_edu_accept_offer`` / ``action_edu_decline_offer``
run as the user and check that they are the applicant and that the offer
waits for an answer; ``edu.tuition.contract._edu_sign_online`` checks the
student, the draft and that it is signed once. The first instalment is paid
through the tuition pages (``/my/tuition/pay``) once the bursar activated
the contract."""

from odoo import http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request

from .applications import CmrApplicationsPortal
from .portal import _to_int


class CmrOfferPortal(CmrApplicationsPortal):
    def _cmr_application_page(self, lead_sudo, errors=None, status=200, **extra):
        extra.setdefault("cmr_contract", lead_sudo._cmr_proposed_contract())
        return super()._cmr_application_page(
            lead_sudo, errors=errors, status=status, **extra
        )

    def _cmr_offer_answer(self, lead_id, answer):
        """Run ``answer(lead as the user)`` for the user's own application
        ``lead_id``; the application page with the model's message when it
        refuses."""
        lead_sudo = self._cmr_own_application(lead_id)
        if not lead_sudo:
            return request.redirect("/my/applications")
        try:
            with request.env.cr.savepoint():
                answer(lead_sudo.sudo(False))
        except (AccessError, UserError, ValidationError) as exc:
            return self._cmr_application_page(
                lead_sudo, errors=[str(exc.args[0])], status=400
            )
        return None

    @http.route(
        "/my/applications/<int:lead_id>/offer/accept",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def cmr_offer_accept(self, lead_id, **post):
        refused = self._cmr_offer_answer(
            lead_id, lambda lead: lead.action_edu_accept_offer()
        )
        return refused or request.redirect(f"/my/applications/{lead_id}/contract")

    @http.route(
        "/my/applications/<int:lead_id>/offer/decline",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def cmr_offer_decline(self, lead_id, lost_reason_id=None, **post):
        reason_id = _to_int(lost_reason_id)
        refused = self._cmr_offer_answer(
            lead_id, lambda lead: lead.action_edu_decline_offer(reason_id)
        )
        return refused or request.redirect(f"/my/applications/{lead_id}")

    # ------------------------------------------------------------------
    # The proposed contract: review and sign
    # ------------------------------------------------------------------
    def _cmr_own_contract(self, lead_id):
        """``(application, contract)`` of the user's own application, both
        sudo after the search as the user; empty when not theirs (a contract
        of another student on the application's enrolment included)."""
        lead_sudo = self._cmr_own_application(lead_id)
        contract_sudo = lead_sudo._cmr_proposed_contract() if lead_sudo else None
        if contract_sudo and contract_sudo.student_id != request.env.user.partner_id:
            contract_sudo = None
        return lead_sudo, contract_sudo

    @http.route(
        "/my/applications/<int:lead_id>/contract",
        type="http",
        auth="user",
        website=True,
        methods=["GET"],
    )
    def cmr_offer_contract(self, lead_id, **kw):
        lead_sudo, contract_sudo = self._cmr_own_contract(lead_id)
        if not contract_sudo:
            return request.redirect("/my/applications")
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="cmr_application_contract",
            cmr_application=lead_sudo,
            cmr_contract=contract_sudo,
            cmr_instalments=contract_sudo.instalment_ids.sorted("sequence"),
            cmr_first_instalment=contract_sudo._cmr_first_payable_instalment(),
        )
        return request.render("cmr_portal.portal_my_application_contract", values)

    @http.route(
        "/my/applications/<int:lead_id>/contract/sign",
        type="json",
        auth="user",
        website=True,
    )
    def cmr_offer_contract_sign(self, lead_id, name=None, signature=None, **kw):
        lead_sudo, contract_sudo = self._cmr_own_contract(lead_id)
        if not contract_sudo:
            return {"error": request.env._("This contract is not yours to sign.")}
        try:
            with request.env.cr.savepoint():
                contract_sudo._edu_sign_online(
                    request.env.user.partner_id,
                    name if isinstance(name, str) else "",
                    signature if isinstance(signature, str) else "",
                )
        except (AccessError, UserError, ValidationError) as exc:
            return {"error": str(exc.args[0])}
        return {
            "force_refresh": True,
            "redirect_url": f"/my/applications/{lead_sudo.id}/contract",
        }
