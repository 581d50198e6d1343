"""The model is the boundary: attacks over JSON-RPC, run as the users who
must be refused (issue 11: findings 3, 5, 6 and 8 for campaign_pressure).

Over ``/web/dataset/call_kw`` a logged-in user calls any public method with
any arguments and any context, and writes any field the access rights
allow. Each test below does what such a client can do, through the ORM as
that user, and checks the refusal and that nothing changed.
"""

from datetime import datetime, timedelta

from freezegun import freeze_time
from odoo import SUPERUSER_ID, Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged, users

from .guards_common import PressureGuardsCommon


@tagged("post_install", "-at_install")
class TestPressureGuards(PressureGuardsCommon):
    # ------------------------------------------------------------------
    # Finding 5: a context flag from the client skips nothing
    # ------------------------------------------------------------------

    @users("user_marketing")
    def test_client_flag_does_not_skip_mailing_check(self):
        self._create_rule(max_contacts=1)
        self._log_contacts(self.partner_a)
        partners = (self.partner_a | self.partner_b).with_env(self.env)
        mailing = self._create_partner_mailing(partners)
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.with_context(campaign_pressure_disable=True).action_send_mail()
        held = self._traces(mailing).filtered(lambda t: t.failure_type == "pressure")
        self.assertEqual(held.res_id, self.partner_a.id)
        self.assertNotSentEmail([self.partner_a])
        self.assertEqual(self._contacts(mailing).partner_id, self.partner_b)

    @users("user_marketing")
    def test_client_flag_does_not_skip_sms_check(self):
        self._create_rule(max_contacts=1)
        self._log_contacts(self.partner_a)
        partners = (self.partner_a | self.partner_b).with_env(self.env)
        mailing = self._create_partner_mailing(
            partners, mailing_type="sms", sms_force_send=True
        )
        with self.mockSMSGateway():
            mailing.with_context(campaign_pressure_disable=True).action_send_sms()
        held = self._traces(mailing).filtered(lambda t: t.failure_type == "pressure")
        self.assertEqual(held.res_id, self.partner_a.id)
        self.assertNotIn(
            self.partner_a.phone_sanitized, {sms["number"] for sms in self._sms}
        )

    @users("user_marketing")
    def test_client_flag_does_not_skip_call_reservation(self):
        """Neither the flag nor a sudo() on the way (which keeps the
        request's context) skips the check of a marketing call."""
        self._create_rule(max_contacts=1, phone_action="block")
        self._log_contacts(self.partner_a)
        Activity = self.env["mail.activity"].with_context(
            campaign_pressure_disable=True
        )
        for activities in (Activity, Activity.sudo()):
            with (
                self.subTest(su=activities.env.su),
                self._refused(UserError, "cannot be scheduled"),
            ):
                activities.create(
                    {
                        "activity_type_id": self.call_type.id,
                        "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                        "res_id": self.partner_a.id,
                    }
                )
        self.assertFalse(
            self.env["mail.activity"]
            .sudo()
            .search(
                [("res_id", "=", self.partner_a.id), ("res_model", "=", "res.partner")]
            )
        )
        call = Activity.sudo().create(
            {
                "activity_type_id": self.call_type.id,
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": self.partner_b.id,
            }
        )
        self.assertEqual(self._call_contacts(call).state, "reserved")

    def test_system_user_may_switch_pressure_off(self):
        """The stock send path for the benchmark: the system user only."""
        self.assertEqual(self.env.uid, SUPERUSER_ID)
        self._create_rule(max_contacts=1)
        self._log_contacts(self.partner_a)
        mailing = self._create_partner_mailing(self.partner_a)
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.with_context(campaign_pressure_disable=True).action_send_mail()
        self.assertEqual(self._traces(mailing).trace_status, "sent")
        self.assertFalse(self._contacts(mailing))

    @users("user_marketing")
    def test_public_sms_send_respects_arbitration(self):
        """Odoo's public ``action_send_sms`` goes through arbitration as the
        mailing's send does: a scheduled mailing of higher priority keeps
        its reservation."""
        self._create_rule(max_contacts=1)
        important = self._create_partner_mailing(
            self.partner_a.with_env(self.env),
            mailing_type="sms",
            pressure_priority=50,
            schedule_type="scheduled",
            schedule_date=fields.Datetime.now() + timedelta(hours=5),
        )
        important.action_put_in_queue()
        minor = self._create_partner_mailing(
            (self.partner_a | self.partner_b).with_env(self.env),
            mailing_type="sms",
            sms_force_send=True,
        )
        with self.mockSMSGateway():
            minor.action_send_sms()
        held = self._traces(minor).filtered(lambda t: t.failure_type == "pressure")
        self.assertEqual(held.res_id, self.partner_a.id)

    # ------------------------------------------------------------------
    # Finding 6: transactional messages
    # ------------------------------------------------------------------

    @users("user_marketing")
    def test_marketing_user_cannot_mark_mailing_transactional(self):
        partners = self.partner_a.with_env(self.env)
        Mailing = self.env["mailing.mailing"]
        count = Mailing.search_count([])
        with self._refused(AccessError, "pressure manager"):
            self._create_partner_mailing(partners, pressure_exempt=True)
        with self._refused(AccessError, "pressure manager"):
            Mailing.with_context(default_pressure_exempt=True).create(
                {
                    "name": "Default exempt",
                    "subject": "Default exempt",
                    "mailing_model_id": self.env["ir.model"]._get("res.partner").id,
                    "body_html": "<p>Hi</p>",
                }
            )
        self.assertEqual(Mailing.search_count([]), count, "nothing created")
        mailing = self._create_partner_mailing(partners)
        with self._refused(AccessError, "pressure manager"):
            mailing.write({"pressure_exempt": True})
        mailing.invalidate_recordset()
        self.assertFalse(mailing.pressure_exempt)
        # nor unmark one a manager marked
        exempt = self._create_partner_mailing(partners).with_user(
            self.user_pressure_manager
        )
        exempt.pressure_exempt = True
        exempt = exempt.with_env(self.env)
        with self._refused(AccessError, "pressure manager"):
            exempt.pressure_exempt = False
        exempt.invalidate_recordset()
        self.assertTrue(exempt.pressure_exempt)
        # the field is the manager's, even written with its current value
        with self._refused(AccessError, "pressure manager"):
            mailing.write({"pressure_exempt": False, "subject": "Changed"})
        self.assertEqual(mailing.subject, "Pressure mailing")
        # a copy is a new, marketing message; the rest is the user's
        self.assertFalse(exempt.copy().pressure_exempt)
        exempt.subject = "Exam timetable"

    @users("pressure_manager")
    def test_manager_marks_transactional_logged_in_chatter(self):
        mailing = self._create_partner_mailing(self.partner_a.with_env(self.env))
        # a client's tracking switches do not skip the log
        mailing.with_context(tracking_disable=True, mail_notrack=True).write(
            {"pressure_exempt": True}
        )
        mailing.write({"pressure_exempt": False})
        notes = mailing.message_ids.filtered(
            lambda m: "transactional" in (m.body or "")
        ).sorted("id")
        self.assertEqual(len(notes), 2)
        self.assertEqual(notes.author_id, self.user_pressure_manager.partner_id)
        self.assertIn("Marked as transactional by Paula", notes[0].body)
        self.assertIn("No longer transactional", notes[1].body)
        created = self._create_partner_mailing(
            self.partner_a.with_env(self.env), pressure_exempt=True
        )
        self.assertIn("Marked as transactional", created.message_ids[:1].body)
        self.assertTrue(created.copy().pressure_exempt, "a manager's copy keeps it")

    @users("pressure_manager")
    def test_exempt_email_respects_the_person(self):
        """A transactional email is never held back by a cap, but the
        person's blocked channel, quiet hours and blacklist hold."""
        self._create_rule(max_contacts=1, scope="all")
        partner_blocked, partner_quiet, partner_bl, partner_saturated = self.partners[
            :4
        ].with_env(self.env)
        partner_blocked.sudo().pressure_blocked_channel_ids = [
            Command.set(self.channel_email.ids)
        ]
        partner_quiet.sudo().write(
            {"tz": "Europe/Kyiv", "pressure_quiet_from": 21.0, "pressure_quiet_to": 8.0}
        )
        self.env["mail.blacklist"].sudo()._add(partner_bl.email)
        self._log_contacts(partner_saturated)
        mailing = self._create_partner_mailing(
            partner_blocked | partner_quiet | partner_bl | partner_saturated,
            pressure_exempt=True,
        )
        with (
            freeze_time("2026-01-10 20:30:00"),  # 22:30 in Kyiv
            self.mock_mail_gateway(mail_unlink_sent=False),
        ):
            mailing.action_send_mail()
        traces = {t.res_id: t for t in self._traces(mailing)}
        blocked = traces[partner_blocked.id]
        self.assertEqual(
            (blocked.trace_status, blocked.failure_type), ("cancel", "pressure")
        )
        # a code, rendered in the reader's language (not stored text)
        self.assertEqual(blocked.pressure_reason, "blocked_channel")
        self.assertIn("blocked", blocked.pressure_reason_text)
        quiet = traces[partner_quiet.id]
        self.assertEqual(quiet.trace_status, "outgoing")
        self.assertEqual(quiet.pressure_postponed_until, datetime(2026, 1, 11, 6, 0))
        self.assertEqual(traces[partner_bl.id].failure_type, "mail_bl")
        self.assertEqual(traces[partner_saturated.id].trace_status, "sent")
        self.assertNotSentEmail([partner_blocked, partner_quiet, partner_bl])
        logged = self._contacts(mailing)
        self.assertEqual(
            set(logged.filtered(lambda c: c.state != "released").partner_id),
            {partner_quiet, partner_saturated},
        )
        self.assertTrue(all(logged.mapped("is_transactional")))

    @users("pressure_manager")
    def test_exempt_sms_respects_the_person(self):
        self._create_rule(max_contacts=1, scope="all")
        partner_blocked, partner_quiet, partner_saturated = self.partners[:3].with_env(
            self.env
        )
        partner_blocked.sudo().pressure_blocked_channel_ids = [
            Command.set(self.channel_sms.ids)
        ]
        partner_quiet.sudo().write(
            {"tz": "Europe/Kyiv", "pressure_quiet_from": 21.0, "pressure_quiet_to": 8.0}
        )
        self._log_contacts(partner_saturated, channel="sms")
        mailing = self._create_partner_mailing(
            partner_blocked | partner_quiet | partner_saturated,
            mailing_type="sms",
            sms_force_send=True,
            pressure_exempt=True,
        )
        with freeze_time("2026-01-10 20:30:00"), self.mockSMSGateway():
            mailing.action_send_sms()
        traces = {t.res_id: t for t in self._traces(mailing)}
        for partner, code, reason in (
            (partner_blocked, "blocked_channel", "blocked"),
            (partner_quiet, "quiet_hours", "Quiet"),
        ):
            self.assertEqual(traces[partner.id].failure_type, "pressure")
            self.assertEqual(traces[partner.id].pressure_reason, code)
            self.assertIn(reason, traces[partner.id].pressure_reason_text)
        self.assertNotEqual(traces[partner_saturated.id].failure_type, "pressure")
        self.assertEqual(
            {sms["number"] for sms in self._sms}, {partner_saturated.phone_sanitized}
        )

    @users("user_marketing")
    def test_mailing_send_keeps_the_blacklist(self):
        self.env["mail.blacklist"].sudo()._add(self.partner_a.email)
        mailing = self._create_partner_mailing(self.partner_a.with_env(self.env))
        composer = self.env["mail.compose.message"].create(
            {
                "body": "<p>Hi</p>",
                "composition_mode": "mass_mail",
                "mass_mailing_id": mailing.id,
                "model": "res.partner",
                "subject": "No exclusion list",
                "use_exclusion_list": False,
            }
        )
        with (
            self.mock_mail_gateway(mail_unlink_sent=False),
            self._refused(UserError, "blacklist"),
        ):
            composer.with_context(active_ids=self.partner_a.ids)._action_send_mail()
        self.assertFalse(self._traces(mailing))
        self.assertNotSentEmail([self.partner_a])

    def test_marketing_call_type_is_a_manager_decision(self):
        """An administrator (who may edit activity types) who is not a
        pressure manager cannot decide whether calls are counted."""
        call_type = self.call_type.with_user(self.user_settings_admin)
        with self._refused(AccessError, "pressure manager"):
            call_type.pressure_marketing_call = False
        Type = self.env["mail.activity.type"].with_user(self.user_settings_admin)
        with self._refused(AccessError, "pressure manager"):
            self.todo_type.with_user(self.user_settings_admin).write(
                {"pressure_marketing_call": True}
            )
        with self._refused(AccessError, "pressure manager"):
            Type.create({"name": "Sneaky call", "pressure_marketing_call": True})
        self.env.invalidate_all()
        self.assertTrue(self.call_type.pressure_marketing_call)
        self.assertFalse(self.todo_type.pressure_marketing_call)
        self.assertFalse(Type.search([("name", "=", "Sneaky call")]))
        call_type.name = "Renamed call"  # the rest of the type is theirs
        # an administrator who is also a pressure manager may
        self.call_type.with_user(self.user_admin).pressure_marketing_call = False
        self.assertFalse(self.call_type.pressure_marketing_call)
