from datetime import timedelta

from freezegun import freeze_time
from odoo import fields
from odoo.addons.edu_crm.tests.test_tuition_common import TuitionCommon
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..report.edu_campaign_result import SUMS
from .rfm_common import confirmed_contacts


@tagged("post_install", "-at_install")
class TestCampaignResult(TuitionCommon):
    """The results report on a small data set checked by hand (issue 15,
    item 5): one campaign, three people contacted (2 emails at 0.10, one
    SMS at 0.50), one held back by a rule, one held in the control group,
    a positive and a negative response by hand, two applications (positive
    responses too), one enrolment
    whose first instalment (333.33 of 1,000 in three) is invoiced and paid.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.campaign = (
            env["utm.campaign"]
            .sudo()
            .create({"title": "Open days", "company_id": cls.company.id})
        )
        cls.other_campaign = env["utm.campaign"].create({"title": "Other"})
        cls.source = env["utm.source"].create({"name": "Open day flyer"})
        Cost = env["campaign.pressure.channel.cost"].sudo()
        for code, cost in (("email", 0.10), ("sms", 0.50)):
            channel = env.ref(f"campaign_pressure.channel_{code}")
            line = Cost.search(
                [("channel_id", "=", channel.id), ("company_id", "=", cls.company.id)]
            )
            if line:
                line.cost = cost
            else:
                Cost.create(
                    {
                        "channel_id": channel.id,
                        "company_id": cls.company.id,
                        "cost": cost,
                    }
                )
        cls.p1, cls.p2 = cls.student, cls.student_2
        cls.p3 = env["res.partner"].create(
            {
                "name": "Petro",
                "email": "petro@example.com",
                "country_id": env.ref("base.ua").id,
            }
        )
        cls.p4 = env["res.partner"].create({"name": "Control person"})
        cls.intake = (
            env["edu.intake"]
            .sudo()
            .create(
                {
                    "programme_id": cls.programme.id,
                    "name": "Autumn 2026",
                    "date_start": "2026-09-01",
                    "date_end": "2029-06-30",
                    "state": "open",
                }
            )
        )

    def _contact(self, partner, channel, **values):
        values = dict(
            {"campaign_id": self.campaign.id, "company_id": self.company.id}, **values
        )
        yesterday = fields.Datetime.now() - timedelta(days=1)
        return confirmed_contacts(
            self.env, partner, [yesterday], channel=channel, **values
        )

    def _lead(self, partner, campaign=None):
        return self.env["crm.lead"].create(
            {
                "name": f"Application {partner.name}",
                "type": "opportunity",
                "partner_id": partner.id,
                "campaign_id": campaign.id if campaign else False,
                "source_id": self.source.id,
                "edu_programme_id": self.programme.id,
                "edu_intake_id": self.intake.id,
                "company_id": self.company.id,
            }
        )

    def _data(self):
        self._contact(self.p1, "email")
        self._contact(self.p2, "email")
        self._contact(self.p3, "sms")
        self._contact(self.p3, "sms", state="released")  # not sent: not counted
        self._contact(self.p1, "email", is_transactional=True)  # not marketing
        self._held_traces()
        self._responses()
        self._enrolled_and_paid()

    def _held_traces(self):
        """p2 held by a rule, p4 held out as the control group."""
        env = self.env
        mailing = (
            env["mailing.mailing"]
            .sudo()
            .create(
                {
                    "name": "Open days",
                    "subject": "Open days",
                    "campaign_id": self.campaign.id,
                    "mailing_model_id": env["ir.model"]._get("res.partner").id,
                }
            )
        )
        env["mailing.trace"].sudo().create(
            [
                {
                    "model": "res.partner",
                    "res_id": partner.id,
                    "mass_mailing_id": mailing.id,
                    "trace_type": "mail",
                    "trace_status": "cancel",
                    "failure_type": "pressure",
                    "pressure_reason": reason,
                }
                for partner, reason in ((self.p2, "rule"), (self.p4, "control_group"))
            ]
        )

    def _responses(self):
        env = self.env
        Response = env["campaign.response"].sudo()
        for partner, polarity, campaign in (
            (self.p1, "positive", self.campaign),
            (self.p2, "negative", self.campaign),
            (self.p3, "negative", self.other_campaign),
        ):
            Response.create(
                {
                    "partner_id": partner.id,
                    "polarity": polarity,
                    "campaign_id": campaign.id,
                }
            )

    def _enrolled_and_paid(self):
        """p1 and p2 apply through the campaign, p4 without it; p1 enrols and
        pays the first instalment."""
        env = self.env
        lead = self._lead(self.p1, self.campaign)
        self._lead(self.p2, self.campaign)
        self._lead(self.p4)  # the control person applied without the campaign
        enrollment = (
            env["edu.enrollment"]
            .sudo()
            .create(
                {
                    "partner_id": self.p1.id,
                    "programme_id": self.programme.id,
                    "intake_id": self.intake.id,
                    "lead_id": lead.id,
                    "state": "enrolled",
                }
            )
        )
        contract = self._contract(
            plan=self.plan_monthly_3,
            date_start=fields.Date.today(),
            enrollment_id=enrollment.id,
        )
        contract.with_user(self.bursar).action_activate()
        invoice = contract.invoice_ids
        self.assertEqual(len(invoice), 1, "only the first instalment is due")
        self._pay(invoice, invoice.amount_total, date=fields.Date.today())

    def _groups(self, groupby, user=None):
        Result = self.env["edu.campaign.result"]
        if user:
            Result = Result.with_user(user)
        # the sums the view adds up, and the ratios of each group's sums
        measures = [*SUMS, "cost_per_enrolment", "roi", "lift"]
        return Result.read_group(
            [("campaign_id", "=", self.campaign.id)],
            [f"{m}:sum" for m in measures],
            [groupby],
            lazy=False,
        )

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

    def _results_user(self, login, groups):
        return new_test_user(
            self.env,
            login=login,
            groups=groups,
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )

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
