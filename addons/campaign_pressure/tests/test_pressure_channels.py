from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common import PressureCommon

CODES = ("email", "sms", "phone", "letter")


@tagged("post_install", "-at_install")
class TestPressureChannels(PressureCommon):
    """One statement for several channels (what a best-channel plan asks)
    decides as the check of each channel does on its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.tag = env["utm.tag"].create({"name": "Open days"})
        cls.campaign = env["utm.campaign"].create(
            {"title": "Autumn intake", "tag_ids": [Command.set(cls.tag.ids)]}
        )
        cls.people = env["res.partner"].create(
            [
                {"name": f"Channels Person {i}", "email": f"ch{i}@channels.test"}
                for i in range(10)
            ]
        )
        p = cls.people
        # rules of different channels, windows and scopes
        cls._create_rule(
            name="One email a month",
            channel_ids=[Command.set(cls.channel_email.ids)],
            max_contacts=1,
        )
        cls._create_rule(name="Three a month", max_contacts=3)
        cls._create_rule(
            name="One SMS a week",
            channel_ids=[Command.set(cls.channel_sms.ids)],
            window_type="calendar",
            period="week",
            max_contacts=1,
        )
        cls._create_rule(
            name="Open days: one call",
            channel_ids=[Command.set(cls.channel_phone.ids)],
            scope="tag",
            utm_tag_ids=[Command.set(cls.tag.ids)],
            max_contacts=1,
        )
        cls._log_contacts(p[0], channel="email")
        cls._log_contacts(p[1], channel="sms")
        for _i in range(3):
            cls._log_contacts(p[2], channel="letter", days_ago=3)
        cls._log_contacts(p[3], channel="phone", campaign_id=cls.campaign.id)
        # the person's own settings
        p[4].pressure_blocked_channel_ids = [
            Command.set((cls.channel_sms | cls.channel_letter).ids)
        ]
        p[5].write({"pressure_max_contacts": 1, "pressure_period": "week"})
        cls._log_contacts(p[5], channel="phone")
        p[6].write({"pressure_quiet_from": 0.0, "pressure_quiet_to": 23.99})
        p[7].pressure_quiet_sun = p[7].pressure_quiet_mon = True
        p[7].pressure_quiet_tue = p[7].pressure_quiet_wed = True
        p[7].pressure_quiet_thu = p[7].pressure_quiet_fri = True
        p[7].pressure_quiet_sat = True
        p[8].sudo().pressure_cooldown_until = fields.Datetime.now() + timedelta(days=5)

    def _requests(self):
        p = self.people
        # p9 twice (two records of one person); p3 is not asked by letter
        return {
            code: [
                {"ref": 100 + i, "partner_id": person.id}
                for i, person in enumerate(p)
                if not (code == "letter" and person == p[3])
            ]
            + [{"ref": 200, "partner_id": p[9].id}]
            for code in CODES
        }

    def _messages(self):
        message = {
            "campaign_id": self.campaign.id,
            "campaign_tag_ids": (self.tag.id,),
            "company_id": self.env.company.id,
            "explain": False,
        }
        return {code: dict(message, postpone_quiet=code == "email") for code in CODES}

    def _one_by_one(self, requests, messages, now):
        held = {}
        for code in CODES:
            decisions = self.engine._pressure_evaluate(
                requests[code], code, message=dict(messages[code]), lock=False, now=now
            )
            held[code] = {
                ref: (d["reason_code"], d["reason_args"], d["rule_id"], d["count"])
                for ref, d in decisions.items()
                if not d["allowed"]
            }
        return held

    def test_same_decisions_as_each_channel_alone(self):
        now = fields.Datetime.now()
        requests, messages = self._requests(), self._messages()
        expected = self._one_by_one(requests, messages, now)
        # the statement, then per channel the response suppressions of the
        # people left to decide (campaign_response_suppression)
        with self.assertQueryCount(5):
            got = self.engine._pressure_held_per_channel(requests, messages, now=now)
        self.assertEqual(
            {
                code: {
                    ref: (d["reason_code"], d["reason_args"], d["rule_id"], d["count"])
                    for ref, d in held.items()
                }
                for code, held in got.items()
            },
            expected,
        )
        p = self.people
        # not vacuous: every channel holds someone back, for its own reasons
        # (p2's three letters fill every channel's "three a month"; p9's
        # second record: one email, one SMS a week, one call of the tag; a
        # cool-down halves the caps: p8 keeps room for a letter only)
        held_people = {
            code: sorted(
                "p9 again" if ref == 200 else p[ref - 100].name for ref in held
            )
            for code, held in expected.items()
        }
        name = "Channels Person %s".__mod__
        self.assertEqual(
            held_people,
            {
                "email": [*map(name, (0, 2, 5, 7, 8)), "p9 again"],
                "sms": [*map(name, (1, 2, 4, 5, 6, 7, 8)), "p9 again"],
                "phone": [*map(name, (2, 3, 5, 6, 7, 8)), "p9 again"],
                "letter": [*map(name, (2, 4, 5, 6, 7))],
            },
        )

    def test_nobody_asked(self):
        self.assertEqual(
            self.engine._pressure_held_per_channel({"email": []}, self._messages()), {}
        )
