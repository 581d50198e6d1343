from collections import Counter

from freezegun import freeze_time
from lxml import etree
from odoo import Command
from odoo.addons.campaign_pressure.wizard.campaign_pressure_simulation import (
    ODOO_CATEGORIES,
    mail_failure_types,
    sms_failure_types,
)
from odoo.tests import BaseCase, tagged, users

from .common import PressureCommon

# a Saturday evening: 22:30 in Kyiv, in the quiet hours of partner_c
QUIET_EVENING = "2026-01-10 20:30:00"
COUNTS = {
    "send": "send_count",
    "postponed": "postponed_count",
    "held": "held_count",
    "blacklist": "blacklist_count",
    "optout": "optout_count",
    "duplicate": "duplicate_count",
    "invalid": "invalid_count",
}


@tagged("post_install", "-at_install")
class TestPressureCheckIsTheSend(PressureCommon):
    """Issue 12, finding 9: the check predicts the partition the send
    produces, category by category, on a list with every kind of recipient.
    Each test runs the check, then Odoo's real send (SMTP and SMS gateway
    mocked as Odoo's own mass mailing tests do) and compares the counts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # small batches: duplicates are found across Odoo's batches too
        cls.env["ir.config_parameter"].sudo().set_param("mail.batch_size", 3)
        cls.env.company.write(
            {"pressure_cooldown_days": 10, "pressure_cooldown_factor": 0.5}
        )
        cls.rule = cls._create_rule(name="Two a month", max_contacts=2)
        # partner_a: the rule is reached; partner_b: a spam complaint lowers
        # the rule to 1 (one contact made); partner_c: quiet hours in Kyiv
        cls._log_contacts(cls.partner_a, days_ago=3)
        cls._log_contacts(cls.partner_a, days_ago=4)
        cls._log_contacts(cls.partner_b, days_ago=3)
        cls.partner_b._pressure_cooldown("complaint")
        cls.partner_c.write(
            {"tz": "Europe/Kyiv", "pressure_quiet_from": 21.0, "pressure_quiet_to": 8.0}
        )

    def _list(self, contacts, opted_out=()):
        """A mailing list of ``contacts`` (name -> values); the contacts
        named in ``opted_out`` unsubscribed from it."""
        mailing_list = (
            self.env["mailing.list"]
            .sudo()
            .create(
                {
                    "name": "Applicants",
                    "contact_ids": [
                        Command.create(dict(values, name=name))
                        for name, values in contacts.items()
                    ],
                }
            )
        )
        mailing_list.subscription_ids.filtered(
            lambda s: s.contact_id.name in opted_out
        ).opt_out = True
        return mailing_list.with_env(self.env)

    def _list_mailing(self, mailing_list, mailing_type="mail", **values):
        vals = {
            "name": "List mailing",
            "subject": "List mailing",
            "mailing_type": mailing_type,
            "mailing_model_id": self.env["ir.model"]._get("mailing.list").id,
            "contact_list_ids": [Command.set(mailing_list.ids)],
        }
        if mailing_type == "sms":
            vals.update(body_plaintext="Open day on Saturday", sms_force_send=True)
        else:
            vals["body_html"] = "<p>Open day on Saturday</p>"
        vals.update(values)
        return self.env["mailing.mailing"].create(vals)

    def _check(self, mailing):
        action = mailing.action_check_pressure()
        return self.env["campaign.pressure.simulation"].browse(action["res_id"])

    def _predicted(self, simulation):
        return {
            category: simulation[fname]
            for category, fname in COUNTS.items()
            if simulation[fname]
        }

    def _sent(self, mailing):
        """The send's partition, read off its traces."""
        partition = Counter()
        for trace in self._traces(mailing):
            if trace.failure_type in ODOO_CATEGORIES:
                partition[ODOO_CATEGORIES[trace.failure_type]] += 1
            elif trace.failure_type == "pressure":
                partition["held"] += 1
            elif trace.trace_status == "outgoing" and trace.pressure_postponed_until:
                partition["postponed"] += 1
            elif trace.trace_status in ("sent", "pending", "outgoing"):
                partition["send"] += 1
            else:
                partition[trace.trace_status] += 1
        return dict(partition)

    def _reasons(self, simulation):
        return {
            (line.reason, line.rule_id): line.held_count
            for line in simulation.rule_line_ids
        }

    @users("user_marketing")
    def test_email_check_matches_the_send(self):
        self.env["mail.blacklist"].sudo()._add("black1@pressure.test")
        self.env["mail.blacklist"].sudo()._add("black2@pressure.test")
        mailing_list = self._list(
            {
                "Ann": {"email": "ann@pressure.test"},
                "Ann again": {"email": "ann@pressure.test"},  # same email
                "Bob": {"email": "bob@pressure.test"},
                "Black 1": {"email": "black1@pressure.test"},
                "Black 2": {"email": "Black2@pressure.test"},
                "Gone 1": {"email": "gone1@pressure.test"},
                "Gone 2": {"email": "gone2@pressure.test"},
                "Typo": {"email": "not-an-email"},
                "No email": {"email": False},
                "Saturated": {"email": self.partner_a.email},
                "Cooling": {"email": self.partner_b.email},
                "Asleep": {"email": self.partner_c.email},
            },
            opted_out=("Gone 1", "Gone 2"),
        )
        mailing = self._list_mailing(mailing_list)
        expected = {
            "send": 2,
            "postponed": 1,
            "held": 2,
            "blacklist": 2,
            "optout": 2,
            "duplicate": 1,
            "invalid": 2,
        }
        with freeze_time(QUIET_EVENING):
            simulation = self._check(mailing)
            self.assertEqual(simulation.recipient_count, 12)
            self.assertEqual(self._predicted(simulation), expected)
            self.assertEqual(
                self._reasons(simulation),
                {("rule", self.rule): 1, ("cooldown", self.rule): 1},
            )
            reasons = {line.name: line.reason for line in simulation.recipient_line_ids}
            self.assertIn("Two a month", reasons["Saturated"])
            # the cool-down names what happened, not a rule it did not reach
            self.assertIn("Cool-down until", reasons["Cooling"])
            self.assertIn("Spam complaint", reasons["Cooling"])
            self.assertNotIn("Two a month", reasons["Cooling"])
            self.assertFalse(self._traces(mailing), "the check sends nothing")
            with self.mock_mail_gateway(mail_unlink_sent=False):
                mailing.action_send_mail()
        self.assertEqual(self._sent(mailing), expected)
        held = self._traces(mailing).filtered(lambda t: t.failure_type == "pressure")
        self.assertEqual(
            Counter(held.mapped("pressure_reason")), {"rule": 1, "cooldown": 1}
        )

    @users("user_marketing")
    def test_sms_check_matches_the_send(self):
        self.env["phone.blacklist"].sudo().add("+32470009001")
        mailing_list = self._list(
            {
                "Ann": {"mobile": "+32470009000"},
                "Ann again": {"mobile": "+32470009000"},  # same number
                "Bob": {"mobile": "+32470009002"},
                "Black": {"mobile": "+32470009001"},
                "Gone": {"mobile": "+32470009003"},
                "No number": {"mobile": False},
                "Saturated": {"mobile": self.partner_a.mobile},
                "Cooling": {"mobile": self.partner_b.mobile},
                "Asleep": {"mobile": self.partner_c.mobile},
            },
            opted_out=("Gone",),
        )
        mailing = self._list_mailing(mailing_list, mailing_type="sms")
        # an SMS does not wait for the end of quiet hours: it is held back
        expected = {
            "send": 2,
            "held": 3,
            "blacklist": 1,
            "optout": 1,
            "duplicate": 1,
            # (how a malformed number reads depends on the phonenumbers
            # library, installed or not: a missing number does not)
            "invalid": 1,
        }
        with freeze_time(QUIET_EVENING):
            simulation = self._check(mailing)
            self.assertEqual(self._predicted(simulation), expected)
            self.assertEqual(
                self._reasons(simulation),
                {
                    ("rule", self.rule): 1,
                    ("cooldown", self.rule): 1,
                    ("quiet_hours", self.env["campaign.pressure.rule"]): 1,
                },
            )
            with self.mockSMSGateway():
                mailing.action_send_sms()
        self.assertEqual(self._sent(mailing), expected)

    @users("pressure_manager")
    def test_transactional_check_counts_who_is_sent_over_a_cap(self):
        partners = (self.partner_a | self.partner_b | self.partners[3]).with_env(
            self.env
        )
        mailing = self._create_partner_mailing(partners, pressure_exempt=True)
        simulation = self._check(mailing)
        self.assertEqual(
            (simulation.send_count, simulation.held_count, simulation.exempt_count),
            (3, 0, 2),
        )
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        self.assertEqual(self._sent(mailing), {"send": 3})

    @users("user_marketing")
    def test_send_button_confirms_with_the_partition(self):
        partners = (self.partner_a | self.partner_b | self.partners[3]).with_env(
            self.env
        )
        mailing = self._create_partner_mailing(partners)
        action = mailing.action_confirm_send()
        confirmation = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(confirmation.purpose, "send")
        self.assertEqual((confirmation.send_count, confirmation.held_count), (1, 2))
        self.assertEqual(mailing.state, "draft", "nothing sent before confirming")
        confirmation.action_send()
        self.assertEqual(mailing.state, "in_queue", "as Odoo's Send button")
        with self.mock_mail_gateway(mail_unlink_sent=False):
            self.env["mailing.mailing"].sudo()._process_mass_mailing_queue()
        self.assertEqual(self._sent(mailing), {"send": 1, "held": 2})

    @users("user_marketing")
    def test_send_buttons_open_the_confirmation(self):
        """The mailing form's Send buttons (email, SMS, SMS "Send Now") give
        way to the one that shows the partition first."""
        view = self.env.ref("mass_mailing.view_mail_mass_mailing_form")
        arch = etree.fromstring(self.env["mailing.mailing"].get_view(view.id)["arch"])
        for name in ("action_launch", "action_put_in_queue", "action_send_mail"):
            buttons = arch.xpath(f"//header/button[@name='{name}']")
            self.assertTrue(buttons, name)
            for button in buttons:
                self.assertIn(button.get("invisible"), ("True", "1"), name)
        (send,) = arch.xpath("//header/button[@name='action_confirm_send']")
        self.assertEqual(send.get("string"), "Send")

    @users("user_marketing")
    def test_check_queries_do_not_grow_with_recipients(self):
        """One click, set-based: a check of 5 recipients costs the queries
        of a check of 40."""
        crowd = self.env["res.partner"].create(
            [
                {"name": f"Crowd {i}", "email": f"crowd{i}@pressure.test"}
                for i in range(40)
            ]
        )
        self._log_contacts(crowd.sudo(), days_ago=1, weight=2)  # all saturated
        counts = []
        for recipients in (crowd[:5], crowd):
            mailing = self._create_partner_mailing(recipients)
            # warm the caches (access rules, models) as a user's click finds
            # them; the cache of records is empty for each measured check
            self.env.invalidate_all()
            self._check(mailing)
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            simulation = self._check(mailing)
            counts.append(self.env.cr.sql_log_count - start)
            self.assertEqual(simulation.held_count, len(recipients))
        self.assertEqual(counts[0], counts[1])

    def _tricky_recipients(self):
        """Partners, mailing contacts and users with tricky addresses, some
        of them blacklisted."""
        partners = self.env["res.partner"].create(
            [
                {"name": "Upper", "email": "UPPER@Pressure.Test"},
                {"name": "Named", "email": '"Named" <named@pressure.test>'},
                {"name": "Two", "email": "one@pressure.test, two@pressure.test"},
                {"name": "Broken", "email": "broken@"},
                {"name": "Empty", "email": False},
            ]
        )
        contacts = self.env["mailing.contact"].create(
            [
                {"name": "Contact upper", "email": "Contact@Pressure.Test"},
                {"name": "Contact two", "email": "one@pressure.test, b@pressure.test"},
                {"name": "Contact broken", "email": "nothing"},
                {"name": "Contact none", "email": False},
            ]
        )
        for email in ("upper@pressure.test", "one@pressure.test", "b@pressure.test"):
            self.env["mail.blacklist"]._add(email)
        # a model without a blacklist of its own: its recipients' addresses
        users = self.env["res.users"].search([("partner_id", "in", partners.ids)])
        users |= self.env["res.users"].create(
            {"login": "upper_user", "name": "Upper user", "partner_id": partners[0].id}
        )
        return partners, contacts, users

    def test_recipients_and_blacklist_are_odoo_composers(self):
        """The addresses and the blacklisted records the check reads are
        those of the composer's own ``_get_recipients_data`` and
        ``_get_blacklist_record_ids``, tricky addresses included."""
        partners, contacts, users = self._tricky_recipients()
        simulation = self.env["campaign.pressure.simulation"]
        for records in (partners, contacts, users):
            with self.subTest(model=records._name):
                composer = self.env["mail.compose.message"].new(
                    {"composition_mode": "mass_mail", "model": records._name}
                )
                # the composer's mail values of a mailing (no template)
                defaults = records._message_get_default_recipients()
                mail_values = {
                    res_id: {
                        "recipient_ids": [
                            (4, pid) for pid in defaults[res_id]["partner_ids"]
                        ],
                        "email_to": defaults[res_id]["email_to"],
                    }
                    for res_id in records.ids
                }
                odoo = composer._get_recipients_data(mail_values)
                ours = simulation._pressure_mail_recipients(records._name, records.ids)
                self.assertEqual(
                    ours,
                    {
                        res_id: (info["mail_to"], info["mail_to_normalized"])
                        for res_id, info in odoo.items()
                    },
                )
                odoo_blacklisted = composer._get_blacklist_record_ids(mail_values, odoo)
                self.assertTrue(odoo_blacklisted)
                self.assertEqual(
                    simulation._pressure_mail_blacklist(
                        records._name, records.ids, ours
                    ),
                    set(odoo_blacklisted),
                )


@tagged("post_install", "-at_install")
class TestPartitionFunctions(BaseCase):
    """The decision chains, without a database."""

    def test_mail_failure_types(self):
        recipients = {
            # batch 1
            1: (["a@x.test"], ["a@x.test"]),
            2: (["A@x.test"], ["a@x.test"]),  # same person, other spelling
            3: (["B@x.test"], ["b@x.test"]),
            4: ([False], []),
            # batch 2
            5: (["nope"], []),
            6: (["out@x.test"], ["out@x.test"]),
            7: (["bl@x.test"], ["bl@x.test"]),
            8: (["seen@x.test"], ["seen@x.test"]),
            # batch 3
            9: (["b@x.test"], ["b@x.test"]),
            10: (["a@x.test"], ["a@x.test"]),
        }
        failures = mail_failure_types(
            list(recipients),
            recipients,
            {7},
            {"out@x.test"},
            {"seen@x.test"},
            batch_size=4,
        )
        self.assertEqual(
            failures,
            {
                1: None,
                2: "mail_dup",  # in its batch
                3: None,
                4: "mail_email_missing",
                5: "mail_email_invalid",
                6: "mail_optout",
                7: "mail_bl",
                8: "mail_dup",  # an earlier send traced it
                # a later batch reads the addresses traced as written (Odoo's
                # seen list compares them with normalised ones): "B@x.test"
                # was traced, not "b@x.test", so it goes out again...
                9: None,
                # ...while "a@x.test" was traced
                10: "mail_dup",
            },
        )

    def test_sms_failure_types(self):
        recipients = {
            1: ("+32470000001", "+32470000001"),
            2: ("+32470000001", "0470000001"),
            3: ("+32470000002", "+32470000002"),
            4: (False, "12"),
            5: (False, False),
            6: ("+32470000003", "+32470000003"),
            7: ("+32470000004", "+32470000004"),
        }
        failures = sms_failure_types(
            list(recipients), recipients, {"+32470000002"}, {6}, {7}
        )
        self.assertEqual(
            failures,
            {
                1: None,
                2: "sms_duplicate",
                3: "sms_blacklist",
                4: "sms_number_format",
                5: "sms_number_missing",
                6: "sms_optout",
                7: "sms_duplicate",
            },
        )
