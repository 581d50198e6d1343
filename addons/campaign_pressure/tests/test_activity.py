from odoo.exceptions import UserError
from odoo.tests import Form, tagged, users

from .common import PressureCommon


@tagged("post_install", "-at_install")
class TestPressureActivity(PressureCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.call_type = cls.env.ref(
            "campaign_pressure.mail_activity_type_marketing_call"
        )

    def _schedule(self, partner):
        return self.env["mail.activity"].create(
            {
                "activity_type_id": self.call_type.id,
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": partner.id,
                "summary": "Call about open day",
            }
        )

    @users("user_marketing")
    def test_call_warns_when_saturated(self):
        self._create_rule(max_contacts=1, phone_action="warn")
        self._log_contacts(self.partner_a, channel="sms")
        partner_a = self.partner_a.with_env(self.env)
        with Form(
            self.env["mail.activity"].with_context(
                default_res_model="res.partner", default_res_id=partner_a.id
            ),
            view="mail.mail_activity_view_form_popup",
        ) as form:
            form.activity_type_id = self.call_type
            self.assertIn("Test rule", form.pressure_warning)
        activity = self._schedule(partner_a)
        self.assertTrue(activity.pressure_warning)
        logged = self.env["campaign.pressure.contact"].search(
            [("res_model", "=", "mail.activity"), ("res_id", "=", activity.id)]
        )
        self.assertEqual((logged.channel, logged.state), ("phone", "reserved"))
        self.assertEqual(logged.user_id, self.env.user)
        # an unsaturated person: no warning
        self.assertFalse(
            self._schedule(self.partner_b.with_env(self.env)).pressure_warning
        )
        activity.action_feedback(feedback="Talked")
        self.assertEqual(logged.state, "confirmed")

    @users("user_marketing")
    def test_call_blocked_by_rule(self):
        self._create_rule(max_contacts=1, phone_action="block")
        self._log_contacts(self.partner_a, channel="email")
        with self.assertRaisesRegex(UserError, "cannot be scheduled"):
            self._schedule(self.partner_a.with_env(self.env))

    @users("user_marketing")
    def test_call_cancel_releases_and_outcome_cools_down(self):
        self._create_rule(max_contacts=5)
        activity = self._schedule(self.partner_a.with_env(self.env))
        activity_id = activity.id
        activity.unlink()
        logged = self.env["campaign.pressure.contact"].search(
            [("res_model", "=", "mail.activity"), ("res_id", "=", activity_id)]
        )
        self.assertEqual(logged.state, "released")
        activity = self._schedule(self.partner_b.with_env(self.env))
        activity.pressure_call_outcome = "do_not_contact"
        activity.action_feedback(feedback="Asked not to be called")
        self.assertEqual(self.partner_b.pressure_cooldown_reason, "call")

    @users("user_marketing")
    def test_call_warnings_batched(self):
        """The warnings of a list of calls cost the same queries for 2 calls
        as for 5: one evaluation for all of them."""
        self._create_rule(max_contacts=1, phone_action="warn")
        # two contacts over a maximum of 1: saved calls warn too
        self._log_contacts(self.partners, channel="sms", days_ago=1)
        self._log_contacts(self.partners, channel="sms", days_ago=2)
        # saved calls: each holds its reservation (a user's context cannot
        # switch the reservation off)
        activities = self.env["mail.activity"]
        for partner in self.partners.with_env(self.env):
            activities |= activities.create(
                {
                    "activity_type_id": self.call_type.id,
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": partner.id,
                }
            )
        self.env.invalidate_all()
        activities[:2].mapped("pressure_warning")  # warm the caches
        counts = []
        for subset in (activities[:2], activities):
            self.env.invalidate_all()
            subset.fetch(["activity_type_id", "res_model", "res_id"])
            subset.activity_type_id.fetch(["pressure_marketing_call"])
            start = self.env.cr.sql_log_count
            warnings = subset.mapped("pressure_warning")
            counts.append(self.env.cr.sql_log_count - start)
            self.assertTrue(all(warnings), "every person is saturated")
        self.assertEqual(counts[0], counts[1])
