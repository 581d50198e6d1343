"""The demo users: logins of their own, a marketing manager who tunes the
pressure rules beside a marketing user who may not."""

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoUsers(TransactionCase):
    def setUp(self):
        super().setUp()
        self.rule = self.env.ref(
            "campaign_pressure.rule_email_week_demo", raise_if_not_found=False
        )
        if not self.rule:
            self.skipTest("installed without demo data")
        self.manager = self.env.ref("campaign_pressure.user_marketing_manager_demo")
        self.marketing = self.env.ref("campaign_pressure.user_marketing_demo")

    def test_logins_do_not_collide_with_odoo_tests(self):
        # test_mass_mailing creates "marketing"; ours are prefixed
        self.assertEqual(self.marketing.login, "edu.marketing")
        self.assertEqual(self.manager.login, "edu.marketing.manager")
        self.assertFalse(self.env["res.users"].search([("login", "=", "marketing")]))

    def test_marketing_manager_edits_pressure_rules(self):
        self.rule.with_user(self.manager).write({"max_contacts": 2})
        self.assertEqual(self.rule.max_contacts, 2)
        with self.assertRaises(AccessError):
            self.rule.with_user(self.marketing).write({"max_contacts": 3})
