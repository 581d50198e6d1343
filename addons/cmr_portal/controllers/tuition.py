from odoo import fields, http
from odoo.addons.account_payment.controllers.payment import PaymentPortal
from odoo.addons.account_payment.controllers.portal import PortalAccount
from odoo.addons.edu_crm.models.edu_tuition_instalment import OPEN_STATES
from odoo.exceptions import ValidationError
from odoo.http import request

from ..models.cmr_request import MAX_TEXT_LENGTH
from .portal import CmrCustomerPortal, _to_int, portal_text

MAX_PAY_SELECTION = 100
# the status of a sponsor's invoice in the words of the instalments
# (edu.tuition.instalment.payment_state), not in Accounting's: one word for
# "paid" on the page, in every language
SHARE_STATES = {
    "not_paid": "not_paid",
    "blocked": "not_paid",
    "partial": "partial",
    "in_payment": "paid",
    "paid": "paid",
    "invoicing_legacy": "paid",
    "reversed": "cancelled",
}


class CmrTuitionPortal(CmrCustomerPortal, PortalAccount, PaymentPortal):
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

    def _cmr_invoice_domain(self, instalments):
        return [
            ("edu_instalment_id", "in", instalments.ids),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
        ]

    def _cmr_tuition_values(self, partner, with_sponsor_shares=False):
        """Contracts, instalments and readable invoices of ``partner``, and
        with ``with_sponsor_shares`` what the sponsors pay of the person's own
        instalments: a fixed number of searches, whatever the number of rows."""
        env = request.env
        Contract = env["edu.tuition.contract"]
        if not Contract.has_access("read"):
            return {
                "contracts": Contract,
                "instalments_by_contract": {},
                "invoices_by_instalment": {},
                "sponsor_shares_by_instalment": {},
                "payable_instalment_ids": set(),
                "cmr_open_invoices": False,
                "cmr_online_payment": False,
            }
        contracts = Contract.search(self._cmr_contract_domain(partner))
        instalments = env["edu.tuition.instalment"].search(
            [("contract_id", "in", contracts.ids)]
        )
        # invoices the user may read (the payer's own, by Odoo's account rules)
        invoices = env["account.move"].search(self._cmr_invoice_domain(instalments))
        instalments_by_contract = {}
        for instalment in instalments.sudo():
            instalments_by_contract.setdefault(instalment.contract_id.id, []).append(
                instalment
            )
        invoices_by_instalment = {}
        payable_instalment_ids = set()
        user_partner = env.user.partner_id
        for invoice in invoices.sudo():
            invoices_by_instalment.setdefault(invoice.edu_instalment_id.id, []).append(
                invoice
            )
            if (
                invoice.payment_state in OPEN_STATES
                and invoice.partner_id == user_partner
            ):
                payable_instalment_ids.add(invoice.edu_instalment_id.id)
        # the open invoices the page offers to pay ("Pay now")
        open_sudo = invoices.sudo().filtered(lambda i: i.payment_state in OPEN_STATES)
        sponsor_shares = {}
        if with_sponsor_shares and instalments:
            sponsor_shares = self._cmr_sponsor_shares(instalments, invoices)
        return {
            "contracts": contracts.sudo(),
            "instalments_by_contract": instalments_by_contract,
            "invoices_by_instalment": invoices_by_instalment,
            "sponsor_shares_by_instalment": sponsor_shares,
            "payable_instalment_ids": payable_instalment_ids,
            "cmr_open_invoices": bool(open_sudo),
            "cmr_online_payment": bool(open_sudo)
            and self._cmr_online_payment(open_sudo),
            "today": fields.Date.context_today(env.user),
        }

    def _cmr_sponsor_shares(self, instalments, readable_invoices):
        """What the sponsors pay of ``instalments`` (already read through the
        record rules), as plain values: the sponsor's name, the amount, the due
        date and the status; no link to the sponsor's invoice and nothing else
        of it."""
        env = request.env
        labels = dict(
            env["edu.tuition.instalment"]
            ._fields["payment_state"]
            ._description_selection(env)
        )
        sponsors = (
            instalments.sudo()
            .contract_id.payer_ids.filtered("is_sponsor")
            .partner_id.commercial_partner_id
        )
        shares = {}
        invoices_sudo = (
            env["account.move"]
            .sudo()
            .search(
                self._cmr_invoice_domain(instalments)
                + [("id", "not in", readable_invoices.ids)],
                order="invoice_date_due, id",
            )
        )
        for invoice in invoices_sudo:
            sponsor = invoice.partner_id.commercial_partner_id
            if sponsor not in sponsors:
                continue
            shares.setdefault(invoice.edu_instalment_id.id, []).append(
                {
                    "sponsor": sponsor.name,
                    "amount": invoice.amount_total,
                    "currency": invoice.currency_id,
                    "due_date": invoice.invoice_date_due,
                    "paid": invoice.payment_state in ("paid", "in_payment"),
                    "status": labels[
                        SHARE_STATES.get(invoice.payment_state, "not_paid")
                    ],
                }
            )
        return shares

    def _cmr_online_payment(self, invoices_sudo):
        """Whether the person can pay ``invoices_sudo`` online: a payment
        provider that the institution enabled (and published) fits each
        company and currency of them. None is assumed: a database without
        demo data has no provider until the institution sets one up."""
        partner = request.env.user.partner_id
        Provider = request.env["payment.provider"].sudo()
        for company in invoices_sudo.company_id:
            of_company = invoices_sudo.filtered(lambda i, c=company: i.company_id == c)
            for currency in of_company.currency_id:
                invoices = of_company.filtered(lambda i, c=currency: i.currency_id == c)
                if not Provider._get_compatible_providers(
                    company.id,
                    partner.id,
                    sum(invoices.mapped("amount_residual")),
                    currency_id=currency.id,
                ):
                    return False
        return True

    @http.route("/my/tuition", type="http", auth="user", website=True, methods=["GET"])
    def cmr_tuition(self, **kw):
        return self._cmr_tuition_page()

    def _cmr_tuition_page(
        self, errors=None, pay_errors=None, form=None, pay_selected=(), status=200
    ):
        """The tuition page; ``errors`` and ``pay_errors``: messages of the
        server about the request form and the payment (never text from the
        query string), ``form``: what the person typed in the request form,
        ``pay_selected``: the instalment ids they ticked (only those the page
        offers to pay are ticked again)."""
        partner = request.env.user.partner_id
        values = self._prepare_portal_layout_values()
        values.update(self._cmr_tuition_values(partner, with_sponsor_shares=True))
        # the contracts on which a deferral or a new schedule can be granted
        options = request.env["cmr.request"]._cmr_schedule_change_options(
            values["contracts"]
        )
        values.update(
            page_name="cmr_tuition",
            cmr_errors=errors or [],
            cmr_pay_errors=pay_errors or [],
            cmr_form=form or {},
            cmr_pay_selected=set(pay_selected) & values["payable_instalment_ids"],
            cmr_schedule_options=options,
            cmr_can_reschedule=any(option.reschedule for option in options.values()),
        )
        return request.render("cmr_portal.portal_my_tuition", values, status=status)

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
        asked, errors = self._cmr_parse_tuition_request(
            contract_id,
            request_type,
            instalment_id,
            requested_date,
            requested_count,
            reason,
        )
        if not errors:
            try:
                with env.cr.savepoint():
                    # the contract and instalment passed the record rules
                    request_sudo = (
                        env["cmr.request"]
                        .sudo()
                        .create(
                            {
                                "partner_id": env.user.partner_id.id,
                                "request_type": request_type,
                                "contract_id": asked["contract"].id,
                                "instalment_id": asked["instalment"].id or False,
                                "requested_date": asked["date"],
                                "requested_count": asked["count"] or 0,
                                "description": asked["reason"],
                            }
                        )
                    )
            except ValidationError as error:
                errors.append(str(error.args[0]))
        if errors:
            return self._cmr_tuition_page(
                errors=errors,
                form={
                    "contract_id": asked["contract"].id or None,
                    "request_type": request_type,
                    "instalment_id": asked["instalment"].id or None,
                    "requested_date": asked["date"],
                    "requested_count": asked["count"] or None,
                    "reason": asked["reason"],
                },
                status=400,
            )
        return request.redirect(request_sudo.access_url)

    def _cmr_parse_tuition_request(
        self, contract_id, request_type, instalment_id, requested_date, count, reason
    ):
        """What the tuition request form asks (``contract``, ``instalment``
        searched as the portal user: the record rules decide; ``date``,
        ``count``, ``reason``) and the errors of the form."""
        env = request.env
        errors = []
        contract = env["edu.tuition.contract"]
        contract_id = _to_int(contract_id)
        if contract_id:
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
            if instalment_id and contract:
                instalment = instalment.search(
                    [("id", "=", instalment_id), ("contract_id", "in", contract.ids)]
                )
            if not instalment:
                errors.append(env._("Choose the instalment to defer."))
        count = _to_int(count) if request_type == "reschedule" else 0
        if request_type == "reschedule" and not count:
            errors.append(env._("Give the number of instalments you ask for."))
        reason, error = portal_text(env, reason, MAX_TEXT_LENGTH, env._("The reason"))
        if error:
            errors.append(error)
        elif not reason:
            errors.append(env._("Tell us the reason of your request."))
        asked = {
            "contract": contract,
            "instalment": instalment,
            "date": date,
            "count": count,
            "reason": reason,
        }
        return asked, errors

    def _cmr_sponsored_student_extra(self, student_sudo):
        values = super()._cmr_sponsored_student_extra(student_sudo)
        values.update(self._cmr_tuition_values(student_sudo))
        return values

    # ------------------------------------------------------------------
    # Paying several instalments at once (Odoo's batch invoice payment)
    # ------------------------------------------------------------------
    def _cmr_payable_invoices(self, raw_ids):
        """The open invoices of the user for the instalments ``raw_ids``
        (form values), searched as the portal user so that the record rules
        decide: ``(invoices_sudo, errors)``. Nothing is paid when there are
        errors."""
        env = request.env
        Invoice = env["account.move"]
        Instalment = env["edu.tuition.instalment"]
        raw_ids = [raw_ids] if isinstance(raw_ids, str) else list(raw_ids or [])
        if not any(raw_ids):
            return Invoice, [env._("Tick at least one instalment to pay.")]
        ids = {_to_int(value) for value in raw_ids}
        if (
            None in ids
            or len(ids) > MAX_PAY_SELECTION
            or not (Instalment.has_access("read") and Invoice.has_access("read"))
        ):
            return Invoice, [env._("Choose among the instalments shown on this page.")]
        partner = env.user.partner_id
        instalments = Instalment.search(
            [
                ("id", "in", list(ids)),
                ("student_id", "=", partner.id),
                ("contract_state", "!=", "draft"),
            ]
        )
        if len(instalments) != len(ids):
            return Invoice, [env._("Choose among the instalments shown on this page.")]
        if any(inst.payment_state not in OPEN_STATES for inst in instalments):
            return Invoice, [
                env._(
                    "One of the chosen instalments is already paid, cancelled or "
                    "not invoiced yet."
                )
            ]
        invoices = Invoice.search(
            Invoice._edu_open_tuition_domain()
            + [
                ("edu_instalment_id", "in", instalments.ids),
                ("partner_id", "=", partner.id),
            ],
            order="invoice_date_due, id",
        )
        if invoices.edu_instalment_id != instalments:
            return Invoice, [
                env._(
                    "One of the chosen instalments is paid by someone else "
                    "(a sponsor); pay the others."
                )
            ]
        if len(invoices.company_id) > 1 or len(invoices.currency_id) > 1:
            return Invoice, [
                env._(
                    "Instalments of different institutions or currencies are paid "
                    "separately."
                )
            ]
        return invoices.sudo(), []

    def _cmr_pay_page_values(self, invoices_sudo):
        """Values of Odoo's payment form for ``invoices_sudo``, as Odoo's
        "pay overdue invoices" page prepares them."""
        first = invoices_sudo[0]
        currency = first.currency_id
        amount = sum(invoices_sudo.mapped("amount_residual"))
        selection = "-".join(
            str(i) for i in sorted(invoices_sudo.edu_instalment_id.ids)
        )
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="cmr_tuition_pay",
            cmr_pay_invoices=invoices_sudo,
            amount=amount,
        )
        values.update(
            self._get_common_page_view_values(
                invoices_data={
                    "partner": first.partner_id,
                    "company": first.company_id,
                    "total_amount": amount,
                    "currency": currency,
                    "amount_residual": amount,
                    "landing_route": "/my/tuition",
                    "transaction_route": f"/my/tuition/pay/transaction/{selection}",
                },
            )
        )
        return values

    @http.route(
        "/my/tuition/pay",
        type="http",
        auth="user",
        website=True,
        methods=["GET"],
        sitemap=False,
    )
    def cmr_tuition_pay(self, **kw):
        raw_ids = request.httprequest.args.getlist("instalment_ids")
        invoices_sudo, errors = self._cmr_payable_invoices(raw_ids)
        if errors:
            # the page again, with the message and what the person ticked
            ticked = {_to_int(value) for value in raw_ids[:MAX_PAY_SELECTION]}
            return self._cmr_tuition_page(
                pay_errors=errors, pay_selected=ticked - {None}, status=400
            )
        return request.render(
            "cmr_portal.portal_my_tuition_pay", self._cmr_pay_page_values(invoices_sudo)
        )

    @http.route(
        "/my/tuition/pay/transaction/<string:selection>", type="json", auth="user"
    )
    def cmr_tuition_pay_transaction(
        self, selection, access_token=None, payment_reference=None, **kwargs
    ):
        """Odoo's transaction route for several invoices at once
        (``/invoice/transaction/overdue``) for the chosen instalments: the
        selection is checked again, the amount and the landing page are the
        server's, not the browser's."""
        env = request.env
        invoices_sudo, errors = self._cmr_payable_invoices(
            selection.split("-") if len(selection) < 1100 else ["x"]
        )
        if errors:
            raise ValidationError(errors[0])
        currency = invoices_sudo.currency_id
        amount = sum(invoices_sudo.mapped("amount_residual"))
        asked = self._cast_as_float(kwargs.get("amount"))
        if asked is None or currency.compare_amounts(asked, amount):
            raise ValidationError(
                env._("The amount to pay has changed: reload the page.")
            )
        self._validate_transaction_kwargs(kwargs)
        kwargs.update(amount=amount, landing_route="/my/tuition")
        company = invoices_sudo.company_id
        reference = (
            company.get_next_batch_payment_communication()
            if len(invoices_sudo) > 1
            else None
        )
        return self._process_transaction(
            env.user.partner_id.id, currency.id, invoices_sudo.ids, reference, **kwargs
        )
