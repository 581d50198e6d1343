"""The demo's campaign results read as an institution's would."""

from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoResults(TransactionCase):
    def test_open_day_has_a_past(self):
        """The open day's applications came with invitations, costs and
        answers: without them the report read ten applications from one
        contact at no cost, and every demo person's RFM recency was today."""
        campaign = self.env.ref(
            "edu_crm.utm_campaign_open_day_demo", raise_if_not_found=False
        )
        if not campaign:
            self.skipTest("installed without demo data")
        Result = self.env["edu.campaign.result"]
        [row] = Result.read_group(
            [("campaign_id", "=", campaign.id)],
            [
                "contacted:sum",
                "cost:sum",
                "positive_count:sum",
                "negative_count:sum",
                "application_count:sum",
                "enrolment_count:sum",
                "cost_per_enrolment",
            ],
            [],
        )
        self.assertGreaterEqual(row["contacted"], 25)
        self.assertGreater(row["cost"], 5)
        self.assertGreaterEqual(row["positive_count"], 5)
        self.assertGreaterEqual(row["negative_count"], 3)
        self.assertGreater(row["enrolment_count"], 0)
        self.assertGreater(row["cost_per_enrolment"], 0)
        # the answers are older than any cap's window: nothing held today
        # because of them
        months_ago = fields.Datetime.now() - timedelta(days=200)
        old = self.env["campaign.pressure.contact"].search(
            [("campaign_id", "=", campaign.id), ("contact_date", "<", months_ago)]
        )
        self.assertTrue(old)
