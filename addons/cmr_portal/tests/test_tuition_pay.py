import re

from dateutil.relativedelta import relativedelta
from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import JsonRpcException, tagged
from odoo.tools import mute_logger

from .test_tuition_portal import NON_EXISTENT, TuitionPortalCommon


class TuitionPayCommon(TuitionPortalCommon):
    def _pay_url(self, *instalment_ids):
        query = "&".join(f"instalment_ids={value}" for value in instalment_ids)
        return f"/my/tuition/pay?{query}"

    def _transaction_params(self, amount, **values):
        return dict(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.provider.payment_method_ids[:1].id,
                "token_id": None,
                "amount": amount,
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": "https://evil.example.com",
                "access_token": None,
                "payment_reference": "CRAFTED",
            },
            **values,
        )

    def _transactions(self):
        return (
            self.env["payment.transaction"]
            .sudo()
            .search([("partner_id", "=", self.student.id)])
        )

    def _pay_in_full(self, invoice):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()


@tagged("post_install", "-at_install")
class TestTuitionPayMany(TuitionPayCommon):
    """Several instalments in one online payment, through Odoo's payment
    form and transaction flow for several invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.second._edu_create_invoices()
        cls.invoice_2 = cls.second.invoice_ids

    def test_pay_two_instalments_in_one_payment(self):
        self.authenticate("tu_student", "tu_student")
        page = self._get("/my/tuition").text
        self.assertEqual(page.count('name="instalment_ids"'), 2)
        self.assertIn(f'for="cmr_pay_{self.first.id}"', page)
        self.assertIn('id="cmr_pay_form"', page)
        response = self._get(self._pay_url(self.first.id, self.second.id))
        self.assertEqual(response.status_code, 200)
        self.assertIn('id="o_payment_form"', response.text)
        self.assertEqual(response.text.count("cmr_pay_line"), 2)
        self.assertIn(self.invoice.name, response.text)
        self.assertIn(self.invoice_2.name, response.text)
        route = re.search(r'data-transaction-route="([^"]+)"', response.text).group(1)
        low, high = sorted((self.first | self.second).ids)
        self.assertEqual(route, f"/my/tuition/pay/transaction/{low}-{high}")
        total = self.invoice.amount_residual + self.invoice_2.amount_residual
        processing = self.make_jsonrpc_request(route, self._transaction_params(total))
        transaction = (
            self.env["payment.transaction"]
            .sudo()
            .search([("reference", "=", processing["reference"])])
        )
        self.assertEqual(transaction.invoice_ids, self.invoice | self.invoice_2)
        self.assertEqual(transaction.amount, total)
        self.assertEqual(transaction.partner_id, self.student)
        # the landing page and the reference are the server's
        self.assertEqual(transaction.landing_route, "/my/tuition")
        self.assertNotIn("CRAFTED", transaction.reference)
        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {
                "reference": processing["reference"],
                "payment_details": "4242",
                "simulated_state": "done",
            },
        )
        self.assertEqual(transaction.state, "done")
        transaction._post_process()
        (self.first | self.second).invalidate_recordset()
        self.assertEqual(self.first.payment_state, "paid")
        self.assertEqual(self.second.payment_state, "paid")
        self.assertEqual(self.third.payment_state, "to_invoice")
        page = self._get("/my/tuition").text
        self.assertNotIn('name="instalment_ids"', page)

    def test_pay_one_instalment_through_the_selection(self):
        self.authenticate("tu_student", "tu_student")
        response = self._get(self._pay_url(self.second.id))
        self.assertEqual(response.status_code, 200)
        processing = self.make_jsonrpc_request(
            f"/my/tuition/pay/transaction/{self.second.id}",
            self._transaction_params(self.invoice_2.amount_residual),
        )
        transaction = self._transactions()
        self.assertEqual(transaction.reference, processing["reference"])
        self.assertEqual(transaction.invoice_ids, self.invoice_2)

    def test_pay_selection_crafted(self):
        """Other people's, unknown, malformed, paid and not invoiced instalments
        and an empty selection: HTTP 400 with a message, nothing paid."""
        other_first = self.contract_other.instalment_ids.sorted("sequence")[0]
        self.authenticate("tu_student", "tu_student")
        crafted = [
            (),
            ("",),
            ("abc",),
            ("-1",),
            ("1.5",),
            ("9" * 40,),
            (str(NON_EXISTENT),),
            (other_first.id,),  # another student's
            (self.first.id, other_first.id),
            (self.third.id,),  # not invoiced yet
            (self.first.id, "x"),
            tuple(range(1, 200)),
        ]
        for values in crafted:
            with self.subTest(values=values[:3]):
                response = self._get(self._pay_url(*values))
                self.assertEqual(response.status_code, 400)
                self.assertIn('id="cmr_pay_errors"', response.text)
                self.assertNotIn('id="o_payment_form"', response.text)
        # an instalment paid in the meantime
        self._pay_in_full(self.invoice)
        response = self._get(self._pay_url(self.first.id, self.second.id))
        self.assertEqual(response.status_code, 400)
        self.assertIn("already paid", response.text)
        self.assertFalse(self._transactions())

    @mute_logger("odoo.http")
    def test_pay_transaction_crafted(self):
        """The transaction route checks the selection again and refuses a
        changed amount: no transaction is created."""
        other = self.contract_other.instalment_ids.sorted("sequence")[0]
        total = self.invoice.amount_residual + self.invoice_2.amount_residual
        self.authenticate("tu_student", "tu_student")
        for selection, amount in (
            (f"{self.first.id}-{other.id}", total),
            (f"{other.id}", other.amount),
            ("abc", total),
            (f"{self.first.id}--{self.second.id}", total),
            (f"{NON_EXISTENT}", total),
            (f"{self.third.id}", total),
            ("-".join(["1"] * 600), total),
            (f"{self.first.id}-{self.second.id}", 1.0),  # tampered amount
            (f"{self.first.id}-{self.second.id}", None),
        ):
            with self.subTest(selection=selection[:30], amount=amount):
                with self.assertRaises(JsonRpcException):
                    self.make_jsonrpc_request(
                        f"/my/tuition/pay/transaction/{selection}",
                        self._transaction_params(amount),
                    )
        # not whitelisted values are refused, as on Odoo's own routes
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                f"/my/tuition/pay/transaction/{self.first.id}",
                self._transaction_params(
                    self.invoice.amount_residual,
                    partner_id=self.user_other.partner_id.id,
                ),
            )
        self.assertFalse(self._transactions())

    @mute_logger("odoo.http")
    def test_pay_security_matrix(self):
        url = self._pay_url(self.first.id, self.second.id)
        route = f"/my/tuition/pay/transaction/{self.first.id}-{self.second.id}"
        total = self.invoice.amount_residual + self.invoice_2.amount_residual
        # public, also with a made-up token: to the login page, no transaction
        self.authenticate(None, None)
        self.assertRedirectsTo(self._get(url), "/web/login")
        self.assertRedirectsTo(self._get(url + "&access_token=wrong"), "/web/login")
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(route, self._transaction_params(total))
        # another portal user cannot pay (or see) the student's instalments
        self.authenticate("tu_other", "tu_other")
        response = self._get(url)
        self.assertEqual(response.status_code, 400)
        self.assertNotIn(self.invoice.name, response.text)
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(route, self._transaction_params(total))
        # the sponsor neither
        self.student.cmr_sponsor_consent = True
        self.authenticate("tu_sponsor", "tu_sponsor")
        self.assertEqual(self._get(url).status_code, 400)
        self.assertFalse(
            self.env["payment.transaction"]
            .sudo()
            .search([])
            .filtered(lambda tx: tx.invoice_ids & (self.invoice | self.invoice_2))
        )
        # the owner can
        self.authenticate("tu_student", "tu_student")
        self.assertEqual(self._get(url).status_code, 200)
        self.make_jsonrpc_request(route, self._transaction_params(total))
        self.assertEqual(
            self._transactions().invoice_ids, self.invoice | self.invoice_2
        )

    def test_pay_page_refused_when_sponsor_pays(self):
        """An instalment a sponsor pays has no checkbox for the student and
        cannot be put in the student's payment."""
        plan = self.env["edu.payment.plan"].create(
            {"name": "Upfront", "plan_type": "upfront"}
        )
        contract = self._contract(self.student, plan, [(self.sponsor_org, 100.0)])
        sponsored = contract.instalment_ids
        self.assertEqual(sponsored.payment_state, "not_paid")
        self.authenticate("tu_student", "tu_student")
        page = self._get("/my/tuition").text
        self.assertNotIn(f'id="cmr_pay_{sponsored.id}"', page)
        response = self._get(self._pay_url(self.first.id, sponsored.id))
        self.assertEqual(response.status_code, 400)
        self.assertIn("sponsor", response.text)


@tagged("post_install", "-at_install")
class TestTuitionSponsorShare(TuitionPayCommon):
    """The student sees what a sponsor pays of the student's instalments
    (sponsor, amount, due date, status), not the sponsor's invoice."""

    def _split_contract(self):
        plan = self.env["edu.payment.plan"].create(
            {"name": "Upfront", "plan_type": "upfront"}
        )
        self.contract.sudo()._edu_cancel("cancel")
        contract = self._contract(
            self.student, plan, [(self.student, 40.0), (self.sponsor_org, 60.0)]
        )
        invoices = contract.instalment_ids.invoice_ids
        own = invoices.filtered(lambda m: m.partner_id == self.student)
        return contract, own, invoices - own

    def test_student_sees_sponsor_share(self):
        contract, own, sponsor_invoice = self._split_contract()
        self.assertEqual(sponsor_invoice.partner_id, self.sponsor_org)
        self.authenticate("tu_student", "tu_student")
        page = self._get("/my/tuition").text
        self.assertEqual(page.count("cmr_sponsor_share"), 1)
        share = page[page.index("cmr_sponsor_share") :][:1500]
        self.assertIn("Globex Sponsor", share)
        self.assertIn("540.00", share)
        self.assertIn("Not Paid", share)
        # the student's own share is payable, the sponsor's invoice is not shown
        self.assertIn(own.name, page)
        self.assertIn(f'id="cmr_pay_{contract.instalment_ids.id}"', page)
        self.assertNotIn(sponsor_invoice.name, page)
        self.assertNotIn(sponsor_invoice.access_url, page)
        self.assertRedirectsTo(self._get(sponsor_invoice.access_url), "/my")
        # once the sponsor paid, the student sees it
        self._pay_in_full(sponsor_invoice)
        page = self._get("/my/tuition").text
        share = page[page.index("cmr_sponsor_share") :][:1500]
        self.assertIn("text-bg-success", share)
        self.assertNotIn("Not Paid", share)

    def test_other_student_and_sponsor_do_not_see_share(self):
        self._split_contract()
        self.authenticate("tu_other", "tu_other")
        self.assertNotIn("cmr_sponsor_share", self._get("/my/tuition").text)
        # the sponsor sees only consenting students, and its own invoices
        self.authenticate("tu_sponsor", "tu_sponsor")
        self.assertNotIn("Tess Tuition", self._get("/my/sponsored").text)
        self.assertRedirectsTo(self._get(f"/my/sponsored/{self.student.id}"), "/my")
        self.student.cmr_sponsor_consent = True
        self.assertIn("Tess Tuition", self._get("/my/sponsored").text)
        page = self._get(f"/my/sponsored/{self.student.id}").text
        self.assertNotIn("cmr_sponsor_share", page)
        self.assertNotIn('name="instalment_ids"', page)

    def test_tuition_query_count_with_shares_and_checkboxes(self):
        """/my/tuition with invoiced, split instalments: the same number of
        queries for 1 and 12 instalments."""
        self.env["ir.config_parameter"].sudo().set_param(
            "edu_crm.tuition_invoice_mode", "activation"
        )
        (self.contract | self.contract_other).sudo()._edu_cancel("cancel")
        plans = self.env["edu.payment.plan"].create(
            [
                {"name": "1", "plan_type": "upfront"},
                {"name": "12", "plan_type": "monthly", "instalment_count": 12},
            ]
        )
        self.authenticate("tu_student", "tu_student")
        counts = []
        for plan in plans:
            self._contract(
                self.student, plan, [(self.student, 50.0), (self.sponsor_org, 50.0)]
            )
            self._get("/my/tuition")  # warm up
            self.env.flush_all()
            start = self.env.cr.sql_log_count
            page = self._get("/my/tuition").text
            counts.append(self.env.cr.sql_log_count - start)
            shown = self.env["edu.tuition.instalment"].search_count(
                [
                    ("student_id", "=", self.student.id),
                    ("contract_state", "=", "active"),
                ]
            )
            self.assertEqual(page.count("cmr_sponsor_share"), shown)
            self.assertEqual(page.count('name="instalment_ids"'), shown)
        self.assertEqual(counts[0], counts[1], counts)


@tagged("post_install", "-at_install")
class TestTuitionDeferInvoiced(TuitionPayCommon):
    """A deferral of an invoiced, unpaid instalment moves its invoice's due
    date (posted: the receivable line's maturity, reconciliation kept)."""

    def _ask(self, instalment, new_date):
        return self._post(
            "/my/tuition/request",
            {
                "contract_id": str(self.contract.id),
                "request_type": "deferral",
                "instalment_id": str(instalment.id),
                "requested_date": fields.Date.to_string(new_date),
                "reason": "Waiting for my grant",
            },
        )

    def _request(self, instalment, new_date):
        return (
            self.env["cmr.request"]
            .sudo()
            .create(
                {
                    "partner_id": self.student.id,
                    "request_type": "deferral",
                    "contract_id": self.contract.id,
                    "instalment_id": instalment.id,
                    "requested_date": new_date,
                    "description": "Waiting for my grant",
                }
            )
        )

    def _term_lines(self, invoice):
        return invoice.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        )

    def test_defer_invoiced_instalment(self):
        new_date = self.first.due_date + relativedelta(days=10)
        second_date, third_date = self.second.due_date, self.third.due_date
        self.authenticate("tu_student", "tu_student")
        page = self._get("/my/tuition").text
        self.assertRegex(page, rf'<option value="{self.first.id}"')
        response = self._ask(self.first, new_date)
        request = self.env["cmr.request"].search([("partner_id", "=", self.student.id)])
        self.assertRedirectsTo(response, request.access_url)
        request.with_user(self.bursar).action_approve()
        self.assertEqual(request.state, "done")
        self.assertEqual(self.invoice.state, "posted")
        self.assertEqual(self.invoice.invoice_date_due, new_date)
        self.assertEqual(self._term_lines(self.invoice).date_maturity, new_date)
        self.assertEqual(self.first.due_date, new_date)
        self.assertEqual(self.first.invoice_ids, self.invoice)
        instalments = self.contract.instalment_ids.sorted("sequence")
        self.assertEqual(
            instalments.mapped("due_date"),
            [
                new_date,
                second_date + relativedelta(days=10),
                third_date + relativedelta(days=10),
            ],
        )
        self.assertEqual(sum(instalments.mapped("amount")), self.contract.amount_total)

    def test_defer_partially_paid_instalment_keeps_payment(self):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.invoice.ids
        ).create({"amount": 100.0})._create_payments()
        self.assertEqual(self.first.payment_state, "partial")
        residual = self.invoice.amount_residual
        new_date = self.first.due_date + relativedelta(days=5)
        self._request(self.first, new_date).with_user(self.bursar).action_approve()
        self.assertEqual(self.invoice.invoice_date_due, new_date)
        self.assertEqual(self.invoice.amount_residual, residual)
        self.assertEqual(self.invoice.payment_state, "partial")
        self.assertTrue(self._term_lines(self.invoice).matched_credit_ids)
        self.assertEqual(self.first.due_date, new_date)

    def test_defer_paid_or_cancelled_refused(self):
        new_date = self.first.due_date + relativedelta(days=5)
        request = self._request(self.first, new_date)
        self._pay_in_full(self.invoice)
        self.assertEqual(self.first.payment_state, "paid")
        with self.assertRaises(UserError):
            request.with_user(self.bursar).action_approve()
        self.assertEqual(self.invoice.invoice_date_due, self.first.due_date)
        with self.assertRaises(UserError):
            self.first._edu_defer_invoiced(new_date)
        # and the portal form refuses it
        self.authenticate("tu_student", "tu_student")
        response = self._ask(self.first, new_date)
        self.assertEqual(response.status_code, 400)
        self.assertIn('id="cmr_errors"', response.text)
        # a cancelled invoice cannot be deferred either
        other_first = self.contract_other.instalment_ids.sorted("sequence")[0]
        other_first.invoice_ids.button_draft()
        other_first.invoice_ids.button_cancel()
        self.assertEqual(other_first.payment_state, "cancelled")
        with self.assertRaises(UserError):
            other_first._edu_defer_invoiced(new_date)

    def test_due_date_of_invoiced_instalment_follows_invoice_only(self):
        new_date = self.first.due_date + relativedelta(days=3)
        with self.assertRaises(ValidationError):
            self.first.write({"due_date": new_date})
        with self.assertRaises(ValidationError):
            self.second.write({"due_date": new_date})
        self.first._edu_defer_invoiced(new_date)
        self.assertEqual(self.invoice.invoice_date_due, new_date)
        self.assertEqual(self.first.due_date, new_date)
        with self.assertRaises(ValidationError):
            self.first.write({"amount": 1.0})
