from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged, users
from odoo.tools import mute_logger

from .test_journey_common import JourneyCommon


@tagged("post_install", "-at_install")
class TestJourneySecurity(JourneyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Other campus"})
        cls.user_employee = new_test_user(
            cls.env, login="journey_employee", groups="base.group_user"
        )

    def _running_journey(self):
        journey, steps = self._journey(
            [{"kind": "wait"}, {"kind": "wait", "parent": 0, "interval_number": 2}]
        )
        journey.action_launch()
        self._tick()
        return journey, steps

    @users("user_marketing")
    def test_marketing_user_cannot_move_participants_or_work_items(self):
        journey, (first, later) = self._running_journey()
        participant = self._participants(journey)[:1].with_env(self.env)
        item = self._items(journey, later)[:1].with_env(self.env)
        self.assertEqual(participant.state, "running")
        with self.assertRaises(AccessError):
            participant.write({"state": "goal"})
        with self.assertRaises(AccessError):
            item.write({"state": "done"})
        with self.assertRaises(AccessError):
            item.write({"scheduled_date": "2020-01-01 00:00:00"})
        with self.assertRaises(AccessError):
            self.env["campaign.journey.participant"].create(
                {
                    "journey_id": journey.id,
                    "res_model": "res.partner",
                    "res_id": self.partner_a.id,
                    "person_key": "p:forged",
                }
            )
        with self.assertRaises(AccessError):
            item.unlink()
        self.assertEqual(participant.state, "running")
        self.assertEqual(item.state, "scheduled")

    @users("user_marketing")
    def test_marketing_user_cannot_write_system_fields(self):
        journey, (first, _later) = self._running_journey()
        for vals in (
            {"state": "draft"},
            {"last_entry_scan": "2020-01-01 00:00:00"},
            {"launched_by_id": self.env.ref("base.user_admin").id},
        ):
            with self.assertRaises(AccessError):
                journey.write(vals)
        with self.assertRaises(AccessError):
            self.env["campaign.journey"].create({"name": "Forged", "state": "running"})
        with self.assertRaises(AccessError):
            first.write({"mailing_id": False})
        self.assertEqual(journey.state, "running")

    @users("user_marketing")
    def test_only_pressure_manager_sets_transactional(self):
        journey, _steps = self._journey([self._email_step()])
        with self.assertRaises(AccessError):
            journey.write({"is_transactional": True})
        with self.assertRaises(AccessError):
            self.env["campaign.journey"].create(
                {"name": "Forged notice", "is_transactional": True}
            )
        journey.with_user(self.user_pressure_manager).write({"is_transactional": True})
        self.assertTrue(journey.is_transactional)
        self.assertTrue(journey.step_ids.mailing_id.pressure_exempt)

    def test_other_company_journey_cannot_be_run(self):
        journey, _steps = self._journey(
            [{"kind": "wait"}], company_id=self.other_company.id
        )
        marketing = self.user_marketing
        self.assertNotIn(self.other_company, marketing.company_ids)
        with self.assertRaises(AccessError):
            journey.with_user(marketing).action_launch()
        with self.assertRaises(AccessError):
            journey.with_user(marketing).step_ids.read(["name"])
        self.assertEqual(journey.state, "draft")

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_employee_cannot_read_or_launch(self):
        journey, _steps = self._journey([{"kind": "wait"}])
        with self.assertRaises(AccessError):
            journey.with_user(self.user_employee).action_launch()
        with self.assertRaises(AccessError):
            journey.with_user(self.user_employee).read(["name"])

    @users("user_marketing")
    def test_bad_input_is_refused_with_a_clear_error(self):
        journey, (first,) = self._journey([{"kind": "wait"}])
        Step = self.env["campaign.journey.step"]
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            Step.create(
                {
                    "journey_id": journey.id,
                    "name": "Back",
                    "kind": "wait",
                    "interval_number": -1,
                }
            )
        with self.assertRaisesRegex(
            ValidationError, "needs a parent step of type Email"
        ):
            Step.create(
                {
                    "journey_id": journey.id,
                    "name": "Orphan",
                    "kind": "wait",
                    "trigger": "email_opened",
                }
            )
        with self.assertRaisesRegex(
            ValidationError, "needs a parent step of type Email"
        ):
            Step.create(
                {
                    "journey_id": journey.id,
                    "name": "After wait",
                    "kind": "wait",
                    "parent_id": first.id,
                    "trigger": "email_clicked",
                }
            )
        with self.assertRaisesRegex(ValidationError, "not a valid domain"):
            journey.write({"domain": "[('function', '=', "})
        with self.assertRaisesRegex(ValidationError, "not a valid domain"):
            journey.write({"goal_domain": "[('no_such_field', '=', 1)]"})
        with self.assertRaisesRegex(ValidationError, "not a valid domain"):
            first.write({"filter_domain": "oops"})
        with self.assertRaisesRegex(ValidationError, "not a date"):
            journey.write({"entry_mode": "date", "date_field": "name"})
        with self.assertRaisesRegex(ValidationError, "not a date"):
            journey.write({"entry_mode": "date", "date_field": "no_such_field"})
        with self.assertRaisesRegex(ValidationError, "needs its date field"):
            journey.write({"entry_mode": "date", "date_field": False})
        with self.assertRaisesRegex(ValidationError, "needs an activity type"):
            Step.create(
                {
                    "journey_id": journey.id,
                    "name": "Call",
                    "kind": "activity",
                    "activity_type_id": False,
                }
            )
        with self.assertRaisesRegex(ValidationError, "falls back"):
            first.write({"hold_action": "fallback"})

    @users("user_marketing")
    def test_launch_needs_a_first_step(self):
        journey, _steps = self._journey([])
        with self.assertRaisesRegex(UserError, "no first step"):
            journey.action_launch()

    @users("user_marketing")
    def test_step_that_ran_keeps_its_history(self):
        journey, (first, later) = self._running_journey()
        with self.assertRaisesRegex(UserError, "archive"):
            first.unlink()
        with self.assertRaisesRegex(UserError, "cannot change its type"):
            first.write({"kind": "email"})
        with self.assertRaisesRegex(UserError, "target model"):
            journey.write({"model_id": self.env["ir.model"]._get("mailing.contact").id})

    @users("user_marketing")
    def test_step_mailing_is_never_sent_to_a_domain(self):
        journey, (welcome,) = self._journey([self._email_step()])
        mailing = welcome.mailing_id
        self.assertFalse(mailing._get_remaining_recipients())
        with self.assertRaises(UserError):
            mailing.action_send_mail()

    def test_server_action_runs_as_the_launcher(self):
        action = self.env["ir.actions.server"].create(
            {
                "name": "Tag as nurtured",
                "model_id": self.env["ir.model"]._get("res.partner").id,
                "state": "object_write",
                "update_path": "comment",
                "value": "nurtured",
                "evaluation_type": "value",
                "groups_id": [Command.set(self.env.ref("base.group_system").ids)],
            }
        )
        journey, (update,) = self._journey(
            [{"kind": "update", "server_action_id": action.id}],
            domain=repr([("id", "=", self.partner_a.id)]),
        )
        journey.with_user(self.user_marketing).action_launch()
        self._tick()
        item = self._items(journey, update)
        # the action is an administrator's: refused to the marketing user
        # who launched the journey, whatever the cron's rights
        self.assertEqual(item.state, "cancelled")
        self.assertIn("server action failed", item.reason)
        self.assertNotEqual(self.partner_a.comment, "nurtured")
        action.groups_id = False
        journey.with_user(self.user_marketing).action_stop()
        update.sudo().active = True
        journey2, (update2,) = self._journey(
            [{"kind": "update", "server_action_id": action.id}],
            name="Second",
            domain=repr([("id", "=", self.partner_a.id)]),
        )
        journey2.with_user(self.user_marketing).action_launch()
        self._tick()
        self.assertEqual(self._items(journey2, update2).state, "done")
        self.assertIn("nurtured", self.partner_a.comment)
