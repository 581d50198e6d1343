from odoo.addons.campaign_pressure.tests.test_best_channel import BestChannelCommon
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestBestChannelPreferred(BestChannelCommon):
    def test_preferred_channel_of_the_portal_first(self):
        """Policy "preferred": the channel the person chose in the portal,
        else the cheapest they can be reached on."""
        p0, p1, p2, p3, _p4 = self.partners
        p1.cmr_preferred_channel = "sms"
        p2.cmr_preferred_channel = "sms"  # blocked SMS: falls back to email
        p3.cmr_preferred_channel = "letter"  # no address: the cheapest left
        self.campaign.channel_policy = "preferred"
        mailing = self._best_mailing(self.all_channels)
        plan = mailing._channel_plan()
        self.assertEqual(
            {a.ref: a.channel for a in plan.assignments},
            {p0.id: "sms", p1.id: "sms", p2.id: "email", p3.id: "sms"},
        )
