from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .test_offer import SIGNATURE, OfferCommon


@tagged("post_install", "-at_install")
class TestOfferAttacks(OfferCommon):
    """What a caller of the offer's methods over RPC must not get: their own
    price through the context, an answer in somebody else's name, an offer
    or an online mark made up at creation, signed terms changed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_seller = new_test_user(
            cls.env,
            login="apl_seller",
            groups="sales_team.group_sale_salesman",
            name="Sam Seller",
        )

    def _set_person(self, lead, partner):
        """The lead's person changed as staff may do it (the write itself
        is not what is tried here)."""
        self.env.cr.execute(
            "UPDATE crm_lead SET partner_id = %s WHERE id = %s", (partner.id, lead.id)
        )
        lead.invalidate_recordset(["partner_id"])

    def test_accepting_with_a_context_sets_no_contract_term(self):
        lead = self._offered_lead()
        context = {
            "default_discount": 100,
            "default_scholarship_amount": 5000,
            "default_list_price": 1,
            "default_state": "active",
            "default_note": "free",
        }
        lead.with_user(self.user_applicant).with_context(
            **context
        ).action_edu_accept_offer()
        contract = self._contract(lead)
        self.assertEqual(len(contract), 1)
        self.assertEqual(contract.state, "draft")
        self.assertEqual(contract.discount, 0)
        self.assertEqual(contract.scholarship_amount, 0)
        self.assertGreater(contract.list_price, 1)
        self.assertNotEqual(contract.note, "free")

    def test_staff_cannot_answer_by_changing_the_person(self):
        lead = self._offered_lead()
        for user in (self.user_staff, self.user_seller):
            with self.subTest(user=user.login):
                self._set_person(lead, user.partner_id)
                for answer in ("accept", "decline"):
                    with self.assertRaises(AccessError):
                        if answer == "accept":
                            lead.with_user(user).action_edu_accept_offer()
                        else:
                            lead.with_user(user).action_edu_decline_offer(
                                self.reason.id
                            )
        # another applicant made the lead's person: the letter is not theirs
        self._set_person(lead, self.user_other.partner_id)
        with self.assertRaises(AccessError):
            lead.with_user(self.user_other).action_edu_accept_offer()
        self.assertEqual(lead.edu_offer_state, "pending")
        self.assertTrue(lead.active)
        self.assertFalse(lead.edu_enrollment_ids)

    def test_no_offer_or_online_mark_from_the_context(self):
        values = {
            "name": "Made up",
            "type": "opportunity",
            "partner_id": self.user_seller.partner_id.id,
            "team_id": self.env.ref("edu_crm.crm_team_admissions").id,
            "edu_programme_id": self.intake.programme_id.id,
            "edu_intake_id": self.intake.id,
        }
        for user in (self.user_seller, self.user_staff):
            for context in (
                {"default_edu_offer_state": "pending"},
                {"default_edu_is_online": True},
            ):
                with (
                    self.subTest(user=user.login, context=context),
                    self.assertRaises(AccessError),
                ):
                    self.env["crm.lead"].with_user(user).with_context(**context).create(
                        dict(values)
                    )

    def test_signed_terms_are_final(self):
        lead = self._offered_lead()
        lead.with_user(self.user_applicant).action_edu_accept_offer()
        contract = self._contract(lead)
        contract._edu_sign_online(
            self.user_applicant.partner_id, "Ada Applicant", SIGNATURE
        )
        staff = self.user_staff
        attempts = {
            "discount": lambda: contract.with_user(staff).write({"discount": 50}),
            "schedule": lambda: contract.with_user(staff).action_generate_schedule(),
            "instalment": lambda: contract.instalment_ids[:1]
            .with_user(staff)
            .write({"amount": 1}),
            "payer": lambda: contract.with_user(staff).write(
                {
                    "payer_ids": [
                        Command.create(
                            {"partner_id": staff.partner_id.id, "share": 100}
                        )
                    ]
                }
            ),
        }
        amount = contract.amount_total
        for name, attempt in attempts.items():
            with self.subTest(name), self.assertRaises(UserError):
                attempt()
        self.assertEqual(contract.discount, 0)
        self.assertEqual(contract.amount_total, amount)
        # the bursar still activates what was signed
        contract.with_user(self.user_bursar).action_activate()
        self.assertEqual(contract.state, "active")

    def test_contract_page_shows_only_the_viewers_contract(self):
        lead = self._offered_lead()
        lead.with_user(self.user_applicant).action_edu_accept_offer()
        contract = self._contract(lead)
        self.authenticate("apl_applicant", "apl_applicant")
        url = f"/my/applications/{lead.id}/contract"
        self.assertEqual(self._get(url).status_code, 200)
        contract.sudo().write({"student_id": self.user_other.partner_id.id})
        response = self._get(url)
        self.assertIn(response.status_code, (302, 303))
        self.assertNotIn(contract.name, response.text)
