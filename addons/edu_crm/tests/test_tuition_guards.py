from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .test_tuition_common import TuitionCommon


class TuitionGuardsCommon(TuitionCommon):
    """Contracts in each state for the guards: active and invoiced
    (``active``), active with nothing invoiced yet (``upcoming``), a draft;
    a portal user and an employee."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ICP = cls.env["ir.config_parameter"].sudo()
        # active and fully invoiced: two payers, three instalments
        ICP.set_param("edu_crm.tuition_invoice_mode", "activation")
        cls.active = cls._contract(
            plan=cls.plan_monthly_3,
            payers=[(cls.student, 40.0), (cls.sponsor, 60.0)],
        )
        cls.active.with_user(cls.bursar).action_activate()
        # active, nothing invoiced yet: every instalment is still "to invoice"
        ICP.set_param("edu_crm.tuition_invoice_mode", "cron")
        cls.upcoming = cls._contract(
            plan=cls.plan_monthly_3,
            student_id=cls.student_2.id,
            payers=[(cls.student_2, 100.0)],
            date_start=fields.Date.today() + timedelta(days=120),
        )
        cls.upcoming.with_user(cls.bursar).action_activate()
        cls.draft = cls._contract(user=cls.clerk)
        cls.portal = new_test_user(
            cls.env, login="guard_portal", groups="base.group_portal"
        )
        cls.employee = new_test_user(
            cls.env, login="guard_employee", groups="base.group_user"
        )

    def _values(self, record, names):
        return record.sudo().read(names)[0]


@tagged("post_install", "-at_install")
class TestTuitionGuards(TuitionGuardsCommon):
    """What an Education User (``clerk``) or Manager (``bursar``) can send
    over JSON-RPC without the buttons: plain ``write``, ``create`` and
    ``unlink`` calls. The models refuse them and nothing changes; the
    transition methods stay the only way to move a contract."""

    # ------------------------------------------------------------------
    # Contract state: transitions only
    # ------------------------------------------------------------------
    def test_clerk_cannot_cancel_reset_discount_reactivate(self):
        """The attack of the issue: cancel by a write, back to draft, give a
        scholarship, activate again; every step is refused."""
        contract = self.active.with_user(self.clerk)
        for state in ("cancelled", "draft", "closed", "active"):
            with self.subTest(state=state):
                with self.assertRaisesRegex(AccessError, "only through its actions"):
                    contract.write({"state": state})
        with self.assertRaisesRegex(UserError, "only change in draft"):
            contract.write({"scholarship_amount": 1000.0})
        self.assertRecordValues(
            self.active, [{"state": "active", "scholarship_amount": 0.0}]
        )
        self.assertEqual(set(self.active.invoice_ids.mapped("state")), {"posted"})

    def test_manager_changes_state_only_through_actions(self):
        for contract, state in (
            (self.active, "cancelled"),
            (self.active, "closed"),
            (self.active, "draft"),
            (self.draft, "active"),
        ):
            with self.subTest(contract=contract.name, state=state):
                before = contract.state
                with self.assertRaisesRegex(AccessError, "only through its actions"):
                    contract.with_user(self.bursar).write({"state": state})
                self.assertEqual(contract.state, before)
        # the draft one skipped the checks of action_activate: no invoice
        self.assertFalse(self.draft.invoice_ids)

    def test_workflow_fields_not_writable(self):
        """The reference, the issued contract PDF and the suspension flag of
        the reminder ladder are the system's."""
        document = self.active.document_id
        self.assertTrue(document)
        for user in (self.clerk, self.bursar):
            for vals in (
                {"suspension_proposed": True},
                {"document_id": False},
                {"name": "TC/FORGED"},
                {"amount_total": 1.0},
            ):
                with self.subTest(user=user.login, vals=vals):
                    with self.assertRaisesRegex(AccessError, "only through its"):
                        self.active.with_user(user).write(vals)
        self.assertRecordValues(
            self.active,
            [
                {
                    "suspension_proposed": False,
                    "document_id": document.id,
                    "amount_total": 1000.0,
                }
            ],
        )
        self.assertNotEqual(self.active.name, "TC/FORGED")

    def test_create_or_copy_in_a_state_refused(self):
        Contract = self.env["edu.tuition.contract"].with_company(self.company)
        values = {
            "student_id": self.student_2.id,
            "programme_id": self.programme.id,
            "company_id": self.company.id,
        }
        for user in (self.clerk, self.bursar):
            for extra in (
                {"state": "active"},
                {"state": "closed"},
                {"name": "TC/FORGED"},
                {"suspension_proposed": True},
                {"document_id": self.active.document_id.id},
                {"amount_total": 1.0},
            ):
                with self.subTest(user=user.login, extra=extra):
                    with self.assertRaisesRegex(AccessError, "only through its"):
                        Contract.with_user(user).create(dict(values, **extra))
            with self.assertRaisesRegex(AccessError, "only through its actions"):
                self.draft.with_user(user).copy({"state": "active"})
        self.assertFalse(
            Contract.search(
                [("student_id", "=", self.student_2.id), ("state", "!=", "draft")]
            )
            - self.upcoming
        )
        # the default values a form sends are fine
        contract = Contract.with_user(self.clerk).create(
            dict(values, state="draft", name="/", suspension_proposed=False)
        )
        self.assertEqual(contract.state, "draft")
        self.assertTrue(contract.name.startswith("TC/"))

    # ------------------------------------------------------------------
    # Terms: frozen once the contract leaves draft
    # ------------------------------------------------------------------
    def test_terms_of_active_contract_frozen(self):
        other_product = self.product_tuition.copy({"name": "Cheap tuition"})
        first = self.upcoming.instalment_ids.sorted("sequence")[0]
        attacks = (
            {"plan_id": self.plan_upfront.id},
            {"student_id": self.student.id},
            {"date_start": fields.Date.to_string(fields.Date.today())},
            {"product_id": other_product.id},
            {"discount": 50.0},
            {"scholarship_amount": 100.0},
            {"list_price": 1.0},
            {"payer_ids": [Command.create({"partner_id": self.sponsor.id})]},
            {"instalment_ids": [Command.delete(first.id)]},
            {
                "instalment_ids": [
                    Command.create({"due_date": first.due_date, "amount": 1.0})
                ]
            },
        )
        terms = ["plan_id", "student_id", "date_start", "product_id", "amount_total"]
        before = self._values(self.upcoming, terms)
        for user in (self.clerk, self.bursar):
            for vals in attacks:
                with self.subTest(user=user.login, vals=list(vals)):
                    with self.assertRaisesRegex(UserError, "only change in draft"):
                        self.upcoming.with_user(user).write(vals)
        self.assertEqual(self._values(self.upcoming, terms), before)
        self.assertEqual(len(self.upcoming.instalment_ids), 3)
        self.assertEqual(self.upcoming.payer_ids.partner_id, self.student_2)
        # what stays open on an active contract: the bursar and the notes
        self.upcoming.with_user(self.clerk).write(
            {"user_id": self.clerk.id, "note": "<p>Called the student</p>"}
        )
        self.assertEqual(self.upcoming.user_id, self.clerk)

    def test_instalments_of_active_contract_frozen(self):
        first, second, third = self.upcoming.instalment_ids.sorted("sequence")
        draft_instalment = self.draft.instalment_ids
        for user in (self.clerk, self.bursar):
            Instalment = self.env["edu.tuition.instalment"].with_user(user)
            with self.subTest(user=user.login, attack="create"):
                with self.assertRaisesRegex(ValidationError, "draft contracts"):
                    Instalment.create(
                        {
                            "contract_id": self.upcoming.id,
                            "due_date": third.due_date,
                            "amount": 1.0,
                        }
                    )
            with self.subTest(user=user.login, attack="unlink"):
                with self.assertRaisesRegex(ValidationError, "draft contracts"):
                    third.with_user(user).unlink()
            for vals in ({"sequence": 99}, {"amount": 1.0}, {"due_date": "2030-01-01"}):
                with self.subTest(user=user.login, vals=vals):
                    with self.assertRaisesRegex(ValidationError, "draft contracts"):
                        third.with_user(user).write(vals)
            with self.subTest(user=user.login, attack="move into the contract"):
                with self.assertRaisesRegex(AccessError, "set by the system"):
                    draft_instalment.with_user(user).write(
                        {"contract_id": self.upcoming.id}
                    )
        self.assertEqual(self.upcoming.instalment_ids, first | second | third)
        self.assertEqual(
            sum(self.upcoming.instalment_ids.mapped("amount")),
            self.upcoming.amount_total,
        )
        self.assertEqual(third.sequence, 3)
        self.assertEqual(draft_instalment.contract_id, self.draft)

    def test_payers_of_active_contract_frozen(self):
        payer = self.active.payer_ids.filtered(lambda p: p.partner_id == self.sponsor)
        for user in (self.clerk, self.bursar):
            Payer = self.env["edu.tuition.payer"].with_user(user)
            with self.assertRaisesRegex(UserError, "only change in draft"):
                Payer.create(
                    {
                        "contract_id": self.active.id,
                        "partner_id": self.student_2.id,
                        "share": 10.0,
                    }
                )
            with self.assertRaisesRegex(UserError, "only change in draft"):
                payer.with_user(user).write({"share": 10.0})
            with self.assertRaisesRegex(UserError, "only change in draft"):
                payer.with_user(user).unlink()
        self.assertEqual(len(self.active.payer_ids), 2)
        self.assertEqual(payer.share, 60.0)

    def test_computed_and_related_fields_not_writable(self):
        """Payment states, amounts and the student of an instalment (the key
        of the portal's record rules) follow the contract and the invoices."""
        instalment = self.upcoming.instalment_ids.sorted("sequence")[0]
        draft_instalment = self.draft.instalment_ids
        draft_payer = self.draft.payer_ids
        for user in (self.clerk, self.bursar):
            for record, vals in (
                (instalment, {"payment_state": "paid"}),
                (instalment, {"amount_paid": 1000.0}),
                (instalment, {"amount_residual": 0.0}),
                (instalment, {"student_id": self.student.id}),
                (instalment, {"contract_state": "cancelled"}),
                (draft_instalment, {"payment_state": "paid"}),
                (draft_instalment, {"student_id": self.student_2.id}),
                (draft_payer, {"is_sponsor": True}),
                (draft_payer, {"contract_id": self.upcoming.id}),
                (self.draft, {"amount_total": 0.0}),
            ):
                with self.subTest(user=user.login, model=record._name, vals=vals):
                    with self.assertRaisesRegex(AccessError, "set by the system"):
                        record.with_user(user).write(vals)
        self.assertRecordValues(
            instalment,
            [
                {
                    "payment_state": "to_invoice",
                    "amount_paid": 0.0,
                    "student_id": self.student_2.id,
                    "contract_state": "active",
                }
            ],
        )
        self.assertEqual(draft_instalment.payment_state, "to_invoice")
        self.assertFalse(draft_payer.is_sponsor)
        self.assertEqual(self.draft.amount_total, 1000.0)

    def test_invoice_link_not_writable(self):
        """An Education User is a billing user: moving a paid invoice to
        another instalment, or linking a new one, would mark it paid."""
        invoice = self.active.invoice_ids[0]
        instalment = invoice.edu_instalment_id
        target = self.upcoming.instalment_ids.sorted("sequence")[0]
        for user in (self.clerk, self.bursar):
            with self.assertRaisesRegex(AccessError, "tuition invoicing"):
                invoice.with_user(user).write({"edu_instalment_id": target.id})
            with self.assertRaisesRegex(AccessError, "tuition invoicing"):
                invoice.with_user(user).write({"edu_contract_id": self.upcoming.id})
            with self.assertRaisesRegex(AccessError, "tuition invoicing"):
                self.env["account.move"].with_user(user).create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": self.student_2.id,
                        "edu_instalment_id": target.id,
                        "invoice_line_ids": [
                            Command.create({"name": "Forged", "price_unit": 1.0})
                        ],
                    }
                )
        self.assertEqual(invoice.edu_instalment_id, instalment)
        self.assertFalse(target.invoice_ids)
        self.assertEqual(target.payment_state, "to_invoice")

    # ------------------------------------------------------------------
    # Transitions: the group and the allowed move
    # ------------------------------------------------------------------
    def test_transitions_check_group_and_state(self):
        clerk_calls = (
            (self.draft, "action_activate", ()),
            (self.active, "action_close", ()),
            (self.active, "action_open_cancel_wizard", ()),
            (self.active, "_edu_cancel", ("cancel",)),
            (self.active, "action_draft", ()),
        )
        for contract, method, args in clerk_calls:
            with self.subTest(method=method):
                with self.assertRaisesRegex(AccessError, "Education Manager"):
                    getattr(contract.with_user(self.clerk), method)(*args)
        for contract, method, regex in (
            (self.draft, "action_close", "Only active"),
            (self.active, "action_draft", "Only cancelled"),
            (self.active, "action_activate", "not a draft"),
        ):
            with self.subTest(method=method, state=contract.state):
                with self.assertRaisesRegex(UserError, regex):
                    getattr(contract.with_user(self.bursar), method)()
        self.assertEqual(self.draft.state, "draft")
        self.assertEqual(self.active.state, "active")

    def test_transition_is_tracked_as_the_manager(self):
        contract = self.draft.with_user(self.bursar).with_context(
            tracking_disable=False, mail_notrack=False
        )
        # end of the request that created the contract (its tracking discarded)
        self.env.cr.precommit.run()
        contract.action_activate()
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.assertEqual(contract.state, "active")
        self.assertEqual(contract.write_uid, self.bursar)
        tracked = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", contract._name),
                    ("res_id", "=", contract.id),
                    ("tracking_value_ids.field_id.name", "=", "state"),
                ]
            )
        )
        self.assertEqual(tracked.author_id, self.bursar.partner_id)
