from odoo import fields, http
from odoo.exceptions import ValidationError
from odoo.http import request

from ..models.cmr_request import MAX_TEXT_LENGTH
from .portal import CmrCustomerPortal, _to_int


class CmrTuitionPortal(CmrCustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "cmr_contract_count" in counters:
            Contract = request.env["edu.tuition.contract"]
            values["cmr_contract_count"] = (
                Contract.search_count(self._cmr_contract_domain())
                if Contract.has_access("read")
                else 0
            )
        return values

    def _cmr_contract_domain(self, partner=None):
        partner = partner or request.env.user.partner_id
        return [("student_id", "=", partner.id), ("state", "!=", "draft")]

    def _cmr_tuition_values(self, partner):
        """Contracts, instalments and readable invoices of ``partner``: three
        searches as the portal user, whatever the number of rows."""
        env = request.env
        Contract = env["edu.tuition.contract"]
        if not Contract.has_access("read"):
            return {
                "contracts": Contract,
                "instalments_by_contract": {},
                "invoices_by_instalment": {},
            }
        contracts = Contract.search(self._cmr_contract_domain(partner))
        instalments = env["edu.tuition.instalment"].search(
            [("contract_id", "in", contracts.ids)]
        )
        # invoices the user may read (the payer's own, by Odoo's account rules)
        invoices = env["account.move"].search(
            [
                ("edu_instalment_id", "in", instalments.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
            ]
        )
        instalments_by_contract = {}
        for instalment in instalments.sudo():
            instalments_by_contract.setdefault(instalment.contract_id.id, []).append(
                instalment
            )
        invoices_by_instalment = {}
        for invoice in invoices.sudo():
            invoices_by_instalment.setdefault(invoice.edu_instalment_id.id, []).append(
                invoice
            )
        return {
            "contracts": contracts.sudo(),
            "instalments_by_contract": instalments_by_contract,
            "invoices_by_instalment": invoices_by_instalment,
            "today": fields.Date.context_today(env.user),
        }

    @http.route("/my/tuition", type="http", auth="user", website=True, methods=["GET"])
    def cmr_tuition(self, **kw):
        partner = request.env.user.partner_id
        values = self._prepare_portal_layout_values()
        values.update(self._cmr_tuition_values(partner))
        values.update(
            page_name="cmr_tuition",
            cmr_errors=kw.get("cmr_errors"),
            cmr_asked=kw.get("asked") == "1",
        )
        return request.render("cmr_portal.portal_my_tuition", values)

    @http.route(
        "/my/tuition/request", type="http", auth="user", website=True, methods=["POST"]
    )
    def cmr_tuition_request(
        self,
        contract_id=None,
        request_type=None,
        instalment_id=None,
        requested_date=None,
        requested_count=None,
        reason=None,
        **post,
    ):
        env = request.env
        errors = []
        contract = env["edu.tuition.contract"]
        contract_id = _to_int(contract_id)
        if contract_id:
            # as the portal user: the record rules decide
            contract = contract.search(
                self._cmr_contract_domain() + [("id", "=", contract_id)]
            )
        if not contract:
            errors.append(env._("Choose one of your tuition contracts."))
        if request_type not in ("deferral", "reschedule"):
            errors.append(env._("Choose a deferral or a new schedule."))
        try:
            date = fields.Date.to_date(requested_date) if requested_date else None
        except ValueError:
            date = None
        if not date:
            errors.append(env._("Give the date you ask for, such as 2026-12-31."))
        instalment = env["edu.tuition.instalment"]
        if request_type == "deferral":
            instalment_id = _to_int(instalment_id)
            instalment = (
                instalment.search(
                    [("id", "=", instalment_id), ("contract_id", "in", contract.ids)]
                )
                if instalment_id and contract
                else instalment
            )
            if not instalment:
                errors.append(env._("Choose the instalment to defer."))
        count = 0
        if request_type == "reschedule":
            count = _to_int(requested_count)
            if not count:
                errors.append(env._("Give the number of instalments you ask for."))
        reason = (reason or "").strip()
        if not reason:
            errors.append(env._("Tell us the reason of your request."))
        elif len(reason) > MAX_TEXT_LENGTH:
            errors.append(
                env._(
                    "The reason is limited to %(max)s characters.", max=MAX_TEXT_LENGTH
                )
            )
        if not errors:
            try:
                with env.cr.savepoint():
                    # the contract and instalment passed the record rules above
                    request_sudo = (
                        env["cmr.request"]
                        .sudo()
                        .create(
                            {
                                "partner_id": env.user.partner_id.id,
                                "request_type": request_type,
                                "contract_id": contract.id,
                                "instalment_id": instalment.id or False,
                                "requested_date": date,
                                "requested_count": count or 0,
                                "description": reason,
                            }
                        )
                    )
            except ValidationError as error:
                errors.append(str(error.args[0]))
        if errors:
            response = self.cmr_tuition(cmr_errors=errors)
            response.status_code = 400
            return response
        return request.redirect(request_sudo.access_url)

    def _cmr_sponsored_student_extra(self, student_sudo):
        values = super()._cmr_sponsored_student_extra(student_sudo)
        values.update(self._cmr_tuition_values(student_sudo))
        return values
