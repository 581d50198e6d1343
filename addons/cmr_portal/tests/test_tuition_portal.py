from dateutil.relativedelta import relativedelta
from odoo import Command, fields
from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.exceptions import AccessError
from odoo.http import Request
from odoo.tests import new_test_user, tagged

NON_EXISTENT = 999999999


class TuitionPortalCommon(AccountTestInvoicingHttpCommon):
    """An accounting company with a student, another student, a sponsor, a
    bursar and a clerk, and one active contract (3 monthly instalments, the
    first one invoiced) for each student."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = cls.company_data["company"]
        env["ir.config_parameter"].sudo().set_param(
            "edu_crm.tuition_invoice_days_before", "14"
        )
        env["ir.config_parameter"].sudo().set_param(
            "edu_crm.tuition_invoice_mode", "cron"
        )
        env.user.groups_id += env.ref("edu_crm.group_edu_manager")
        cls._setup_tuition_portal_users()
        product = env["product.product"].create(
            {
                "name": "Tuition MSc",
                "type": "service",
                "lst_price": 900.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.programme = env["edu.programme"].create(
            {
                "code": "MSC-P",
                "name": "MSc Portal",
                "product_id": product.id,
                "company_id": cls.company.id,
            }
        )
        plan = env["edu.payment.plan"].create(
            {"name": "3 months", "plan_type": "monthly", "instalment_count": 3}
        )
        cls.today = fields.Date.today()
        cls.contract = cls._contract(cls.student, plan, [(cls.student, 100.0)])
        cls.contract_other = cls._contract(
            cls.user_other.partner_id, plan, [(cls.user_other.partner_id, 100.0)]
        )
        cls.first, cls.second, cls.third = cls.contract.instalment_ids.sorted(
            "sequence"
        )
        cls.invoice = cls.first.invoice_ids
        cls._setup_demo_provider()

    @classmethod
    def _setup_tuition_portal_users(cls):
        """Two portal students, a bursar, a clerk, a sponsor's portal contact."""
        env = cls.env
        common = {
            "company_id": cls.company.id,
            "company_ids": [Command.set(cls.company.ids)],
        }
        cls.user_student = new_test_user(
            env,
            login="tu_student",
            groups="base.group_portal",
            name="Tess Tuition",
            email="tess@example.com",
            **common,
        )
        cls.student = cls.user_student.partner_id
        cls.user_other = new_test_user(
            env,
            login="tu_other",
            groups="base.group_portal",
            name="Olga Other",
            email="olga@example.com",
            **common,
        )
        cls.bursar = new_test_user(
            env, login="tu_bursar", groups="edu_crm.group_edu_manager", **common
        )
        cls.clerk = new_test_user(
            env, login="tu_clerk", groups="edu_crm.group_edu_user", **common
        )
        cls.sponsor_org = env["res.partner"].create(
            {"name": "Globex Sponsor", "is_company": True, "edu_is_sponsor": True}
        )
        cls.user_sponsor = new_test_user(
            env,
            login="tu_sponsor",
            groups="base.group_portal",
            name="Gus Globex",
            email="gus@globex.example.com",
            **common,
        )
        cls.user_sponsor.partner_id.parent_id = cls.sponsor_org
        cls.student.edu_sponsor_ids = [Command.link(cls.sponsor_org.id)]

    @classmethod
    def _setup_demo_provider(cls):
        env = cls.env
        # a test-mode provider: Odoo's demo one, which cmr_portal does not
        # depend on (devtool's test command installs payment_demo beside it)
        if not env["ir.module.module"].search_count(
            [("name", "=", "payment_demo"), ("state", "=", "installed")]
        ):
            raise AssertionError(
                "payment_demo is not installed: the tuition payment tests and "
                "tours need it; install it with the addons "
                "(-i edu_crm,campaign_pressure,cmr_portal,payment_demo)"
            )
        cls.provider = (
            env.ref("payment.payment_provider_demo")
            .sudo()
            .copy({"company_id": cls.company.id, "state": "test", "is_published": True})
        )

    @classmethod
    def _contract(cls, student, plan, payers):
        contract = (
            cls.env["edu.tuition.contract"]
            .with_company(cls.company)
            .create(
                {
                    "student_id": student.id,
                    "programme_id": cls.programme.id,
                    "company_id": cls.company.id,
                    "plan_id": plan.id,
                    "date_start": cls.today,
                    "payer_ids": [
                        Command.create({"partner_id": p.id, "share": share})
                        for p, share in payers
                    ],
                }
            )
        )
        contract.action_generate_schedule()
        contract.action_activate()
        return contract

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def _post(self, url, data):
        return self.url_open(
            url,
            data=dict(data, csrf_token=Request.csrf_token(self)),
            allow_redirects=False,
        )

    def assertRedirectsTo(self, response, path):  # noqa: N802
        self.assertIn(response.status_code, (302, 303), response.text[:500])
        self.assertIn(path, response.headers["Location"])


@tagged("post_install", "-at_install")
class TestTuitionPortal(TuitionPortalCommon):
    """Tuition in the portal: schedule, invoices, payment through the demo
    provider, deferral and reschedule approved in the backend, sponsors."""

    def test_schedule_and_invoices_shown(self):
        self.assertEqual(self.first.payment_state, "not_paid")
        self.assertEqual(self.second.payment_state, "to_invoice")
        self.authenticate("tu_student", "tu_student")
        response = self._get("/my/tuition")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.contract.name, response.text)
        self.assertNotIn(self.contract_other.name, response.text)
        self.assertEqual(response.text.count("cmr_instalment_row"), 3)
        self.assertIn(self.invoice.name, response.text)
        self.assertIn("cmr_pay", response.text)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["cmr_contract_count"]}
        )
        self.assertEqual(counters["cmr_contract_count"], 1)

    def test_pay_instalment_with_demo_provider(self):
        self.authenticate("tu_student", "tu_student")
        processing = self.make_jsonrpc_request(
            f"/invoice/transaction/{self.invoice.id}",
            {
                "access_token": self.invoice._portal_ensure_token(),
                "provider_id": self.provider.id,
                "payment_method_id": self.provider.payment_method_ids[:1].id,
                "token_id": None,
                "amount": self.invoice.amount_residual,
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": self.invoice.get_portal_url(),
            },
        )
        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {
                "reference": processing["reference"],
                "payment_details": "4242",
                "simulated_state": "done",
            },
        )
        transaction = (
            self.env["payment.transaction"]
            .sudo()
            .search([("reference", "=", processing["reference"])])
        )
        self.assertEqual(transaction.state, "done")
        transaction._post_process()
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))
        self.first.invalidate_recordset()
        self.assertEqual(self.first.payment_state, "paid")
        self.assertEqual(self.second.payment_state, "to_invoice")

    def test_deferral_request_approved(self):
        self.authenticate("tu_student", "tu_student")
        new_date = self.second.due_date + relativedelta(days=20)
        third_date = self.third.due_date
        response = self._post(
            "/my/tuition/request",
            {
                "contract_id": str(self.contract.id),
                "request_type": "deferral",
                "instalment_id": str(self.second.id),
                "requested_date": fields.Date.to_string(new_date),
                "reason": "Scholarship paid late",
            },
        )
        request = self.env["cmr.request"].search([("partner_id", "=", self.student.id)])
        self.assertRedirectsTo(response, request.access_url)
        self.assertEqual(request.request_type, "deferral")
        # a clerk cannot approve, the bursar can
        with self.assertRaises(AccessError):
            request.with_user(self.clerk).action_approve()
        request.with_user(self.bursar).action_approve()
        self.assertEqual(request.state, "done")
        instalments = self.contract.instalment_ids.sorted("sequence")
        self.assertEqual(len(instalments), 3)
        self.assertEqual(instalments[0], self.first)
        self.assertEqual(instalments[1].due_date, new_date)
        self.assertEqual(instalments[2].due_date, third_date + relativedelta(days=20))
        self.assertEqual(sum(instalments.mapped("amount")), self.contract.amount_total)

    def test_reschedule_request_approved(self):
        request = (
            self.env["cmr.request"]
            .sudo()
            .create(
                {
                    "partner_id": self.student.id,
                    "request_type": "reschedule",
                    "contract_id": self.contract.id,
                    "requested_date": self.today + relativedelta(months=2),
                    "requested_count": 4,
                    "description": "Smaller amounts please",
                }
            )
        )
        open_total = self.second.amount + self.third.amount
        request.with_user(self.bursar).action_approve()
        instalments = self.contract.instalment_ids.sorted("sequence")
        self.assertEqual(len(instalments), 5)
        new = instalments - self.first
        self.assertEqual(set(new.mapped("payment_state")), {"to_invoice"})
        self.assertAlmostEqual(sum(new.mapped("amount")), open_total)
        self.assertEqual(
            new.sorted("sequence")[0].due_date, self.today + relativedelta(months=2)
        )
        self.assertEqual(self.contract.amount_total, sum(instalments.mapped("amount")))

    def test_tuition_request_crafted(self):
        self.authenticate("tu_student", "tu_student")
        valid = {
            "contract_id": str(self.contract.id),
            "request_type": "deferral",
            "instalment_id": str(self.second.id),
            "requested_date": fields.Date.to_string(
                self.second.due_date + relativedelta(days=5)
            ),
            "reason": "Because",
        }
        crafted = [
            {"contract_id": str(self.contract_other.id)},
            {"contract_id": "abc"},
            {"contract_id": str(NON_EXISTENT)},
            {"contract_id": "-3"},
            {"request_type": "<script>"},
            {"instalment_id": str(self.contract_other.instalment_ids[1].id)},
            {"instalment_id": "9" * 40},
            {"requested_date": "tomorrow"},
            {"requested_date": "2020-02-31"},
            {
                "requested_date": fields.Date.to_string(
                    self.second.due_date - relativedelta(days=1)
                )
            },
            {"requested_date": "9999-12-31"},
            {"reason": ""},
            {"reason": "x" * 5000},
            {"request_type": "reschedule", "requested_count": "0"},
            {"request_type": "reschedule", "requested_count": "1000"},
            {"request_type": "reschedule", "requested_count": "two"},
        ]
        for values in crafted:
            with self.subTest(values=values):
                response = self._post("/my/tuition/request", dict(valid, **values))
                self.assertEqual(response.status_code, 400)
                self.assertIn('id="cmr_errors"', response.text)
        self.assertFalse(
            self.env["cmr.request"].search([("partner_id", "=", self.student.id)])
        )

    def test_sponsor_sees_tuition_with_consent_only(self):
        url = f"/my/sponsored/{self.student.id}"
        self.authenticate("tu_sponsor", "tu_sponsor")
        self.assertRedirectsTo(self._get(url), "/my")
        self.assertFalse(
            self.env["edu.tuition.contract"].with_user(self.user_sponsor).search([])
        )
        self.student.cmr_sponsor_consent = True
        response = self._get(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.contract.name, response.text)
        self.assertNotIn(self.contract_other.name, response.text)
        # the student pays the invoices, not the sponsor:
        # no invoice of the student is shown
        self.assertNotIn(self.invoice.name, response.text)
        self.assertEqual(
            self.env["edu.tuition.contract"].with_user(self.user_sponsor).search([]),
            self.contract,
        )

    def test_sponsor_sees_and_pays_its_invoices(self):
        plan = self.env["edu.payment.plan"].create(
            {"name": "Upfront", "plan_type": "upfront"}
        )
        self.contract.sudo()._edu_cancel("cancel")
        contract = self._contract(self.student, plan, [(self.sponsor_org, 100.0)])
        invoice = contract.instalment_ids.invoice_ids
        self.assertEqual(invoice.partner_id, self.sponsor_org)
        self.student.cmr_sponsor_consent = True
        self.authenticate("tu_sponsor", "tu_sponsor")
        response = self._get(f"/my/sponsored/{self.student.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(contract.name, response.text)
        self.assertIn(invoice.name, response.text)
        self.assertIn("cmr_pay", response.text)
        # the student sees the schedule but not the sponsor's invoice
        self.authenticate("tu_student", "tu_student")
        response = self._get("/my/tuition")
        self.assertIn(contract.name, response.text)
        self.assertNotIn(invoice.name, response.text)

    def test_tuition_query_count_constant(self):
        """/my/tuition runs the same number of queries for 1 and 50 instalments."""
        self.authenticate("tu_student", "tu_student")
        plan = self.env["edu.payment.plan"].create(
            {"name": "50", "plan_type": "monthly", "instalment_count": 50}
        )
        (self.contract | self.contract_other).sudo()._edu_cancel("cancel")
        counts = []
        for plan_used in (
            self.env["edu.payment.plan"].create({"name": "1", "plan_type": "upfront"}),
            plan,
        ):
            contract = self._contract(self.student, plan_used, [(self.student, 100.0)])
            self._get("/my/tuition")  # warm up
            self.env.flush_all()
            start = self.env.cr.sql_log_count
            response = self._get("/my/tuition")
            counts.append(self.env.cr.sql_log_count - start)
            shown = self.env["edu.tuition.instalment"].search_count(
                [("student_id", "=", self.student.id)]
            )
            self.assertEqual(response.text.count("cmr_instalment_row"), shown)
            self.assertIn(contract.name, response.text)
        self.assertEqual(counts[0], counts[1], counts)
