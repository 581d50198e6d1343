from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged, users

from .common import PressureCommon


@tagged("post_install", "-at_install")
class TestPressureRule(PressureCommon):
    def _rule_vals(self, **values):
        vals = {
            "name": "Rule",
            "channel_ids": [Command.set(self.channel_email.ids)],
            "window_type": "rolling",
            "window_days": 30,
            "max_contacts": 4,
        }
        vals.update(values)
        return vals

    @users("pressure_manager")
    def test_bad_input_refused(self):
        Rule = self.env["campaign.pressure.rule"]
        for values, message in (
            ({"window_days": 0}, "at least one day"),
            ({"window_days": -3}, "at least one day"),
            ({"max_contacts": -1}, "cannot be negative"),
            ({"channel_ids": [Command.clear()]}, "at least one channel"),
            ({"window_type": "calendar", "period": False}, "calendar period"),
            ({"window_type": "both", "period": False}, "calendar period"),
            ({"window_type": "both", "window_days": 0}, "at least one day"),
            ({"scope": "campaign"}, "UTM campaigns"),
            ({"scope": "tag"}, "UTM tags"),
        ):
            with (
                self.subTest(values=values),
                self.assertRaisesRegex(ValidationError, message),
            ):
                Rule.create(self._rule_vals(**values))
        rule = Rule.create(self._rule_vals())
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            with self.env.cr.savepoint():
                rule.max_contacts = -2
        rule.invalidate_recordset()
        self.assertEqual(rule.max_contacts, 4, "nothing half-written")
        rule.max_contacts = 0  # zero is valid: blocks every message
        self.assertEqual(rule.max_contacts, 0)

    @users("user_marketing")
    def test_access_marketing_user(self):
        rule = self._create_rule(name="Visible rule")
        self.assertEqual(
            self.env["campaign.pressure.rule"].browse(rule.id).name, "Visible rule"
        )
        with self.assertRaises(AccessError):
            self.env["campaign.pressure.rule"].create(self._rule_vals())
        with self.assertRaises(AccessError):
            self.env["campaign.pressure.rule"].browse(rule.id).write(
                {"max_contacts": 10}
            )
        contact = self._log_contacts(self.partner_a)
        self.assertEqual(
            self.env["campaign.pressure.contact"].browse(contact.id).channel, "email"
        )
        with self.assertRaises(AccessError):
            self.env["campaign.pressure.contact"].browse(contact.id).write(
                {"weight": 0}
            )

    @users("employee")
    def test_access_employee(self):
        rule = self._create_rule()
        with self.assertRaises(AccessError):
            self.env["campaign.pressure.rule"].browse(rule.id).read(["name"])

    def test_multi_company(self):
        company_2 = self.env["res.company"].create({"name": "Other school"})
        rule = self._create_rule(company_id=company_2.id)
        visible = (
            self.env["campaign.pressure.rule"]
            .with_user(self.user_pressure_manager)
            .search([("id", "=", rule.id)])
        )
        self.assertFalse(visible, "A rule of another company is not visible")
        # and it does not apply to the current company
        self._log_contacts(self.partner_a, days_ago=1)
        self._log_contacts(self.partner_a, days_ago=2)
        rule_here = self._create_rule(max_contacts=5)
        decision = self._decide(self.partner_a)[self.partner_a.id]
        self.assertTrue(decision["allowed"])
        rule_here.max_contacts = 2
        decision = self._decide(self.partner_a)[self.partner_a.id]
        self.assertFalse(decision["allowed"])
        self.assertEqual(decision["rule_id"], rule_here.id)
