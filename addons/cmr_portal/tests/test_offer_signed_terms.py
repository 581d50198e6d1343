from odoo.tests import JsonRpcException, tagged
from odoo.tools import mute_logger

from .test_offer import SIGNATURE, OfferCommon

# a refusal the bursar reads (the instalments' and payers' own "only on
# draft contracts" is a ValidationError)
CLEAR = ("odoo.exceptions.UserError", "odoo.exceptions.ValidationError")


@tagged("post_install", "-at_install")
class TestOfferSignedTerms(OfferCommon):
    """A signed draft's terms are frozen: the bursar, over JSON-RPC as the
    web client calls the models, changes none of the amounts, plan, schedule
    or payers of a draft the student signed online before activating it
    (without the signature the same calls pass); activation still works."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_plan = cls.env["edu.payment.plan"].create(
            {"name": "Two terms", "plan_type": "monthly", "instalment_count": 2}
        )

    def _rpc(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def _attempts(self, contract):
        """The bursar's changes of the terms: ``{name: (model, method,
        args)}``."""
        instalment = contract.instalment_ids[:1]
        payer = contract.payer_ids[:1]
        today = str(self.today)

        def write(values):
            return ("edu.tuition.contract", "write", [contract.ids, values])

        return {
            "list price": write({"list_price": 1.0}),
            "discount": write({"discount": 50.0}),
            "scholarship": write({"scholarship_amount": 100.0}),
            "plan": write({"plan_id": self.other_plan.id}),
            "start": write({"date_start": today}),
            "schedule": (
                "edu.tuition.contract",
                "action_generate_schedule",
                [contract.ids],
            ),
            "instalment amount": (
                "edu.tuition.instalment",
                "write",
                [instalment.ids, {"amount": 1.0}],
            ),
            "instalment date": (
                "edu.tuition.instalment",
                "write",
                [instalment.ids, {"due_date": today}],
            ),
            "new instalment": (
                "edu.tuition.instalment",
                "create",
                [{"contract_id": contract.id, "due_date": today, "amount": 1.0}],
            ),
            "no instalment": ("edu.tuition.instalment", "unlink", [instalment.ids]),
            "payer share": (
                "edu.tuition.payer",
                "write",
                [payer.ids, {"share": 50}],
            ),
        }

    def _terms(self, contract):
        contract.invalidate_recordset()
        return (
            contract.list_price,
            contract.discount,
            contract.scholarship_amount,
            contract.plan_id,
            contract.date_start,
            contract.amount_total,
            [(i.id, i.due_date, i.amount) for i in contract.instalment_ids],
            [(p.partner_id, p.share) for p in contract.payer_ids],
        )

    def _accepted_contract(self):
        lead = self._offered_lead()
        lead.with_user(self.user_applicant).action_edu_accept_offer()
        return self._contract(lead)

    def test_bursar_cannot_change_signed_terms(self):
        contract = self._accepted_contract()
        contract._edu_sign_online(
            self.user_applicant.partner_id, "Ada Applicant", SIGNATURE
        )
        before = self._terms(contract)
        self.authenticate("apl_bursar", "apl_bursar")
        for name, (model, method, args) in self._attempts(contract).items():
            with (
                self.subTest(name),
                mute_logger("odoo.http"),
                self.assertRaises(JsonRpcException) as caught,
            ):
                self._rpc(model, method, *args)
            self.assertIn(str(caught.exception), CLEAR, name)
        self.assertEqual(self._terms(contract), before)
        self.assertTrue(contract.signed_on)
        # what was signed is what the bursar activates (in the ORM: the
        # activation invoices every instalment, longer than a test request
        # may take on a loaded machine)
        contract.with_user(self.user_bursar).action_activate()
        self.assertEqual(contract.state, "active")
        self.assertEqual(self._terms(contract)[:6], before[:6])

    def test_bursar_changes_an_unsigned_draft(self):
        """The same calls on a draft nobody signed pass: the freeze is the
        signature's, not the draft's."""
        contract = self._accepted_contract()
        self.authenticate("apl_bursar", "apl_bursar")
        attempts = self._attempts(contract)
        for name in ("discount", "plan", "schedule"):
            model, method, args = attempts[name]
            self._rpc(model, method, *args)
        contract.invalidate_recordset()
        self.assertEqual(contract.discount, 50.0)
        self.assertEqual(contract.plan_id, self.other_plan)
        self.assertEqual(len(contract.instalment_ids), 2)
