"""The model is the boundary: attacks over JSON-RPC, run as the users who
must be refused (issue 11: findings 3, 5, 6 and 8 for campaign_pressure).

Over ``/web/dataset/call_kw`` a logged-in user calls any public method with
any arguments and any context, and writes any field the access rights
allow. Each test below does what such a client can do, through the ORM as
that user, and checks the refusal and that nothing changed.
"""

from contextlib import contextmanager
from datetime import datetime, timedelta

from freezegun import freeze_time
from odoo import SUPERUSER_ID, Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.models import MetaModel
from odoo.tests import new_test_user, tagged, users

from .common import PressureCommon

# Every public method that campaign_pressure defines (its own models and
# the models it extends), with who may call it. Reviewed: a new public
# method fails test_public_surface_is_reviewed until it is added here.
PUBLIC_METHODS = {
    # framework overrides: guards and bookkeeping of the ORM's own calls
    ("campaign.pressure.contact", "create"): "nobody but sudo (append-only log)",
    ("campaign.pressure.contact", "write"): "nobody but sudo (append-only log)",
    ("campaign.pressure.contact", "unlink"): "nobody but sudo (append-only log)",
    ("campaign.pressure.contact", "init"): "framework (module install)",
    ("campaign.pressure.rule", "create"): "pressure manager",
    ("campaign.pressure.rule", "write"): "pressure manager",
    ("campaign.pressure.rule", "unlink"): "pressure manager",
    ("campaign.pressure.letter", "create"): "mass-mailing user (ACL); no result",
    ("campaign.pressure.letter", "write"): "mass-mailing user (ACL); no result",
    ("campaign.pressure.letter", "default_get"): "mass-mailing user (ACL)",
    ("mail.activity", "create"): "Odoo's rights; marketing calls reserved",
    ("mail.activity", "write"): "Odoo's rights; retyped/moved calls reserved",
    ("mail.activity", "unlink"): "Odoo's rights; releases the call's reservation",
    ("mail.activity.type", "create"): "Odoo's rights; marketing call: manager",
    ("mail.activity.type", "write"): "Odoo's rights; marketing call: manager",
    ("mail.blacklist", "create"): "Odoo's rights (cools the person down)",
    ("mail.blacklist", "write"): "Odoo's rights (cools the person down)",
    ("mailing.subscription", "create"): "Odoo's rights (opt-out cools down)",
    ("mailing.subscription", "write"): "Odoo's rights (opt-out cools down)",
    ("mailing.mailing", "create"): "mass-mailing user; transactional: manager",
    ("mailing.mailing", "write"): "mass-mailing user; transactional: manager",
    ("mailing.mailing", "copy_data"): "mass-mailing user; keeps exempt: manager",
    ("mailing.mailing", "action_send_sms"): "mass-mailing user (Odoo's send)",
    ("mailing.trace", "create"): "Odoo's rights; pressure fields: sudo only",
    ("mailing.trace", "write"): "Odoo's rights; pressure fields: sudo only",
    ("campaign.pressure.simulation", "create"): "mass-mailing user (ACL); no result",
    ("campaign.pressure.simulation", "write"): "mass-mailing user (ACL); no result",
    ("mail.activity.schedule", "action_schedule_activities"): "Odoo's rights",
    ("mail.activity.schedule", "action_schedule_activities_done"): "Odoo's rights",
    ("mail.activity.schedule", "action_schedule_plan"): "Odoo's rights",
    ("res.company", "write"): "Odoo's rights (settings)",
    ("res.partner", "init"): "framework (module install)",
    ("res.partner", "write"): "Odoo's rights; ending a cool-down: manager",
    # buttons
    ("campaign.pressure.letter", "action_log"): "mass-mailing user",
    ("campaign.pressure.simulation", "action_send"): "who may write the mailing",
    ("mailing.mailing", "action_check_pressure"): "mass-mailing user",
    ("mailing.mailing", "action_confirm_send"): "who may write the mailing",
    ("mailing.mailing", "action_view_pressure_held"): "mass-mailing user",
    ("res.partner", "action_view_pressure_contacts"): "mass-mailing user",
    # journeys (issue 14)
    (
        "campaign.journey",
        "create",
    ): "mass-mailing user; stamps: sudo; transactional: manager",
    (
        "campaign.journey",
        "write",
    ): "mass-mailing user; stamps: sudo; transactional: manager",
    ("campaign.journey", "unlink"): "mass-mailing user; not while running",
    ("campaign.journey", "action_launch"): "who may write the journey",
    ("campaign.journey", "action_stop"): "who may write the journey",
    ("campaign.journey", "action_open_test"): "who may write the journey",
    ("campaign.journey", "action_view_participants"): "who may read the journey",
    ("campaign.journey", "action_view_work_items"): "who may read the journey",
    ("campaign.journey.step", "create"): "mass-mailing user; its mailing: sudo",
    ("campaign.journey.step", "write"): "mass-mailing user; its mailing: sudo",
    ("campaign.journey.step", "unlink"): "mass-mailing user; not once it ran",
    ("campaign.journey.step", "action_view_work_items"): "who may read the step",
    ("campaign.journey.runner.owned", "create"): "nobody but sudo (the runner)",
    ("campaign.journey.runner.owned", "write"): "nobody but sudo (the runner)",
    ("campaign.journey.participant", "init"): "framework (module install)",
    ("campaign.journey.participant", "action_open_record"): "who may read it",
    ("campaign.journey.participant.step", "init"): "framework (module install)",
    ("campaign.journey.test", "create"): "mass-mailing user (ACL); no result",
    ("campaign.journey.test", "write"): "mass-mailing user (ACL); no result",
    ("campaign.journey.test", "action_run"): "who may write the journey",
    ("res.partner", "action_view_journey_participants"): "who may read the person",
    # campaign economics (issue 15)
    ("campaign.response", "create"): "mass-mailing user; other sources: sudo",
    ("campaign.response", "write"): "mass-mailing user; 'By hand' rows only",
    ("mailing.mailing", "action_put_in_queue"): "Odoo's rights; budget spent: refused",
    ("utm.campaign", "create"): "Odoo's rights; budget and company: manager",
    ("utm.campaign", "write"): "Odoo's rights; budget and company: manager",
}


@tagged("post_install", "-at_install")
class TestPressureGuards(PressureCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_portal_user()
        cls.call_type = cls.env.ref(
            "campaign_pressure.mail_activity_type_marketing_call"
        )
        cls.todo_type = cls.env.ref("mail.mail_activity_data_todo")
        # an administrator who is not a pressure manager
        cls.user_settings_admin = new_test_user(
            cls.env,
            login="settings_admin",
            groups="base.group_user,base.group_system",
            name="Sam Settings",
        )

    @contextmanager
    def _refused(self, exception, regex):
        """assertRaisesRegex, rolled back to a savepoint as Odoo's
        assertRaises (what the refused call wrote is undone, as the RPC
        request's transaction would be)."""
        with self.assertRaises(exception) as refusal:
            yield refusal
        self.assertRegex(str(refusal.exception), regex)

    def _contacts(self, mailing):
        return (
            self.env["campaign.pressure.contact"]
            .sudo()
            .search([("mailing_id", "=", mailing.id)])
        )

    def _activity(self, partner, activity_type):
        return self.env["mail.activity"].create(
            {
                "activity_type_id": activity_type.id,
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": partner.id,
            }
        )

    def _call_contacts(self, activity):
        return (
            self.env["campaign.pressure.contact"]
            .sudo()
            .search([("res_model", "=", "mail.activity"), ("res_id", "=", activity.id)])
        )

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

    # ------------------------------------------------------------------
    # Finding 3: rules, the contact log and the traces
    # ------------------------------------------------------------------

    def test_contact_log_is_append_only(self):
        contact = self._log_contacts(self.partner_a)
        Contact = self.env["campaign.pressure.contact"]
        for user in (self.user_marketing, self.user_pressure_manager):
            as_user = contact.with_user(user)
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    Contact.with_user(user).create(
                        {
                            "person_key": f"p:{self.partner_b.id}",
                            "partner_id": self.partner_b.id,
                            "channel": "email",
                            "source": "mailing",
                        }
                    )
                with self.assertRaises(AccessError):
                    as_user.write({"state": "released"})
                with self.assertRaises(AccessError):
                    as_user.unlink()
        contact.invalidate_recordset()
        self.assertEqual((contact.exists(), contact.state), (contact, "confirmed"))
        self.assertFalse(Contact.search([("partner_id", "=", self.partner_b.id)]))

    def test_rules_are_pressure_managers_only(self):
        """The model refuses, whatever access another module grants."""
        rule = self._create_rule(name="Kept", max_contacts=2)
        self.env["ir.model.access"].create(
            {
                "name": "too generous",
                "model_id": self.env["ir.model"]._get_id("campaign.pressure.rule"),
                "group_id": self.env.ref("base.group_user").id,
                "perm_read": True,
                "perm_write": True,
                "perm_create": True,
                "perm_unlink": True,
            }
        )
        vals = {"name": "Forged", "channel_ids": [Command.set(self.channel_email.ids)]}
        for user in (self.user_marketing, self.user_employee):
            Rule = self.env["campaign.pressure.rule"].with_user(user)
            with self.subTest(user=user.login):
                with self._refused(AccessError, "pressure manager"):
                    Rule.create(vals)
                for change in ({"max_contacts": 100}, {"active": False}):
                    with self._refused(AccessError, "pressure manager"):
                        Rule.browse(rule.id).write(change)
                with self._refused(AccessError, "pressure manager"):
                    Rule.browse(rule.id).unlink()
        rule.invalidate_recordset()
        self.assertEqual((rule.max_contacts, rule.active), (2, True))
        self.assertFalse(
            self.env["campaign.pressure.rule"].search([("name", "=", "Forged")])
        )
        as_manager = rule.with_user(self.user_pressure_manager)
        as_manager.max_contacts = 3
        as_manager.active = False
        self.assertEqual((rule.max_contacts, rule.active), (3, False))

    @users("user_marketing")
    def test_trace_status_does_not_give_budget_back(self):
        """Marking sent traces failed (Odoo's ``set_failed`` or a write) does
        not release the contacts: failed deliveries are reported by the
        server, as sudo."""
        self._create_rule(max_contacts=1)
        mailing = self._create_partner_mailing(self.partner_a.with_env(self.env))
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        traces = self._traces(mailing).with_env(self.env)
        traces.set_failed(failure_type="mail_smtp")
        traces.write({"trace_status": "cancel"})
        self.assertEqual(self._contacts(mailing).state, "confirmed")
        second = self._create_partner_mailing(self.partner_a.with_env(self.env))
        with self.mock_mail_gateway(mail_unlink_sent=False):
            second.action_send_mail()
        self.assertEqual(self._traces(second).failure_type, "pressure")

    @users("user_marketing")
    def test_trace_pressure_fields_are_the_engines(self):
        rule = self._create_rule(max_contacts=1)
        mailing = self._create_partner_mailing(self.partner_a.with_env(self.env))
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        trace = self._traces(mailing).with_env(self.env)
        for vals in (
            {"pressure_rule_id": rule.id},
            {"pressure_count": 9, "pressure_threshold": 1},
            {"pressure_postponed_until": fields.Datetime.now()},
            {"failure_type": "pressure"},
            {"pressure_reason": "quiet_hours"},
            {"pressure_reason_args": {"count": 9}},
        ):
            with (
                self.subTest(vals=vals),
                self._refused(AccessError, "pressure engine"),
            ):
                trace.write(vals)
        with self._refused(AccessError, "pressure engine"):
            self.env["mailing.trace"].create(
                {
                    "mass_mailing_id": mailing.id,
                    "model": "res.partner",
                    "res_id": self.partner_b.id,
                    "trace_status": "cancel",
                    "failure_type": "pressure",
                    "pressure_rule_id": rule.id,
                }
            )
        trace.invalidate_recordset()
        self.assertFalse(trace.pressure_rule_id or trace.failure_type)
        self.assertEqual(len(self._traces(mailing)), 1)

    @users("user_marketing")
    def test_retyped_or_moved_call_is_checked(self):
        """A to-do turned into a marketing call, or a call moved to another
        person, is checked and reserved as a new call."""
        self._create_rule(max_contacts=1, phone_action="block")
        self._log_contacts(self.partner_a)
        partner_a, partner_b, partner_c = self.partners[:3].with_env(self.env)
        todo = self._activity(partner_a, self.todo_type)
        with self._refused(UserError, "cannot be scheduled"):
            todo.activity_type_id = self.call_type
        todo.invalidate_recordset()
        self.assertEqual(todo.activity_type_id, self.todo_type)
        self.assertFalse(self._call_contacts(todo))
        call = self._activity(partner_b, self.call_type)
        with self._refused(UserError, "cannot be scheduled"):
            call.res_id = partner_a.id
        call.invalidate_recordset()
        self.assertEqual(call.res_id, partner_b.id)
        self.assertEqual(self._call_contacts(call).partner_id, partner_b)
        call.res_id = partner_c.id
        logged = self._call_contacts(call)
        self.assertEqual(
            {(c.partner_id, c.state) for c in logged},
            {(partner_b, "released"), (partner_c, "reserved")},
        )

    @users("user_marketing")
    def test_letter_wizard_result_not_forgeable(self):
        Letter = self.env["campaign.pressure.letter"]
        partner_a = self.partner_a.with_env(self.env)
        for vals in (
            {"state": "done"},
            {"logged_count": 40},
            {"held_partner_ids": [Command.set(partner_a.ids)]},
        ):
            with (
                self.subTest(vals=vals),
                self._refused(AccessError, "written by the log"),
            ):
                Letter.create(dict(vals, partner_ids=[Command.set(partner_a.ids)]))
        wizard = Letter.create({"partner_ids": [Command.set(partner_a.ids)]})
        with self._refused(AccessError, "written by the log"):
            wizard.write({"logged_count": 40})
        wizard.action_log()
        self.assertEqual((wizard.state, wizard.logged_count), ("done", 1))
        with self._refused(UserError, "already logged"):
            wizard.action_log()
        logged = self.env["campaign.pressure.contact"].search(
            [("partner_id", "=", partner_a.id), ("source", "=", "letter")]
        )
        self.assertEqual(len(logged), 1)

    @users("user_marketing")
    def test_check_figures_not_forgeable(self):
        """The figures of a pressure check (and of the Send confirmation)
        are the check's: a client cannot write them, nor add lines."""
        mailing = self._create_partner_mailing(self.partners.with_env(self.env))
        Simulation = self.env["campaign.pressure.simulation"]
        for vals in ({"held_count": 0}, {"send_count": 99}, {"exempt_count": 3}):
            with (
                self.subTest(vals=vals),
                self._refused(AccessError, "written by the check"),
            ):
                Simulation.create(dict(vals, mailing_id=mailing.id))
        simulation = Simulation.browse(mailing.action_confirm_send()["res_id"])
        with self._refused(AccessError, "written by the check"):
            simulation.write({"held_count": 0})
        with self._refused(AccessError, "written by the check"):
            simulation.write({"rule_line_ids": [Command.create({"held_count": 7})]})
        for model in (
            "campaign.pressure.simulation.rule",
            "campaign.pressure.simulation.recipient",
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].create({"simulation_id": simulation.id})
        # the confirmation sends what Odoo's Send button sends, once
        simulation.action_send()
        self.assertEqual(mailing.state, "in_queue")
        with self._refused(UserError, "already sent or queued"):
            simulation.action_send()
        with self._refused(UserError, "already sent or queued"):
            mailing.action_confirm_send()

    # ------------------------------------------------------------------
    # Finding 8: internal scoring is staff-only
    # ------------------------------------------------------------------

    def test_internal_scoring_not_readable_by_portal_nor_staff(self):
        self.user_portal.partner_id._pressure_cooldown("feedback")
        scoring = [
            "pressure_cooldown_until",
            "pressure_cooldown_reason",
            "pressure_contact_count",
        ]
        for user in (self.user_portal, self.user_employee):
            partner = user.partner_id.with_user(user)
            for fname in scoring:
                with self.subTest(user=user.login, field=fname):
                    with self.assertRaises(AccessError):
                        partner.read([fname])
            for fname in scoring[:2]:  # stored: an oracle through search
                with self.subTest(user=user.login, field=fname):
                    with self.assertRaises(AccessError):
                        partner.search([(fname, "!=", False)])
            self.assertNotIn(
                "pressure_cooldown_reason", partner.fields_get(attributes=["string"])
            )
            # what the portal shows the person stays theirs to read
            self.assertEqual(
                partner.read(["pressure_max_contacts"])[0]["pressure_max_contacts"], 0
            )
        marketing = self.user_portal.partner_id.with_user(self.user_marketing)
        self.assertEqual(marketing.pressure_cooldown_reason, "feedback")

    @users("user_marketing")
    def test_cooldown_ends_by_a_manager_only(self):
        partner = self.partner_a.with_env(self.env)
        partner._pressure_cooldown("complaint")
        until = partner.pressure_cooldown_until
        for value in (False, fields.Datetime.now()):
            with (
                self.subTest(value=value),
                self._refused(AccessError, "pressure manager"),
            ):
                partner.write({"pressure_cooldown_until": value})
        partner.invalidate_recordset()
        self.assertEqual(partner.pressure_cooldown_until, until)
        # extending it lowers the room: anyone who may edit the person
        partner.pressure_cooldown_until = until + timedelta(days=1)
        partner.with_user(self.user_pressure_manager).pressure_cooldown_until = False
        self.assertFalse(partner.pressure_cooldown_until)

    # ------------------------------------------------------------------
    # Public methods
    # ------------------------------------------------------------------

    def test_buttons_check_their_caller(self):
        mailing = self._create_partner_mailing(self.partner_a)
        for user in (self.user_portal, self.user_employee):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    user.partner_id.with_user(user).action_view_pressure_contacts()
                with self.assertRaises(AccessError):
                    mailing.with_user(user).action_view_pressure_held()
                with self.assertRaises(AccessError):
                    mailing.with_user(user).action_check_pressure()
                with self.assertRaises(AccessError):
                    mailing.with_user(user).action_confirm_send()
        action = self.partner_a.with_user(
            self.user_marketing
        ).action_view_pressure_contacts()
        self.assertEqual(action["domain"], [("partner_id", "=", self.partner_a.id)])

    def test_public_surface_is_reviewed(self):
        """Every public method campaign_pressure defines (on its own models
        and the models it extends) is in the reviewed table, and nothing
        else."""
        found = set()
        for cls in MetaModel.module_to_models["campaign_pressure"]:
            model_name = cls._name or cls._inherit
            for name, member in vars(cls).items():
                if not name.startswith("_") and callable(member):
                    found.add((model_name, name))
        self.assertTrue(found)
        self.assertEqual(sorted(found - set(PUBLIC_METHODS)), [], "not reviewed")
        self.assertEqual(sorted(set(PUBLIC_METHODS) - found), [], "gone: update")
