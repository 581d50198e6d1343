from odoo import Command
from odoo.tests import tagged, users

from .common import PressureCommon


@tagged("post_install", "-at_install")
class TestPressureSimulation(PressureCommon):
    @users("user_marketing")
    def test_check_pressure_without_sending(self):
        rule_month = self._create_rule(name="Monthly", max_contacts=2)
        rule_sms = self._create_rule(
            name="Weekly email",
            max_contacts=1,
            window_days=7,
            channel_ids=[Command.set(self.channel_email.ids)],
        )
        self._log_contacts(self.partner_a, days_ago=20)
        self._log_contacts(self.partner_a, days_ago=21)
        self._log_contacts(self.partner_b, days_ago=2)
        self.partner_c.sudo().pressure_blocked_channel_ids = [
            Command.set(self.channel_email.ids)
        ]
        mailing = self._create_partner_mailing(self.partners.with_env(self.env))
        log_before = self.env["campaign.pressure.contact"].search_count([])
        action = mailing.action_check_pressure()
        simulation = self.env["campaign.pressure.simulation"].browse(action["res_id"])
        self.assertEqual(simulation.recipient_count, 5)
        self.assertEqual(simulation.held_count, 3)
        per_rule = {line.rule_id: line.held_count for line in simulation.rule_line_ids}
        self.assertEqual(
            per_rule,
            {rule_month: 1, rule_sms: 1, self.env["campaign.pressure.rule"]: 1},
        )
        self.assertEqual(
            set(simulation.recipient_line_ids.mapped("res_id")),
            {self.partner_a.id, self.partner_b.id, self.partner_c.id},
        )
        self.assertEqual(
            self.env["campaign.pressure.contact"].search_count([]),
            log_before,
            "nothing logged",
        )
        self.assertFalse(self._traces(mailing), "nothing sent")
        self.assertEqual(mailing.state, "draft")
