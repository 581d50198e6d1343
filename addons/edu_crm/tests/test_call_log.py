from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .test_timeline import TimelineCommon


@tagged("post_install", "-at_install")
class TestCallLog(TimelineCommon):
    """Calls logged in two clicks from the person or the application: a done
    Call activity with its direction, duration and outcome, on the timeline."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Stella's application",
                "type": "opportunity",
                "team_id": cls.team.id,
                "partner_id": cls.person.id,
                "company_id": cls.company.id,
            }
        )

    def _log(self, user=None, **values):
        Log = self.env["edu.call.log"].with_user(user or self.clerk)
        context = {"default_partner_id": self.person.id}
        if values.pop("from_lead", False):
            context = {"default_lead_id": self.lead.id}
        form = Form(Log.with_context(**context))
        for name, value in values.items():
            setattr(form, name, value)
        wizard = form.save()
        return wizard, wizard.action_log()

    def _calls(self):
        return self._rows(domain=[("channel", "=", "phone")])

    def test_call_from_the_person_and_the_lead_on_the_timeline(self):
        planned = self.person.activity_schedule(
            activity_type_id=self.phonecall.id,
            summary="Call back about the fees",
            date_deadline=fields.Date.to_date("2026-03-01"),
        )
        self.assertEqual(self._calls().mapped("state"), ["planned"])
        self.assertEqual(self._calls().record_ref, self.person)

        _wizard, action = self._log(
            direction="in", outcome="reached", duration=0.25, note="Asked about fees"
        )
        self.assertEqual(action["type"], "ir.actions.act_window_close")
        message = self.person.message_ids.filtered("edu_call_outcome")
        self.assertEqual(len(message), 1)
        self.assertEqual(
            (message.edu_call_direction, message.edu_call_outcome), ("in", "reached")
        )
        self.assertEqual(message.mail_activity_type_id, self.phonecall)
        self.assertIn("Asked about fees", message.body)
        self.assertEqual(message.author_id, self.clerk.partner_id)
        logged = self._only(self._calls(), state="done")
        self.assertEqual(
            (logged.direction, logged.record_ref, logged.description),
            ("in", self.person, "Call · Reached · 0:15"),
        )
        # the planned call stays planned until it is done
        self._only(self._calls(), state="planned")
        planned.action_feedback(feedback="Done")

        # from the application: the person comes with it
        wizard, _action = self._log(
            from_lead=True, direction="out", outcome="no_answer"
        )
        self.assertEqual(wizard.partner_id, self.person)
        on_lead = self._only(self._calls(), res_model="crm.lead")
        self.assertEqual(
            (on_lead.state, on_lead.direction, on_lead.description),
            ("done", "out", "Call · No answer · 0:00"),
        )
        self.assertFalse(self._calls().filtered(lambda r: r.state == "planned"))

    def test_bad_input_answered_with_a_clear_message(self):
        Log = self.env["edu.call.log"].with_user(self.clerk)
        cases = [
            ({"partner_id": self.person.id, "direction": "out"}, "how the call ended"),
            (
                {"partner_id": self.person.id, "outcome": "reached", "duration": -1},
                "between 0 and 12 hours",
            ),
            (
                {"partner_id": self.person.id, "outcome": "reached", "duration": 30},
                "between 0 and 12 hours",
            ),
            ({"outcome": "busy"}, "person or the application"),
            (
                {"partner_id": self.person.id, "outcome": "busy", "direction": False},
                "incoming or outgoing",
            ),
        ]
        for values, words in cases:
            with self.subTest(values=values), self.assertRaisesRegex(UserError, words):
                Log.create(values).action_log()
        self.assertFalse(self._calls())

    def test_only_the_call_log_records_an_outcome(self):
        self._log(outcome="reached")
        message = self.person.message_ids.filtered("edu_call_outcome")
        employee = new_test_user(
            self.env, login="call_employee", groups="base.group_user"
        )
        for user in (self.clerk, self.bursar, employee):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                message.with_user(user).write({"edu_call_outcome": "do_not_contact"})
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["mail.message"].with_user(user).create(
                    {
                        "model": "res.partner",
                        "res_id": self.person.id,
                        "body": "Forged",
                        "edu_call_outcome": "reached",
                    }
                )
        self.assertEqual(message.edu_call_outcome, "reached")
        portal = new_test_user(
            self.env, login="call_portal", groups="base.group_portal"
        )
        for user in (portal, employee):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["edu.call.log"].with_user(user).create(
                    {"partner_id": self.person.id, "outcome": "reached"}
                ).action_log()
