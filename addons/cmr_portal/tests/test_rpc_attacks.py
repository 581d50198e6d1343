"""The attacks of the trust review, replayed over real JSON-RPC.

Every call goes through ``/web/dataset/call_kw`` with the session of the
attacker, the way the web client (or a script) calls the models, so that
nothing but the models stands between the caller and the data. Each test
names the finding of the review it replays.
"""

import base64

from odoo import Command, fields
from odoo.tests import JsonRpcException, new_test_user, tagged
from odoo.tools import mute_logger

from .test_tuition_portal import TuitionPortalCommon

# what a refusal looks like to the caller (a ValidationError is the
# instalments' own "only on draft contracts")
REFUSED = (
    "odoo.exceptions.AccessError",
    "odoo.exceptions.UserError",
    "odoo.exceptions.ValidationError",
)


@tagged("post_install", "-at_install")
class TestRpcAttacks(TuitionPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls._setup_rpc_users()
        cls.student.write({"edu_is_student": True, "cmr_sponsor_consent": True})
        cls.enrollment = env["edu.enrollment"].create(
            {
                "partner_id": cls.student.id,
                "programme_id": cls.programme.id,
                "intake_id": env["edu.intake"]
                .create(
                    {
                        "programme_id": cls.programme.id,
                        "name": "RPC intake",
                        "date_start": fields.Date.today(),
                        "date_end": fields.Date.add(fields.Date.today(), years=1),
                    }
                )
                .id,
            }
        )
        cls.enrollment.action_admit()
        cls.enrollment.action_enrol()
        cls.document = env["edu.document"]._edu_issue(
            "enrolment_certificate", cls.student, source=cls.enrollment
        )
        cls.draft_contract = (
            env["edu.tuition.contract"]
            .with_company(cls.company)
            .create(
                {
                    "student_id": cls.student.id,
                    "programme_id": cls.programme.id,
                    "company_id": cls.company.id,
                    "plan_id": cls.contract.plan_id.id,
                    "date_start": fields.Date.today(),
                    "discount": 30.0,
                    "payer_ids": [
                        Command.create({"partner_id": cls.student.id, "share": 100.0})
                    ],
                }
            )
        )

    @classmethod
    def _setup_rpc_users(cls):
        """A mailing user, a pressure manager, a registrar, an employee."""
        env = cls.env
        common = {
            "company_id": cls.company.id,
            "company_ids": [Command.set(cls.company.ids)],
        }
        cls.user_marketing = new_test_user(
            env,
            login="rpc_marketing",
            groups="mass_mailing.group_mass_mailing_user",
            **common,
        )
        cls.user_pressure = new_test_user(
            env,
            login="rpc_pressure",
            groups="campaign_pressure.group_pressure_manager",
            **common,
        )
        # a registrar who also manages contacts (Odoo's merge is theirs)
        cls.user_registrar = new_test_user(
            env,
            login="rpc_registrar",
            groups="edu_crm.group_edu_user,base.group_partner_manager",
            **common,
        )
        cls.user_employee = new_test_user(
            env, login="rpc_employee", groups="base.group_user", **common
        )

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _rpc(self, login, model, method, *args, **kwargs):
        """``model.method(*args, **kwargs)`` over JSON-RPC as ``login``."""
        self.authenticate(login, login)
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def assertRefused(self, login, model, method, *args, **kwargs):  # noqa: N802
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as caught:
            self._rpc(login, model, method, *args, **kwargs)
        self.assertIn(str(caught.exception), REFUSED)
        self.env.invalidate_all()

    # ------------------------------------------------------------------
    # Finding 1: free tuition through the demo payment provider
    # ------------------------------------------------------------------
    def test_f1_no_dependency_on_payment_demo(self):
        module = self.env["ir.module.module"].search([("name", "=", "cmr_portal")])
        needed = set()
        todo = module
        while todo:
            deps = todo.dependencies_id.depend_id
            todo = deps.filtered(lambda m, seen=frozenset(needed): m.name not in seen)
            needed |= set(deps.mapped("name"))
        self.assertNotIn("payment_demo", needed)

    # ------------------------------------------------------------------
    # Finding 2: someone else's preferences through an email the user sets
    # ------------------------------------------------------------------
    def test_f2_traces_follow_the_recipient_not_the_email(self):
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Scholarships",
                "body_html": "<p>Apply</p>",
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
            }
        )
        trace = self.env["mailing.trace"].create(
            {
                "mass_mailing_id": mailing.id,
                "model": "res.partner",
                "res_id": self.student.id,
                "email": self.student.email,
                "trace_status": "sent",
            }
        )
        other = self.user_other.partner_id
        other.sudo().email = self.student.email  # what /my/account lets them do
        found = self._rpc("tu_other", "mailing.trace", "search", [])
        self.assertNotIn(trace.id, found)
        self.assertIn(trace.id, self._rpc("tu_student", "mailing.trace", "search", []))

    # ------------------------------------------------------------------
    # Finding 3: manager decisions by plain field writes
    # ------------------------------------------------------------------
    def test_f3_contract_state_and_terms(self):
        contract = self.contract
        for login in ("tu_clerk", "tu_bursar"):
            for vals in (
                {"state": "cancelled"},
                {"state": "draft"},
                {"scholarship_amount": 500.0},
                {"discount": 50.0},
                {"payer_ids": [Command.create({"partner_id": self.sponsor_org.id})]},
                {"instalment_ids": [Command.delete(contract.instalment_ids[-1].id)]},
            ):
                with self.subTest(login=login, vals=vals):
                    self.assertRefused(
                        login, "edu.tuition.contract", "write", contract.ids, vals
                    )
        self.assertEqual(contract.state, "active")
        self.assertEqual(len(contract.instalment_ids), 3)
        self.assertEqual(len(contract.payer_ids), 1)
        self.assertRefused(
            "tu_clerk", "edu.tuition.contract", "action_close", contract.ids
        )
        self.assertRefused(
            "tu_clerk",
            "edu.tuition.instalment",
            "unlink",
            contract.instalment_ids[-1].ids,
        )
        self.assertRefused(
            "tu_clerk",
            "edu.tuition.payer",
            "create",
            {
                "contract_id": contract.id,
                "partner_id": self.sponsor_org.id,
                "share": 10.0,
            },
        )
        self.assertRefused(
            "tu_clerk",
            "edu.tuition.instalment",
            "create",
            {
                "contract_id": contract.id,
                "due_date": fields.Date.to_string(fields.Date.today()),
                "amount": 1.0,
            },
        )
        self.assertRefused(
            "tu_clerk",
            "edu.tuition.contract",
            "action_activate",
            self.draft_contract.ids,
        )

    def test_f3_other_state_machines(self):
        self.assertRefused(
            "tu_clerk",
            "edu.enrollment",
            "write",
            self.enrollment.ids,
            {"state": "graduated"},
        )
        self.assertRefused(
            "tu_clerk",
            "edu.document",
            "write",
            self.document.ids,
            {"state": "cancelled"},
        )
        self.assertRefused(
            "tu_clerk",
            "edu.intake",
            "write",
            self.enrollment.intake_id.ids,
            {"state": "closed"},
        )
        request = self.env["cmr.request"].create(
            {
                "partner_id": self.student.id,
                "request_type": "other",
                "description": "When is the exam?",
            }
        )
        self.assertRefused(
            "tu_clerk", "cmr.request", "write", request.ids, {"state": "done"}
        )
        self.assertEqual(self.enrollment.state, "enrolled")
        self.assertEqual(self.document.state, "issued")
        self.assertEqual(request.state, "new")

    # ------------------------------------------------------------------
    # Finding 4: bound to someone else's file by a merge
    # ------------------------------------------------------------------
    def test_f4_merge_moving_a_login_needs_the_administrator(self):
        victim = self.env["res.partner"].create(
            {
                "name": "Tess Tuition",
                "email": "tess@example.com",
                "edu_is_student": True,
            }
        )
        wizard_id = self._rpc(
            "rpc_registrar",
            "base.partner.merge.automatic.wizard",
            "create",
            {
                "partner_ids": [Command.set([self.student.id, victim.id])],
                "dst_partner_id": victim.id,
            },
        )
        self.assertRefused(
            "rpc_registrar",
            "base.partner.merge.automatic.wizard",
            "action_merge",
            [wizard_id],
        )
        self.assertTrue(self.student.exists())
        self.assertEqual(self.user_student.partner_id, self.student)

    # ------------------------------------------------------------------
    # Finding 5: context keys from the client
    # ------------------------------------------------------------------
    def test_f5_consent_log_cannot_be_skipped(self):
        logs_before = self.env["cmr.consent.log"].search_count(
            [("partner_id", "=", self.student.id)]
        )
        self._rpc(
            "tu_clerk",
            "res.partner",
            "write",
            self.student.ids,
            {"cmr_sponsor_consent": False},
            context={"cmr_consent_skip_log": True, "cmr_consent_source": "portal"},
        )
        logs = self.env["cmr.consent.log"].search(
            [("partner_id", "=", self.student.id)], order="id desc"
        )
        self.assertEqual(len(logs), logs_before + 1)
        self.assertNotEqual(logs[0].source, "portal")

    # ------------------------------------------------------------------
    # Finding 6: exemptions are a pressure manager's decision
    # ------------------------------------------------------------------
    def test_f6_exempt_only_by_pressure_manager(self):
        mailing_id = self._rpc(
            "rpc_marketing",
            "mailing.mailing",
            "create",
            {
                "subject": "Open day",
                "body_html": "<p>Come</p>",
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
            },
        )
        self.assertRefused(
            "rpc_marketing",
            "mailing.mailing",
            "write",
            [mailing_id],
            {"pressure_exempt": True},
        )
        self.assertRefused(
            "rpc_marketing",
            "mailing.mailing",
            "create",
            {
                "subject": "Exempt",
                "body_html": "<p>x</p>",
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                "pressure_exempt": True,
            },
        )
        self._rpc(
            "rpc_pressure",
            "mailing.mailing",
            "write",
            [mailing_id],
            {"pressure_exempt": True},
        )
        mailing = self.env["mailing.mailing"].browse(mailing_id)
        self.assertTrue(mailing.pressure_exempt)
        self.assertTrue(
            mailing.message_ids.filtered(
                lambda m: m.author_id == self.user_pressure.partner_id
            ),
            "the exemption is logged in the mailing's chatter",
        )

    # ------------------------------------------------------------------
    # Finding 7: forged documents
    # ------------------------------------------------------------------
    def test_f7_issued_pdf_is_immutable(self):
        attachment = self.document.attachment_id
        self.assertTrue(attachment)
        original = attachment.datas
        forged = base64.b64encode(b"%PDF-1.4 forged").decode()
        for login in ("tu_clerk", "tu_bursar"):
            self.assertRefused(
                login, "ir.attachment", "write", attachment.ids, {"datas": forged}
            )
            self.assertRefused(login, "ir.attachment", "unlink", attachment.ids)
        self.assertEqual(attachment.datas, original)

    # ------------------------------------------------------------------
    # Finding 8: the portal reads what the portal shows, nothing more
    # ------------------------------------------------------------------
    def test_f8_sponsor_reads_no_internal_fields(self):
        self.assertRefused(
            "tu_sponsor", "edu.enrollment", "read", self.enrollment.ids, ["reason"]
        )
        self.assertRefused(
            "tu_sponsor",
            "edu.tuition.contract",
            "read",
            self.contract.ids,
            ["discount"],
        )
        visible = self._rpc("tu_sponsor", "edu.tuition.contract", "search", [])
        self.assertIn(self.contract.id, visible)
        self.assertNotIn(self.draft_contract.id, visible)
        own = self._rpc("tu_student", "edu.tuition.contract", "search", [])
        self.assertNotIn(self.draft_contract.id, own)

    def test_f8_student_reads_no_scoring_nor_duplicates(self):
        for field in (
            "edu_duplicate_ids",
            "edu_payment_segment",
            "edu_engagement_segment",
            "edu_ontime_rate",
            "pressure_cooldown_reason",
        ):
            with self.subTest(field=field):
                self.assertRefused(
                    "tu_student", "res.partner", "read", self.student.ids, [field]
                )

    # ------------------------------------------------------------------
    # Finding 9: the rest
    # ------------------------------------------------------------------
    def test_f9_forecast_action_is_the_bursars(self):
        for login in ("tu_student", "rpc_employee", "tu_clerk"):
            with self.subTest(login=login):
                self.assertRefused(login, "edu.cashin.forecast", "action_open_forecast")
        action = self._rpc("tu_bursar", "edu.cashin.forecast", "action_open_forecast")
        self.assertEqual(action["res_model"], "edu.cashin.forecast")

    def test_f9_request_document_is_not_writable(self):
        request = self.env["cmr.request"].create(
            {
                "partner_id": self.user_other.partner_id.id,
                "request_type": "other",
                "description": "Anything",
            }
        )
        self.assertRefused(
            "tu_clerk",
            "cmr.request",
            "write",
            request.ids,
            {"document_id": self.document.id},
        )
        self.assertFalse(request.document_id)

    def test_f9_consent_log_is_not_for_every_employee(self):
        self.assertRefused("rpc_employee", "cmr.consent.log", "search_read", [])
