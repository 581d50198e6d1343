from datetime import timedelta

from odoo import fields
from odoo.addons.edu_crm.tests.test_tuition_common import TuitionCommon
from odoo.tests import new_test_user

from ..report.edu_campaign_result import SUMS
from .rfm_common import confirmed_contacts


class ResultCommon(TuitionCommon):
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
        # what the report reads from the menu: the facts summed (the hourly
        # job's refresh)
        self.env["edu.campaign.result"]._edu_refresh()

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

    def _results_user(self, login, groups):
        return new_test_user(
            self.env,
            login=login,
            groups=groups,
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )
