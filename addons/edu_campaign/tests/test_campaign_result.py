from freezegun import freeze_time
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .result_common import ResultCommon


@tagged("post_install", "-at_install")
class TestCampaignResult(ResultCommon):
    def test_ratios_of_a_cost_that_reads_zero(self):
        """A group whose cost rounds to 0.00 (a few emails at 0.002) shows no
        ROI and no cost per enrolment: the demo read 857,324,900 %."""
        Result = self.env["edu.campaign.result"]
        ratios = Result._results_ratios(
            {"cost": 0.002, "received": 17146.5, "enrolment_count": 4}
        )
        self.assertEqual(ratios["roi"], 0.0)
        self.assertEqual(ratios["cost_per_enrolment"], 0.0)
        ratios = Result._results_ratios(
            {"cost": 0.70, "received": 333.33, "enrolment_count": 1}
        )
        self.assertAlmostEqual(ratios["roi"], 47518.57, places=2)

    @freeze_time("2026-02-02 10:00:00")
    def test_figures_by_campaign_and_channel(self):
        self._data()
        # an Education manager in marketing reads the tuition figures
        manager = self._results_user(
            "results_manager",
            "mass_mailing.group_mass_mailing_user,edu_crm.group_edu_manager",
        )
        (group,) = self._groups("campaign_id", user=manager)
        expected = {
            "contacted": 3,
            "held_count": 1,
            "control_count": 1,
            "cost": 0.70,
            # by hand, and the two applications ("Applied")
            "positive_count": 3,
            "negative_count": 1,
            "application_count": 2,
            "enrolment_count": 1,
            "first_paid_count": 1,
            "invoiced": 333.33,
            "received": 333.33,
            "cost_per_enrolment": 0.70,
        }
        for name, value in expected.items():
            self.assertAlmostEqual(group[name], value, places=2, msg=(name, group))
        # (333.33 - 0.70) / 0.70
        self.assertAlmostEqual(group["roi"], 47518.57, places=2)
        # contacted: P1, P2 applied of P1, P2, P3; control: P4 of P4
        self.assertAlmostEqual(group["lift"], 100 * (2 / 3 - 1), places=2)
        by_channel = {g["channel"]: g for g in self._groups("channel")}
        self.assertEqual(by_channel["email"]["contacted"], 2)
        self.assertAlmostEqual(by_channel["email"]["cost"], 0.20, places=2)
        self.assertEqual(by_channel["sms"]["contacted"], 1)
        self.assertAlmostEqual(by_channel["sms"]["cost"], 0.50, places=2)
        by_programme = {g["programme_id"]: g for g in self._groups("programme_id")}
        applied = by_programme[(self.programme.id, self.programme.display_name)]
        self.assertEqual(applied["application_count"], 2)
        self.assertEqual(applied["enrolment_count"], 1)
        by_country = {g["country_id"]: g for g in self._groups("country_id")}
        ukraine = self.env.ref("base.ua")
        self.assertEqual(by_country[(ukraine.id, ukraine.display_name)]["contacted"], 1)

    @freeze_time("2026-02-02 10:00:00")
    def test_marketing_reads_no_person_nor_tuition(self):
        """A marketing user reads the campaign's contacts, costs, responses,
        applications and lift, not who the rows are about nor what anyone
        enrolled in, was invoiced or paid (security review, finding 5)."""
        self._data()
        marketing = self._results_user(
            "results_marketing", "mass_mailing.group_mass_mailing_user"
        )
        Result = self.env["edu.campaign.result"].with_user(marketing)
        domain = [("campaign_id", "=", self.campaign.id)]
        for fname in ("partner_id", "invoiced", "received", "first_paid_count"):
            with self.assertRaises(AccessError, msg=fname):
                Result.search_read(domain, ["programme_id", fname])
            with self.assertRaises(AccessError, msg=fname):
                Result.search_read([*domain, (fname, "!=", False)], ["programme_id"])
        for fname in ("enrolment_count", "cost_per_enrolment", "roi"):
            with self.assertRaises(AccessError, msg=fname):
                Result.read_group(domain, [f"{fname}:sum"], ["campaign_id"])
        with self.assertRaises(AccessError):
            Result.read_group(domain, ["contacted:sum"], ["partner_id"])
        # what the pivot asks for a marketing user: the ratio it may read
        # does not need the sums it may not
        measures = ["contacted", "cost", "application_count", "lift"]
        (group,) = Result.read_group(
            domain, [f"{m}:sum" for m in measures], ["campaign_id"], lazy=False
        )
        self.assertEqual(group["contacted"], 3)
        self.assertEqual(group["application_count"], 2)
        self.assertAlmostEqual(group["lift"], 100 * (2 / 3 - 1), places=2)
        for fname in ("received", "invoiced", "enrolment_count", "roi"):
            self.assertNotIn(fname, group)
        # the views load without the fields they may not read
        for view_type in ("pivot", "graph", "search"):
            arch = Result.get_views([(False, view_type)])["views"][view_type]["arch"]
            for fname in ("partner_id", "received", "enrolment_count", "roi"):
                self.assertNotIn(f'name="{fname}"', arch, (view_type, fname))

    @freeze_time("2026-02-02 10:00:00")
    def test_other_company_sees_nothing(self):
        self._data()
        company_b = self.env["res.company"].create({"name": "Other school"})
        marketing_b = new_test_user(
            self.env,
            login="results_marketing_b",
            groups="mass_mailing.group_mass_mailing_user",
            company_id=company_b.id,
            company_ids=[(6, 0, company_b.ids)],
        )
        self.assertFalse(
            self.env["edu.campaign.result"]
            .with_user(marketing_b)
            .search([("campaign_id", "=", self.campaign.id)])
        )

    @freeze_time("2026-02-02 10:00:00")
    def test_a_row_keeps_its_id(self):
        """A row of the report (a pivot's cell opened as a list, then one of
        its rows) is the same fact at every read: ids numbered by an
        unordered row_number moved as soon as a fact was added before it."""
        self._data()
        Result = self.env["edu.campaign.result"]
        fields_read = ["partner_id", "channel", "contacted", "held_count"]
        fields_read += ["positive_count", "negative_count", "application_count"]
        fields_read += ["audience_targeted", "audience_control"]
        rows = Result.search([("campaign_id", "=", self.campaign.id)])
        self.assertEqual(len(rows), len(set(rows.ids)))
        before = {row["id"]: row for row in rows.read(fields_read)}
        # the list stays open while a contact and a response are logged
        self._contact(self.p4, "email")
        self.env["campaign.response"].sudo().create(
            {
                "partner_id": self.p4.id,
                "polarity": "positive",
                "campaign_id": self.campaign.id,
            }
        )
        Result.invalidate_model()
        after = {
            row["id"]: row for row in Result.browse(list(before)).read(fields_read)
        }
        self.assertEqual(after, before)
        self.assertEqual(
            len(Result.search([("campaign_id", "=", self.campaign.id)])),
            len(rows) + 3,
            "the new contact, the new response, p4 in the campaign's audience",
        )
