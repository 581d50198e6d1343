from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from odoo import Command, fields
from odoo.addons.campaign_pressure.engine.timeframes import local_period_start
from odoo.addons.campaign_pressure.models import (
    campaign_pressure_engine as engine_module,
)
from odoo.tests import tagged

from .common import PressureCommon


@tagged("post_install", "-at_install")
class TestPressureEngine(PressureCommon):
    """Window arithmetic, weights, scopes, exemptions."""

    def test_rolling_window(self):
        self._create_rule(max_contacts=2, window_days=30)
        self._log_contacts(self.partner_a, days_ago=29)
        self._log_contacts(self.partner_a, days_ago=31)  # out of the window
        self._log_contacts(self.partner_b, days_ago=5)
        self._log_contacts(self.partner_b, days_ago=29)
        decisions = self._decide(self.partner_a | self.partner_b | self.partner_c)
        self.assertTrue(decisions[self.partner_a.id]["allowed"])
        self.assertFalse(decisions[self.partner_b.id]["allowed"])
        self.assertEqual(decisions[self.partner_b.id]["count"], 2)
        self.assertEqual(decisions[self.partner_b.id]["threshold"], 2)
        self.assertIn("Test rule", decisions[self.partner_b.id]["reason"])
        self.assertTrue(decisions[self.partner_c.id]["allowed"])

    def test_released_not_counted_and_channels(self):
        self._create_rule(
            max_contacts=1, channel_ids=[Command.set(self.channel_sms.ids)]
        )
        self._log_contacts(self.partner_a, channel="sms", state="released")
        self._log_contacts(self.partner_b, channel="email")
        self._log_contacts(self.partner_c, channel="sms")
        decisions = self._decide(self.partners[:3], channel="sms")
        self.assertTrue(
            decisions[self.partner_a.id]["allowed"], "released contacts do not count"
        )
        self.assertTrue(
            decisions[self.partner_b.id]["allowed"],
            "email is not counted by an SMS rule",
        )
        self.assertFalse(decisions[self.partner_c.id]["allowed"])
        # an SMS rule does not apply to emails
        self.assertTrue(
            self._decide(self.partner_c, channel="email")[self.partner_c.id]["allowed"]
        )

    def test_weights(self):
        self._create_rule(max_contacts=3)
        self._log_contacts(self.partner_a, weight=2)
        self.assertTrue(self._decide(self.partner_a)[self.partner_a.id]["allowed"])
        decision = self._decide(self.partner_a, message={"weight": 2})[
            self.partner_a.id
        ]
        self.assertFalse(decision["allowed"], "2 + 2 > 3")
        self.assertEqual(decision["count"], 2)

    def test_batch_accumulates(self):
        """The same person twice in a batch (partner, list contact): one budget."""
        self._create_rule(max_contacts=1)
        requests = [
            {"ref": 1, "partner_id": self.partner_a.id},
            {"ref": 2, "email": self.partner_a.email_normalized},
            {"ref": 3, "email": "nobody@pressure.test"},
            {"ref": 4, "email": "nobody@pressure.test"},
        ]
        decisions = self.engine._pressure_evaluate(requests, "email", lock=False)
        self.assertEqual(decisions[1]["key"], decisions[2]["key"])
        self.assertEqual(decisions[2]["partner_id"], self.partner_a.id)
        self.assertTrue(decisions[1]["allowed"])
        self.assertFalse(decisions[2]["allowed"])
        self.assertEqual(decisions[3]["key"], "e:nobody@pressure.test")
        self.assertTrue(decisions[3]["allowed"])
        self.assertFalse(decisions[4]["allowed"])

    def test_phone_key_resolves_partner(self):
        self._create_rule(max_contacts=1)
        self._log_contacts(self.partner_a, channel="sms")
        requests = [
            {"ref": 1, "phone": self.partner_a.phone_sanitized},
            {"ref": 2, "phone": "+32499999999"},
        ]
        decisions = self.engine._pressure_evaluate(requests, "sms", lock=False)
        self.assertEqual(decisions[1]["key"], f"p:{self.partner_a.id}")
        self.assertFalse(decisions[1]["allowed"])
        self.assertEqual(decisions[2]["key"], "t:+32499999999")
        self.assertTrue(decisions[2]["allowed"])

    def test_calendar_week_timezone(self):
        """Sunday 20:00 UTC is already Monday in Auckland: a new week there."""
        self._create_rule(window_type="calendar", period="week", max_contacts=1)
        self.partner_a.tz = "Pacific/Auckland"
        self.partner_b.tz = "Europe/Brussels"
        with freeze_time("2026-03-01 09:00:00"):  # Sunday, both still in week 9
            self._log_contacts(self.partner_a | self.partner_b, days_ago=0)
        with freeze_time("2026-03-01 20:00:00"):
            decisions = self._decide(self.partner_a | self.partner_b)
        self.assertTrue(decisions[self.partner_a.id]["allowed"], "new week in Auckland")
        self.assertFalse(
            decisions[self.partner_b.id]["allowed"], "still Sunday in Brussels"
        )

    def test_calendar_month(self):
        self._create_rule(window_type="calendar", period="month", max_contacts=1)
        with freeze_time("2026-03-31 10:00:00"):
            self._log_contacts(self.partner_a, days_ago=0)
        with freeze_time("2026-03-31 18:00:00"):
            self.assertFalse(self._decide(self.partner_a)[self.partner_a.id]["allowed"])
        with freeze_time("2026-04-01 08:00:00"):
            self.assertTrue(self._decide(self.partner_a)[self.partner_a.id]["allowed"])

    def test_rolling_and_calendar_in_one_rule(self):
        """A rule on both windows: the maximum holds in the last N days and in
        the current calendar week."""
        self._create_rule(
            name="Both",
            window_type="both",
            window_days=3,
            period="week",
            max_contacts=1,
        )
        with freeze_time("2026-03-02 10:00:00"):  # Monday
            # a: Sunday, 1 day ago: last week, but within the last 3 days
            self._log_contacts(self.partner_a, days_ago=1)
            # b: 5 days ago, last week: out of both windows
            self._log_contacts(self.partner_b, days_ago=5)
            decisions = self._decide(self.partner_a | self.partner_b)
            self.assertFalse(decisions[self.partner_a.id]["allowed"], "rolling window")
            self.assertTrue(decisions[self.partner_b.id]["allowed"])
        with freeze_time("2026-03-07 10:00:00"):  # Saturday of the same week
            # c: Monday of this week, 5 days ago: out of the rolling window,
            # inside the calendar week
            self._log_contacts(self.partner_c, days_ago=5)
            decision = self._decide(self.partner_c)[self.partner_c.id]
            self.assertFalse(decision["allowed"], "calendar week")
            self.assertIn("Both", decision["reason"])

    def test_period_start_python_matches_postgresql(self):
        """People without a time zone get the period start computed in Python
        (the sender's zone); it must be PostgreSQL's, DST changes included."""
        moments = [
            datetime(2026, 3, 29, 0, 30),  # Europe: DST starts at 01:00 UTC
            datetime(2026, 10, 25, 0, 30),  # Europe: DST ends
            datetime(2026, 4, 4, 23, 0),  # Auckland: DST ends on Apr 5
            datetime(2026, 9, 6, 3, 30),  # Santiago: DST starts at midnight
            datetime(2026, 2, 28, 23, 59),  # end of month
            datetime(2026, 1, 1, 0, 0),
        ]
        zones = [
            "UTC",
            "Europe/Kyiv",
            "Europe/Sofia",
            "Pacific/Auckland",
            "America/Santiago",
        ]
        for now in moments:
            for tz in zones:
                for period in ("day", "week", "month"):
                    self.env.cr.execute(
                        "SELECT timezone('UTC', timezone(%s, date_trunc(%s,"
                        " timezone(%s, timezone('UTC', %s::timestamp)))))",
                        (tz, period, tz, now),
                    )
                    expected = self.env.cr.fetchone()[0]
                    with self.subTest(now=now, tz=tz, period=period):
                        self.assertEqual(
                            local_period_start(period, now, tz),
                            expected,
                        )

    def test_scopes_and_exemption(self):
        campaign = self.env["utm.campaign"].create({"name": "Open days"})
        tag = self.env["utm.tag"].create({"name": "Admissions"})
        campaign_tagged = self.env["utm.campaign"].create(
            {"name": "Scholarships", "tag_ids": [Command.set(tag.ids)]}
        )
        rule_marketing = self._create_rule(max_contacts=1)
        # transactional contact: not counted by a marketing-only rule
        self._log_contacts(self.partner_a, is_transactional=True)
        self.assertTrue(self._decide(self.partner_a)[self.partner_a.id]["allowed"])
        rule_marketing.scope = "all"
        self.assertFalse(self._decide(self.partner_a)[self.partner_a.id]["allowed"])
        # a transactional message is never blocked (but counted)
        decision = self._decide(self.partner_a, message={"exempt": True})[
            self.partner_a.id
        ]
        self.assertTrue(decision["allowed"])
        rule_marketing.active = False
        # campaign scope: counts and applies only to that campaign
        self._create_rule(
            max_contacts=1, scope="campaign", campaign_ids=[Command.set(campaign.ids)]
        )
        self._log_contacts(self.partner_b, campaign_id=campaign.id)
        self._log_contacts(self.partner_c)
        msg = {"campaign_id": campaign.id}
        decisions = self._decide(self.partner_b | self.partner_c, message=msg)
        self.assertFalse(decisions[self.partner_b.id]["allowed"])
        self.assertTrue(decisions[self.partner_c.id]["allowed"])
        self.assertTrue(
            self._decide(self.partner_b)[self.partner_b.id]["allowed"],
            "other campaigns are free",
        )
        # tag scope
        self._create_rule(
            max_contacts=1, scope="tag", utm_tag_ids=[Command.set(tag.ids)]
        )
        self._log_contacts(self.partner_c, campaign_id=campaign_tagged.id)
        msg = {"campaign_id": campaign_tagged.id, "campaign_tag_ids": (tag.id,)}
        self.assertFalse(
            self._decide(self.partner_c, message=msg)[self.partner_c.id]["allowed"]
        )

    def test_strictest_rule_wins(self):
        self._create_rule(name="Loose", max_contacts=5)
        strict = self._create_rule(name="Strict", max_contacts=1, window_days=7)
        self._log_contacts(self.partner_a, days_ago=2)
        decision = self._decide(self.partner_a)[self.partner_a.id]
        self.assertFalse(decision["allowed"])
        self.assertEqual(decision["rule_id"], strict.id)

    def test_query_count_constant(self):
        """One statement for the whole batch, whatever its size: it counts,
        locks and reserves the recipients it allows at once."""
        self._create_rule(max_contacts=2)
        self._create_rule(window_type="calendar", period="week", max_contacts=1)
        partners = self.env["res.partner"].create(
            [{"name": f"Q{i}", "email": f"q{i}@pressure.test"} for i in range(40)]
        )
        self.env.flush_all()
        # warm the caches (rules, and whatever extensions cache) with a dry run
        self.engine._pressure_evaluate(
            [{"ref": partners[0].id, "partner_id": partners[0].id}], "email", lock=False
        )
        with self.assertQueryCount(1):
            decisions = self.engine._pressure_check_and_reserve(
                [{"ref": p.id, "partner_id": p.id} for p in partners[:5]],
                "email",
                "mailing",
                res_model="res.partner",
            )
        self.assertEqual(len(decisions), 5)
        with self.assertQueryCount(1):
            decisions = self.engine._pressure_check_and_reserve(
                [{"ref": p.id, "partner_id": p.id} for p in partners[5:]],
                "email",
                "mailing",
                res_model="res.partner",
            )
        self.assertEqual(len(decisions), 35)
        logged = self.env["campaign.pressure.contact"].search(
            [("partner_id", "in", partners.ids)]
        )
        self.assertEqual(len(logged), 40)
        self.assertEqual(set(logged.mapped("state")), {"reserved"})

    def test_reserve_mixed_batch(self):
        """Reservations of a batch mixing recipients the statement allows at
        once and recipients decided in Python: one row per allowed request."""
        self._create_rule(max_contacts=2)
        self._log_contacts(self.partner_b, days_ago=1)
        self._log_contacts(self.partner_b, days_ago=2)  # saturated
        self.partner_c.pressure_max_contacts = 5  # own cap: decided in Python
        self.partner_c.pressure_period = "month"
        list_email = "list-only@pressure.test"
        requests = [
            {"ref": 1, "partner_id": self.partner_a.id},  # allowed at once
            {"ref": 2, "partner_id": self.partner_b.id},  # held back
            {"ref": 3, "partner_id": self.partner_c.id},  # allowed in Python
            {"ref": 4, "email": list_email},  # resolved, allowed at once
            {"ref": 5, "partner_id": self.partners[3].id},  # the same person
            {"ref": 6, "email": self.partners[3].email_normalized},  # twice
        ]
        Contact = self.env["campaign.pressure.contact"]
        last_id = Contact.search([], order="id desc", limit=1).id or 0
        decisions = self.engine._pressure_check_and_reserve(
            requests, "email", "mailing", res_model="res.partner"
        )
        self.assertEqual(
            {ref for ref, d in decisions.items() if d["allowed"]}, {1, 3, 4, 5, 6}
        )
        logged = Contact.search([("id", ">", last_id)])
        self.assertEqual(set(logged.mapped("state")), {"reserved"})
        self.assertEqual(sorted(logged.mapped("res_id")), [1, 3, 4, 5, 6])
        by_ref = {c.res_id: c for c in logged}
        self.assertEqual(by_ref[1].person_key, f"p:{self.partner_a.id}")
        self.assertEqual(by_ref[4].person_key, f"e:{list_email}")
        self.assertFalse(by_ref[4].partner_id)
        self.assertEqual(by_ref[6].partner_id, self.partners[3])
        self.assertEqual(set(logged.mapped("weight")), {1})
        # a transactional message: counted for everyone, in the statement
        exempt = self.engine._pressure_evaluate(
            [{"ref": 7, "partner_id": self.partner_b.id}],
            "email",
            message={"exempt": True},
            reserve=self.engine._pressure_log_values(
                "email", "mailing", {"is_transactional": True}
            ),
        )
        self.assertTrue(exempt[7]["allowed"] and exempt[7].get("logged"))
        self.assertEqual(
            Contact.search([("id", ">", max(logged.ids))]).mapped(
                lambda c: (c.res_id, c.partner_id, c.is_transactional)
            ),
            [(7, self.partner_b, True)],
        )

    def test_partner_read_paths_agree(self):
        """A send batch reads partners by index probes, a large simulation by
        a join the planner chooses: both decide alike (time zone, own caps,
        blocked channels, cool-down, unknown and list-only people)."""
        self._create_rule(max_contacts=2)
        self._create_rule(
            name="One a week", window_type="calendar", period="week", max_contacts=1
        )
        self.partner_a.tz = "Pacific/Auckland"
        requests = [{"ref": p.id, "partner_id": p.id} for p in self.partners]
        requests.append({"ref": 0, "email": "list-only@pressure.test"})

        def decide(limit):
            with patch.object(engine_module, "PROBE_LIMIT", limit):
                return self.engine._pressure_evaluate(requests, "email", lock=False)

        with freeze_time("2026-03-18 12:00:00"):  # a Wednesday
            self._log_contacts(self.partner_a, days_ago=0)
            self._log_contacts(self.partner_b, days_ago=8)
            self._log_contacts(self.partner_b, days_ago=9)
            self.partner_c.write(
                {"pressure_max_contacts": 1, "pressure_period": "month"}
            )
            self._log_contacts(self.partner_c, days_ago=10)
            self.partners[3].pressure_blocked_channel_ids = self.channel_email
            self.partners[4].pressure_cooldown_until = (
                fields.Datetime.now() + timedelta(days=3)
            )
            self._log_contacts(self.partners[4], days_ago=12)
            probed, joined = decide(1000), decide(0)
        self.assertEqual(probed, joined)
        self.assertEqual(
            {ref for ref, d in probed.items() if not d["allowed"]},
            set(self.partners.ids),
        )
        self.assertTrue(probed[0]["allowed"])
        self.assertIn("One a week", probed[self.partner_a.id]["reason"])
        self.assertIn("own cap", probed[self.partner_c.id]["reason"])
        self.assertIn("blocked", probed[self.partners[3].id]["reason"])
        self.assertIn("Cool-down", probed[self.partners[4].id]["reason"])

    def test_date_guard(self):
        """Contacts dated in the future (clock skew) are counted too."""
        self._create_rule(max_contacts=1)
        self._log_contacts(self.partner_a, days_ago=-1)
        self.assertFalse(self._decide(self.partner_a)[self.partner_a.id]["allowed"])
