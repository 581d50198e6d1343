from datetime import timedelta

from odoo import fields
from odoo.tests import tagged, users

from .common import PressureCommon


@tagged("post_install", "-at_install")
class TestPressureArbitration(PressureCommon):
    """Scheduled mailings of higher priority reserve their recipients."""

    def _scheduled(self, partners, priority, hours):
        mailing = self._create_partner_mailing(
            partners,
            pressure_priority=priority,
            schedule_type="scheduled",
            schedule_date=fields.Datetime.now() + timedelta(hours=hours),
        )
        mailing.action_put_in_queue()
        return mailing

    @users("user_marketing")
    def test_higher_priority_scheduled_wins(self):
        self._create_rule(max_contacts=1)
        partners = (self.partner_a | self.partner_b).with_env(self.env)
        important = self._scheduled(
            self.partner_a.with_env(self.env), priority=50, hours=5
        )
        minor = self._create_partner_mailing(partners, pressure_priority=10)
        with self.mock_mail_gateway(mail_unlink_sent=False):
            minor.action_send_mail()
        held = self._traces(minor).filtered(lambda t: t.failure_type == "pressure")
        self.assertEqual(
            held.res_id, self.partner_a.id, "A is reserved by the important mailing"
        )
        self.assertEqual(held.pressure_count, 1)
        # the important mailing goes out when its time comes
        with self.mock_mail_gateway(mail_unlink_sent=False):
            important.action_send_mail()
        self.assertEqual(self._traces(important).trace_status, "sent")

    @users("user_marketing")
    def test_lower_priority_scheduled_yields(self):
        self._create_rule(max_contacts=1)
        self._scheduled(self.partner_a.with_env(self.env), priority=1, hours=5)
        urgent = self._create_partner_mailing(
            self.partner_a.with_env(self.env), pressure_priority=10
        )
        with self.mock_mail_gateway(mail_unlink_sent=False):
            urgent.action_send_mail()
        self.assertEqual(self._traces(urgent).trace_status, "sent")

    @users("user_marketing")
    def test_tie_goes_to_earlier_schedule(self):
        self._create_rule(max_contacts=1)
        partner = self.partner_a.with_env(self.env)
        early = self._scheduled(partner, priority=10, hours=2)
        late = self._scheduled(partner, priority=10, hours=6)
        self.assertIn(early, late._pressure_arbitration_winners())
        self.assertNotIn(late, early._pressure_arbitration_winners())
        self.assertIn(f"p:{partner.id}", late._pressure_reserved_by_others())
        self.assertFalse(early._pressure_reserved_by_others())
        with self.mock_mail_gateway(mail_unlink_sent=False):
            # sent early by hand: the earlier one keeps its slot
            late.action_send_mail()
        self.assertEqual(self._traces(late).failure_type, "pressure")
