from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged, users

from .common import PressureCommon


@tagged("post_install", "-at_install")
class TestPressureSchedule(PressureCommon):
    """The dialog the chatter's "Schedule activity" opens (Odoo 18's
    ``mail.activity.schedule``) warns before a marketing call is scheduled
    for a saturated person, as a marketing user uses it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.call_type = cls.env.ref(
            "campaign_pressure.mail_activity_type_marketing_call"
        )
        cls.todo_type = cls.env.ref("mail.mail_activity_data_todo")

    def _dialog(self, partners):
        """The dialog as the chatter (one record) or a list view (several)
        opens it."""
        context = {"active_model": "res.partner", "active_ids": partners.ids}
        if len(partners) == 1:
            context = {"active_model": "res.partner", "active_id": partners.id}
        return Form(self.env["mail.activity.schedule"].with_context(**context))

    def _calls(self, partners):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", partners.ids),
                ("activity_type_id", "=", self.call_type.id),
            ]
        )

    @users("user_marketing")
    def test_warn_rule_shown_in_dialog_and_after_scheduling(self):
        self._create_rule(name="Two a month", max_contacts=2, phone_action="warn")
        self._log_contacts(self.partner_a, days_ago=3)
        self._log_contacts(self.partner_a, days_ago=4, channel="sms")
        partner_a = self.partner_a.with_env(self.env)
        with self._dialog(partner_a) as dialog:
            dialog.activity_type_id = self.todo_type
            self.assertFalse(dialog.pressure_warning, "not a marketing call")
            dialog.activity_type_id = self.call_type
            self.assertIn("Two a month", dialog.pressure_warning)
            self.assertIn("You may still schedule", dialog.pressure_warning)
            self.assertFalse(dialog.pressure_blocked)
        action = dialog.record.action_schedule_activities()
        # the call is scheduled, and the user is told it went over a rule
        self.assertEqual(len(self._calls(partner_a)), 1)
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("Two a month", action["params"]["message"])
        self.assertEqual(
            action["params"]["next"]["type"], "ir.actions.act_window_close"
        )
        # a person with room: no warning, no notification
        partner_b = self.partner_b.with_env(self.env)
        with self._dialog(partner_b) as dialog:
            dialog.activity_type_id = self.call_type
            self.assertFalse(dialog.pressure_warning)
        self.assertFalse(dialog.record.action_schedule_activities())
        self.assertEqual(len(self._calls(partner_b)), 1)

    @users("user_marketing")
    def test_block_rule_shown_in_dialog_and_refused_by_the_model(self):
        self._create_rule(name="One a month", max_contacts=1, phone_action="block")
        self._log_contacts(self.partner_a)
        partner_a = self.partner_a.with_env(self.env)
        with self._dialog(partner_a) as dialog:
            dialog.activity_type_id = self.call_type
            self.assertTrue(dialog.pressure_blocked)
            self.assertIn("will be refused", dialog.pressure_warning)
            self.assertIn("One a month", dialog.pressure_warning)
        # the Schedule buttons hide; called anyway (RPC), the model refuses
        # (rolled back to a savepoint, as the RPC request would be)
        with self.assertRaises(UserError) as refusal:
            dialog.record.action_schedule_activities()
        self.assertIn("cannot be scheduled", str(refusal.exception))
        self.assertFalse(self._calls(partner_a))

    @users("user_marketing")
    def test_cooldown_says_until_when_and_why(self):
        self.env.company.sudo().write(
            {"pressure_cooldown_days": 10, "pressure_cooldown_factor": 0.5}
        )
        rule = self._create_rule(name="Two a month", max_contacts=2)
        self._log_contacts(self.partner_a)
        partner_a = self.partner_a.with_env(self.env)
        partner_a._pressure_cooldown("complaint")
        until = partner_a.pressure_cooldown_until
        with self._dialog(partner_a) as dialog:
            dialog.activity_type_id = self.call_type
            warning = dialog.pressure_warning
        # the rule (2) is not reached: the cool-down (lowered to 1) is
        self.assertNotIn(rule.name, warning)
        self.assertIn("Cool-down until", warning)
        self.assertIn("Spam complaint", warning)
        self.assertIn(str(until.day), warning)

    @users("user_marketing")
    def test_batch_warning_lists_people_in_one_evaluation(self):
        """Scheduling on several records from a list view: one warning for
        all of them, at a cost that does not grow with their number."""
        self._create_rule(name="One a month", max_contacts=1, phone_action="warn")
        self._log_contacts(self.partners[:3])
        partners = self.partners.with_env(self.env)
        more = self.env["res.partner"].create(
            [
                {"name": f"Extra {i}", "email": f"extra{i}@pressure.test"}
                for i in range(35)
            ]
        )
        counts = []
        self._dialog(partners[:2]).activity_type_id = self.call_type  # warm-up
        for selection in (partners[:4], partners | more):
            dialog = self._dialog(selection)
            dialog.activity_type_id = self.todo_type
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            dialog.activity_type_id = self.call_type
            counts.append(self.env.cr.sql_log_count - start)
            warning = dialog.pressure_warning
            self.assertIn("3 of the selected people", warning)
            for partner in partners[:3]:
                self.assertIn(partner.name, warning)
            self.assertNotIn(partners[3].name, warning)
        self.assertEqual(counts[0], counts[1], "4 records cost what 40 cost")
        action = dialog.save().action_schedule_activities()
        self.assertIn("3 people", action["params"]["message"])
        self.assertEqual(len(self._calls(partners | more)), 40)

    @users("user_marketing")
    def test_plan_with_marketing_calls(self):
        """A plan of two marketing calls counts as two contacts."""
        plan = (
            self.env["mail.activity.plan"]
            .sudo()
            .create(
                {
                    "name": "Call twice",
                    "res_model": "res.partner",
                    "template_ids": [
                        Command.create(
                            {
                                "activity_type_id": self.call_type.id,
                                "responsible_type": "on_demand",
                            }
                        ),
                        Command.create(
                            {
                                "activity_type_id": self.call_type.id,
                                "responsible_type": "on_demand",
                            }
                        ),
                    ],
                }
            )
        )
        self._create_rule(name="Two a month", max_contacts=2, phone_action="warn")
        self._log_contacts(self.partner_a)
        partner_a = self.partner_a.with_env(self.env)
        with self._dialog(partner_a) as dialog:
            dialog.plan_id = plan.with_env(self.env)
            self.assertIn("Two a month", dialog.pressure_warning)
        action = dialog.record.action_schedule_plan()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["next"]["tag"], "soft_reload")
        self.assertEqual(len(self._calls(partner_a)), 2)
