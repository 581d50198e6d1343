from odoo.addons.campaign_pressure.tests.test_best_channel import BestChannelCommon
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestRfmBestChannel(BestChannelCommon):
    """Response rates per RFM segment in the best-channel planner: in a
    company of its own, 25 champions and 25 lost people were contacted by
    email and by SMS; 10 champions answered the email, 10 lost people the
    SMS. Under the threshold policy (cheapest channel answered by 30 % of
    the person's segment) a champion gets the email, a lost person the SMS,
    although over both segments neither channel reaches 30 %."""

    def _answered(self, company, champions, lost):
        """25 people of each segment contacted by SMS and email; 10
        champions answered the email, 10 lost people the SMS."""
        Partner = self.env["res.partner"]
        groups = {}
        for seg in (champions, lost):
            groups[seg] = Partner.create(
                [
                    {"name": f"{seg.code} {i}", "email": f"{seg.code}{i}@x.test"}
                    for i in range(25)
                ]
            )
            groups[seg].sudo().write({"edu_rfm_segment_id": seg.id})
            self._log_campaign(groups[seg], "sms", company=company)
            self._log_campaign(groups[seg], "email", company=company)
        self.env["campaign.response"].create(
            [
                {
                    "partner_id": p.id,
                    "campaign_id": self.campaign.id,
                    "channel": channel,
                    "polarity": "positive",
                    "company_id": company.id,
                }
                for people, channel in (
                    (groups[champions][:10], "email"),
                    (groups[lost][:10], "sms"),
                )
                for p in people
            ]
        )

    def test_segments_get_their_own_channel(self):
        company = self.company_eur
        segment = self.env["edu.rfm.segment"]
        champions = segment.search([("code", "=", "champions")])
        lost = segment.search([("code", "=", "lost")])
        self._answered(company, champions, lost)
        champion, lost_one = self.env["res.partner"].create(
            [
                {
                    "name": "New champion",
                    "email": "nc@x.test",
                    "mobile": "+32471990001",
                },
                {"name": "Lost one", "email": "lo@x.test", "mobile": "+32471990002"},
            ]
        )
        champion.sudo().edu_rfm_segment_id = champions
        lost_one.sudo().edu_rfm_segment_id = lost
        mailing = self._best_mailing(
            self.channel_email | self.channel_sms, champion | lost_one
        ).with_company(company)
        rates = mailing._channel_plan_rates(["email", "sms"])
        self.assertAlmostEqual(rates("email", str(champions.id)), 0.4)
        self.assertAlmostEqual(rates("sms", str(champions.id)), 0.0)
        self.assertAlmostEqual(rates("email", str(lost.id)), 0.0)
        self.assertAlmostEqual(rates("sms", str(lost.id)), 0.4)
        self.assertAlmostEqual(rates("email", None), 0.2)
        self.campaign.write(
            {"channel_policy": "cheapest", "channel_rate_threshold": 0.3}
        )
        plan = mailing._channel_plan()
        self.assertEqual(
            self._channels(plan), {champion.id: "email", lost_one.id: "sms"}
        )
