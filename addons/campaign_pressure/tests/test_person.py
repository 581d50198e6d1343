from datetime import datetime, timedelta

from freezegun import freeze_time
from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged, users

from ..models.res_partner import QUIET_DAY_FIELDS
from .common import PressureCommon


@tagged("post_install", "-at_install")
class TestPressurePerson(PressureCommon):
    """Per-person caps, blocked channels, quiet hours, cool-down."""

    def test_own_cap_lower_than_rules(self):
        self._create_rule(max_contacts=10)
        self.partner_a.write({"pressure_max_contacts": 1, "pressure_period": "week"})
        self._log_contacts(self.partner_a | self.partner_b, channel="sms", days_ago=0)
        decisions = self._decide(self.partner_a | self.partner_b)
        self.assertFalse(decisions[self.partner_a.id]["allowed"])
        self.assertIn("own cap", decisions[self.partner_a.id]["reason"])
        self.assertFalse(decisions[self.partner_a.id]["rule_id"])
        self.assertTrue(decisions[self.partner_b.id]["allowed"])

    def test_own_cap_without_rules_and_period(self):
        self.partner_a.write({"pressure_max_contacts": 2, "pressure_period": "month"})
        with freeze_time("2026-05-20 10:00:00"):
            self._log_contacts(self.partner_a, days_ago=10)
            self._log_contacts(self.partner_a, days_ago=1)
            self.assertFalse(self._decide(self.partner_a)[self.partner_a.id]["allowed"])
        with freeze_time("2026-06-02 10:00:00"):
            self.assertTrue(self._decide(self.partner_a)[self.partner_a.id]["allowed"])

    def test_blocked_channel(self):
        self.partner_a.pressure_blocked_channel_ids = [
            Command.set(self.channel_sms.ids)
        ]
        self.assertFalse(
            self._decide(self.partner_a, channel="sms")[self.partner_a.id]["allowed"]
        )
        self.assertTrue(
            self._decide(self.partner_a, channel="email")[self.partner_a.id]["allowed"]
        )
        # transactional messages are not capped, but a blocked channel holds
        # them too: the person's choice
        decision = self._decide(
            self.partner_a, channel="sms", message={"exempt": True}
        )[self.partner_a.id]
        self.assertFalse(decision["allowed"])
        self.assertIn("blocked", decision["reason"])

    def test_quiet_hours(self):
        self.partner_a.write(
            {"tz": "Europe/Kyiv", "pressure_quiet_from": 21.0, "pressure_quiet_to": 8.0}
        )
        with freeze_time("2026-01-10 20:30:00"):  # 22:30 in Kyiv
            decision = self._decide(self.partner_a)[self.partner_a.id]
            self.assertFalse(decision["allowed"])
            self.assertIn("Quiet hours", decision["reason"])
        with freeze_time("2026-01-10 10:00:00"):  # 12:00 in Kyiv
            self.assertTrue(self._decide(self.partner_a)[self.partner_a.id]["allowed"])
        with self.assertRaises(ValidationError):
            self.partner_b.pressure_quiet_from = 25

    def test_quiet_hours_postpone_when_the_channel_can_wait(self):
        """For email (the caller says the message can wait), quiet hours
        postpone the message to their end instead of holding it back; the
        caps still apply."""
        self.partner_a.write(
            {"tz": "Europe/Kyiv", "pressure_quiet_from": 21.0, "pressure_quiet_to": 8.0}
        )
        wait = {"postpone_quiet": True}
        for now, until in (
            ("2026-01-10 20:30:00", datetime(2026, 1, 11, 6, 0)),  # 22:30 in Kyiv
            ("2026-01-11 00:00:00", datetime(2026, 1, 11, 6, 0)),  # 02:00 in Kyiv
        ):
            with freeze_time(now):
                decision = self._decide(self.partner_a, message=wait)[self.partner_a.id]
                self.assertTrue(decision["allowed"])
                self.assertEqual(decision["postpone_until"], until)
        with freeze_time("2026-01-10 10:00:00"):  # 12:00 in Kyiv: not quiet
            decision = self._decide(self.partner_a, message=wait)[self.partner_a.id]
            self.assertTrue(decision["allowed"])
            self.assertFalse(decision.get("postpone_until"))
        self._create_rule(name="One a month", max_contacts=1)
        with freeze_time("2026-01-10 20:30:00"):
            self._log_contacts(self.partner_a, days_ago=2)
            decision = self._decide(self.partner_a, message=wait)[self.partner_a.id]
            self.assertFalse(decision["allowed"], "over a cap: held back")
            self.assertIn("One a month", decision["reason"])

    def test_quiet_days_hold_marketing_and_say_until_when(self):
        """Quiet days are decided with the quiet hours, in the person's time
        zone: a marketing message is held back until the next day that is
        not quiet; a transactional one still goes out."""
        self.partner_a.write(
            {
                "tz": "Europe/Kyiv",
                "pressure_quiet_sat": True,
                "pressure_quiet_sun": True,
            }
        )
        # Friday 23:30 in Kyiv is Friday: not quiet; 00:30 is Saturday
        with freeze_time("2026-01-09 21:30:00"):
            self.assertTrue(self._decide(self.partner_a)[self.partner_a.id]["allowed"])
        with freeze_time("2026-01-09 22:30:00"):
            decision = self._decide(self.partner_a)[self.partner_a.id]
            self.assertFalse(decision["allowed"])
            self.assertEqual(decision["reason_code"], "quiet_day")
            # Monday 00:00 in Kyiv (UTC+2)
            self.assertEqual(decision["reason_args"], {"until": "2026-01-11 22:00:00"})
            self.assertIn("Quiet day of the person: nothing until", decision["reason"])
            self.assertEqual(decision["phone_action"], "block")
            self.assertTrue(self._decide(self.partner_b)[self.partner_b.id]["allowed"])
            exempt = self._decide(self.partner_a, message={"exempt": True})
            self.assertTrue(exempt[self.partner_a.id]["allowed"])

    def test_quiet_days_postpone_after_the_quiet_hours(self):
        """An email can wait: postponed to the next day that is not quiet,
        after the quiet hours that begin it; every day quiet: held back."""
        self.partner_a.write(
            {
                "tz": "Europe/Kyiv",
                "pressure_quiet_sun": True,
                "pressure_quiet_from": 21.0,
                "pressure_quiet_to": 8.0,
            }
        )
        wait = {"postpone_quiet": True}
        with freeze_time("2026-01-11 10:00:00"):  # Sunday 12:00 in Kyiv
            decision = self._decide(self.partner_a, message=wait)[self.partner_a.id]
            self.assertTrue(decision["allowed"])
            # Monday 08:00 in Kyiv
            self.assertEqual(decision["postpone_until"], datetime(2026, 1, 12, 6, 0))
            self.partner_a.write(
                self.env["res.partner"]._pressure_quiet_day_values(range(7))
            )
            decision = self._decide(self.partner_a, message=wait)[self.partner_a.id]
            self.assertFalse(decision["allowed"])
            self.assertEqual(
                (decision["reason_code"], decision["reason_args"]), ("quiet_day", {})
            )
            self.assertEqual(
                decision["reason"], "Quiet days of the person: every day of the week."
            )

    def test_quiet_days_read_as_day_names(self):
        """Issue 12, finding 11: the partner form showed quiet days as "6";
        they are week day fields named in the reader's language."""
        self.env["res.lang"]._activate_lang("uk_UA")
        self.env["ir.module.module"]._load_module_terms(
            ["campaign_pressure"], ["uk_UA"]
        )
        Partner = self.env["res.partner"].with_context(lang="uk_UA")
        self.assertEqual(
            Partner._pressure_weekday_labels(),
            [
                "Понеділок",
                "Вівторок",
                "Середа",
                "Четвер",
                "П'ятниця",
                "Субота",
                "Неділя",
            ],
        )
        arch = Partner.get_view(view_type="form")["arch"]
        for fname in QUIET_DAY_FIELDS:
            self.assertIn(f'name="{fname}"', arch)
        fields_info = Partner.fields_get(list(QUIET_DAY_FIELDS), ["string", "type"])
        self.assertEqual(
            fields_info["pressure_quiet_sat"], {"string": "Субота", "type": "boolean"}
        )

    def test_negative_cap_refused(self):
        with self.assertRaises(ValidationError):
            self.partner_a.pressure_max_contacts = -1

    def test_cooldown_lowers_threshold_then_expires(self):
        self.env.company.write(
            {"pressure_cooldown_days": 10, "pressure_cooldown_factor": 0.5}
        )
        self._create_rule(max_contacts=2, window_days=60)
        with freeze_time("2026-02-01 10:00:00"):
            self._log_contacts(self.partner_a, days_ago=1)
            self.assertTrue(self._decide(self.partner_a)[self.partner_a.id]["allowed"])
            self.partner_a._pressure_cooldown("feedback")
            self.assertEqual(self.partner_a.pressure_cooldown_reason, "feedback")
            decision = self._decide(self.partner_a)[self.partner_a.id]
            self.assertFalse(decision["allowed"])
            self.assertEqual(decision["threshold"], 1)
            self.assertIn("Cool-down", decision["reason"])
        with freeze_time("2026-02-12 10:00:00"):
            self.assertTrue(
                self._decide(self.partner_a)[self.partner_a.id]["allowed"],
                "cool-down expired",
            )
        with self.assertRaises(ValidationError):
            self.partner_a._pressure_cooldown("bad reason")

    def test_cooldown_triggers(self):
        now = fields.Datetime.now()
        # blacklist (unsubscribe from everything)
        self.env["mail.blacklist"].sudo()._add(self.partner_a.email)
        self.assertGreater(self.partner_a.pressure_cooldown_until, now)
        self.assertEqual(self.partner_a.pressure_cooldown_reason, "unsubscribe")
        # opt-out of a mailing list
        mailing_list = self.env["mailing.list"].create(
            {
                "name": "List",
                "contact_ids": [
                    Command.create({"name": "B", "email": self.partner_b.email})
                ],
            }
        )
        self.assertFalse(self.partner_b.pressure_cooldown_until)
        mailing_list.subscription_ids.opt_out = True
        self.assertGreater(self.partner_b.pressure_cooldown_until, now)
        # hard bounce
        self.partner_c._message_receive_bounce(self.partner_c.email, self.partner_c)
        self.assertEqual(self.partner_c.pressure_cooldown_reason, "bounce")
        self.assertGreater(
            self.partner_c.pressure_cooldown_until, now + timedelta(days=1)
        )

    @users("user_marketing")
    def test_letters_logged(self):
        self._create_rule(
            max_contacts=1, channel_ids=[Command.set(self.channel_letter.ids)]
        )
        self._log_contacts(self.partner_b, channel="letter")
        wizard = (
            self.env["campaign.pressure.letter"]
            .with_context(
                active_model="res.partner",
                active_ids=(self.partner_a | self.partner_b).ids,
            )
            .create({"weight": 1})
        )
        self.assertEqual(wizard.partner_ids, self.partner_a | self.partner_b)
        wizard.action_log()
        self.assertEqual(wizard.logged_count, 1)
        self.assertEqual(wizard.held_partner_ids, self.partner_b)
        logged = self.env["campaign.pressure.contact"].search(
            [("partner_id", "=", self.partner_a.id), ("channel", "=", "letter")]
        )
        self.assertEqual(logged.state, "confirmed")
        self.assertEqual(logged.source, "letter")
        self.assertEqual(logged.user_id, self.env.user)
