"""Issue 12, portal findings: the student's and the sponsor's tuition pages
tell the truth, read off the rendered HTML.

1. The deferral/new schedule form is offered only where a request can be
   granted, and the model refuses the others (at creation and approval).
2. A bad "Pay the selected instalments" answers the tuition page with the
   message by the form and what the person ticked.
4. and 5. (one word for "paid", every figure adds up): in
   test_tuition_page_figures.py."""

from dateutil.relativedelta import relativedelta
from lxml import html
from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .test_tuition_portal import NON_EXISTENT, TuitionPortalCommon


class TuitionTruthCommon(TuitionPortalCommon):
    def _pay_in_full(self, invoices):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoices.ids
        ).create({"group_payment": False})._create_payments()

    def _settle(self, contract):
        """Invoice and pay every instalment of ``contract``: it closes."""
        for instalment in contract.instalment_ids:
            if not instalment.invoice_ids:
                instalment._edu_create_invoices()
        self._pay_in_full(contract.instalment_ids.invoice_ids)
        self.assertEqual(contract.state, "closed")

    def _tree(self, url, status=200):
        response = self._get(url)
        self.assertEqual(response.status_code, status, response.text[:300])
        return html.fromstring(response.text)


@tagged("post_install", "-at_install")
class TestScheduleRequestOffered(TuitionTruthCommon):
    """Finding 1: the request form only where a request can be granted."""

    def _request_values(self, contract, **values):
        return dict(
            {
                "partner_id": self.student.id,
                "request_type": "deferral",
                "contract_id": contract.id,
                "instalment_id": contract.instalment_ids.sorted("sequence")[-1].id,
                "requested_date": self.today + relativedelta(months=6),
                "description": "Scholarship paid late",
            },
            **values,
        )

    def test_closed_paid_contract_offers_no_request(self):
        self._settle(self.contract)
        self.authenticate("tu_student", "tu_student")
        tree = self._tree("/my/tuition")
        self.assertEqual(len(tree.xpath("//tr[hasclass('cmr_instalment_row')]")), 3)
        self.assertFalse(tree.xpath("//form[@id='cmr_schedule_request_form']"))
        self.assertTrue(tree.xpath("//*[@id='cmr_no_schedule_change']"))
        # a crafted post: refused by the model, the message on the page
        last = self.contract.instalment_ids.sorted("sequence")[-1]
        response = self._post(
            "/my/tuition/request",
            {
                "contract_id": str(self.contract.id),
                "request_type": "deferral",
                "instalment_id": str(last.id),
                "requested_date": fields.Date.to_string(
                    last.due_date + relativedelta(days=10)
                ),
                "reason": "Because",
            },
        )
        self.assertEqual(response.status_code, 400)
        errors = html.fromstring(response.text).get_element_by_id("cmr_errors")
        self.assertIn(f"Contract {self.contract.name} is closed", errors.text_content())
        self.assertFalse(
            self.env["cmr.request"].search([("partner_id", "=", self.student.id)])
        )

    def test_model_refuses_a_request_on_a_closed_contract(self):
        self._settle(self.contract)
        for request_type in ("deferral", "reschedule"):
            values = self._request_values(
                self.contract, request_type=request_type, requested_count=2
            )
            with self.subTest(request_type=request_type):
                # whoever creates it: the server for the portal, or the staff
                with self.assertRaisesRegex(
                    ValidationError, "only the schedule of an active contract"
                ):
                    self.env["cmr.request"].sudo().create(dict(values))
                with self.assertRaisesRegex(ValidationError, "is closed"):
                    self.env["cmr.request"].with_user(self.clerk).create(dict(values))

    def test_approval_refused_once_the_contract_is_paid(self):
        request = (
            self.env["cmr.request"]
            .sudo()
            .create(self._request_values(self.contract, instalment_id=self.third.id))
        )
        self._settle(self.contract)
        with self.assertRaisesRegex(ValidationError, "is closed"):
            request.with_user(self.bursar).action_approve()
        self.assertEqual(request.state, "new")
        self.assertEqual(
            self.contract.instalment_ids.sorted("sequence").mapped("due_date"),
            [self.first.due_date, self.second.due_date, self.third.due_date],
        )

    def test_only_instalments_that_can_move_are_offered(self):
        """The paid first instalment is not offered for a deferral; once
        every instalment is invoiced, no new schedule is offered and the
        model refuses one."""
        self._pay_in_full(self.invoice)
        self.assertEqual(self.contract.state, "active")
        self.authenticate("tu_student", "tu_student")
        tree = self._tree("/my/tuition")
        offered = tree.xpath("//select[@id='cmr_instalment']/option/@value")
        self.assertEqual(offered, [str(self.second.id), str(self.third.id)])
        self.assertEqual(
            tree.xpath("//select[@id='cmr_contract']/option/@value"),
            [str(self.contract.id)],
        )
        self.assertTrue(tree.xpath("//input[@id='cmr_type_reschedule']"))
        (self.second | self.third)._edu_create_invoices()
        tree = self._tree("/my/tuition")
        self.assertTrue(tree.xpath("//form[@id='cmr_schedule_request_form']"))
        self.assertFalse(tree.xpath("//input[@id='cmr_type_reschedule']"))
        self.assertFalse(tree.xpath("//input[@id='cmr_requested_count']"))
        with self.assertRaisesRegex(ValidationError, "already invoiced"):
            self.env["cmr.request"].sudo().create(
                self._request_values(
                    self.contract, request_type="reschedule", requested_count=2
                )
            )
        # and a deferral of the paid instalment is refused
        with self.assertRaisesRegex(ValidationError, "paid or cancelled"):
            self.env["cmr.request"].sudo().create(
                self._request_values(self.contract, instalment_id=self.first.id)
            )

    def test_refused_request_keeps_what_was_typed(self):
        self.authenticate("tu_student", "tu_student")
        date = self.third.due_date + relativedelta(days=400)  # too far
        response = self._post(
            "/my/tuition/request",
            {
                "contract_id": str(self.contract.id),
                "request_type": "deferral",
                "instalment_id": str(self.third.id),
                "requested_date": fields.Date.to_string(date),
                "reason": "My bank is late",
            },
        )
        self.assertEqual(response.status_code, 400)
        tree = html.fromstring(response.text)
        self.assertTrue(tree.xpath("//*[@id='cmr_errors']"))
        self.assertEqual(
            tree.xpath("//select[@id='cmr_instalment']/option[@selected]/@value"),
            [str(self.third.id)],
        )
        self.assertEqual(
            tree.xpath("//input[@id='cmr_requested_date']/@value"),
            [fields.Date.to_string(date)],
        )
        self.assertEqual(
            tree.xpath("//textarea[@id='cmr_reason']")[0].text, "My bank is late"
        )


@tagged("post_install", "-at_install")
class TestPayFormMessages(TuitionTruthCommon):
    """Finding 2: a bad payment selection answers the tuition page, HTTP 400,
    the message in the payment form, the person's ticks kept."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.second._edu_create_invoices()

    def _pay(self, *values):
        query = "&".join(f"instalment_ids={value}" for value in values)
        return self._tree(f"/my/tuition/pay?{query}", status=400)

    def _ticked(self, tree):
        return tree.xpath("//input[hasclass('cmr_pay_select')][@checked]/@value")

    def _message(self, tree):
        found = tree.xpath("//form[@id='cmr_pay_form']//*[@id='cmr_pay_errors']")
        self.assertEqual(len(found), 1, "the message is in the payment form")
        return " ".join(found[0].text_content().split())

    def test_nothing_ticked(self):
        self.authenticate("tu_student", "tu_student")
        for values in ((), ("",)):
            with self.subTest(values=values):
                tree = self._pay(*values)
                self.assertIn(
                    "Tick at least one instalment to pay.", self._message(tree)
                )
                # the whole tuition page, not a bare one
                self.assertEqual(
                    len(tree.xpath("//tr[hasclass('cmr_instalment_row')]")), 3
                )
                self.assertTrue(tree.xpath("//button[@id='cmr_pay_selected']"))
                self.assertEqual(self._ticked(tree), [])
        # the form opens the answer at itself (a GET keeps the fragment)
        tree = self._tree("/my/tuition")
        self.assertEqual(
            tree.xpath("//form[@id='cmr_pay_form']/@action"),
            ["/my/tuition/pay#cmr_pay_form"],
        )
        self.assertFalse(tree.xpath("//*[@id='cmr_pay_errors']"))

    def test_ticks_are_kept(self):
        other = self.contract_other.instalment_ids.sorted("sequence")[0]
        other_invoice = other.invoice_ids
        self.assertTrue(other_invoice)
        self.authenticate("tu_student", "tu_student")
        for values, message in (
            ((self.second.id, other.id), "Choose among the instalments shown"),
            ((self.first.id, NON_EXISTENT), "Choose among the instalments shown"),
            ((self.first.id, "abc"), "Choose among the instalments shown"),
            ((self.first.id, self.third.id), "not invoiced yet"),
        ):
            with self.subTest(values=values):
                tree = self._pay(*values)
                self.assertIn(message, self._message(tree))
                # what the person ticked and the page offers is ticked again
                own = [str(v) for v in values if v in (self.first.id, self.second.id)]
                self.assertEqual(self._ticked(tree), own)
                self.assertNotIn(other_invoice.name, tree.text_content())
        # paid in the meantime: the other one stays ticked
        self._pay_in_full(self.invoice)
        tree = self._pay(self.first.id, self.second.id)
        self.assertIn("already paid", self._message(tree))
        self.assertEqual(self._ticked(tree), [str(self.second.id)])

    def test_message_without_the_form(self):
        """Nothing to pay online any more: the message is on the page."""
        self._pay_in_full(self.invoice | self.second.invoice_ids)
        self.authenticate("tu_student", "tu_student")
        tree = self._pay(self.first.id)
        self.assertFalse(tree.xpath("//form[@id='cmr_pay_form']"))
        self.assertIn(
            "already paid",
            tree.get_element_by_id("cmr_pay_errors").text_content(),
        )

    def test_tour_pay_with_nothing_ticked(self):
        self.start_tour(
            "/my/tuition", "cmr_portal_pay_nothing_ticked", login="tu_student"
        )
