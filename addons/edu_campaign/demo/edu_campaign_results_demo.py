"""Demo data only: the past of the open day campaign, so that the results
report and the RFM scores read as an institution's would.

The demo's applications came from last year's open days (their leads carry
the campaign's UTM), but the demo installs in one moment: without a past,
the campaign has ten applications and one contact. This writes what its
invitations left in the contact log (emails, SMS, letters, calls, priced by
the contact log's own costing) and what people answered (responses with the
institution's reasons), ten to nine months ago: older than any cap's
window, so nothing the demo sends today is held because of them.

Nothing but the demo file (``<function>``) calls this model; its methods are
private (not callable over RPC)."""

from datetime import timedelta

from odoo import api, fields, models

PROSPECTS = [
    "Anastasiia Horbenko",
    "Bohdan Lysenko",
    "Daria Romaniuk",
    "Viktor Savchuk",
    "Kateryna Oliinyk",
    "Nikolay Dimitrov",
    "Elena Stoyanova",
    "Ivan Todorov",
    "Sophie Laurent",
    "Tom Becker",
    "Hanna Kravets",
    "Yulia Marchenko",
    "Stefan Kolev",
    "Mila Angelova",
    "Lucas Meyer",
    "Emma Janssens",
]
# days ago: invitations by email, then SMS, letters, calls; answers after
DAYS = {"email": 300, "sms": 296, "letter": 292, "phone": 288, "answer": 285}
SOURCES = {"email": "mailing", "sms": "sms", "letter": "letter", "phone": "activity"}
# prospects' answers: (reason xmlid, polarity), one per prospect in turn
ANSWERS = [
    ("response_reason_interested", "positive"),
    ("response_reason_event", "positive"),
    ("response_reason_callback", "positive"),
    ("response_reason_not_this_intake", "negative"),
    ("response_reason_other_institution", "negative"),
    ("response_reason_funding", "negative"),
    ("response_reason_interested", "positive"),
    ("response_reason_too_many", "negative"),
]


class EduCampaignResultsDemo(models.AbstractModel):
    _name = "edu.campaign.results.demo"
    _description = "Campaign results demo data"

    @api.model
    def _results_demo_history(self, campaign_xmlid):
        campaign = self.env.ref(campaign_xmlid)
        company = campaign.company_id or self.env.company
        applicants = (
            self.env["crm.lead"]
            .with_context(active_test=False)
            .search([("campaign_id", "=", campaign.id), ("partner_id", "!=", False)])
            .partner_id
        )
        prospects = self.env["res.partner"].create(
            [
                {
                    "name": name,
                    "email": f"{name.lower().replace(' ', '.')}@prospect.example.com",
                    "mobile": f"+32 470 20 00 {k:02d}",
                    "company_id": company.id,
                }
                for k, name in enumerate(PROSPECTS)
            ]
        )
        people = applicants | prospects
        self._results_demo_contacts(campaign, company, people)
        self._results_demo_answers(campaign, company, applicants, prospects)

    @api.model
    def _results_demo_contacts(self, campaign, company, people):
        """Everyone invited by email; every second person by SMS too, every
        third a letter, every fourth a call (the contact log prices each)."""
        now = fields.Datetime.now()
        every = {"email": 1, "sms": 2, "letter": 3, "phone": 4}
        self.env["campaign.pressure.contact"].sudo().create(
            [
                {
                    "person_key": f"p:{person.id}",
                    "partner_id": person.id,
                    "channel": channel,
                    "source": SOURCES[channel],
                    "contact_date": now - timedelta(days=DAYS[channel], hours=k),
                    "state": "confirmed",
                    "campaign_id": campaign.id,
                    "company_id": company.id,
                }
                for channel, step in every.items()
                for k, person in enumerate(people)
                if k % step == 0
            ]
        )

    @api.model
    def _results_demo_answers(self, campaign, company, applicants, prospects):
        """The applicants registered for the open day; the prospects answered
        in turn as ``ANSWERS`` says (half of them)."""
        date = fields.Datetime.now() - timedelta(days=DAYS["answer"])
        ref = self.env.ref
        answers = [
            (person, "response_reason_event", "positive", "email")
            for person in applicants
        ] + [
            (person, *ANSWERS[k], "email" if k % 2 else "sms")
            for k, person in enumerate(prospects[: len(ANSWERS)])
        ]
        self.env["campaign.response"].sudo().create(
            [
                {
                    "partner_id": person.id,
                    "campaign_id": campaign.id,
                    "company_id": company.id,
                    "channel": channel,
                    "polarity": polarity,
                    "reason_id": ref(f"campaign_pressure.{reason}").id,
                    "date": date,
                    "source": "manual",
                }
                for person, reason, polarity, channel in answers
            ]
        )
