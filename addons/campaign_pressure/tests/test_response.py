from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged, users
from odoo.tools import SQL

from .common import PressureCommon


@tagged("post_install", "-at_install")
class TestResponse(PressureCommon):
    """The response log: from clicks, replies, opt-outs, by hand and from
    any source through ``_record``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Response = cls.env["campaign.response"]
        cls.campaign = cls.env["utm.campaign"].create({"title": "Open days"})
        cls.reason_interested = cls.env.ref(
            "campaign_pressure.response_reason_interested"
        )
        cls.reason_unsubscribe = cls.env.ref(
            "campaign_pressure.response_reason_unsubscribe"
        )
        cls.reason_funding = cls.env.ref("campaign_pressure.response_reason_funding")

    def _sent_traces(self, partners):
        mailing = self._create_partner_mailing(partners, campaign_id=self.campaign.id)
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        return mailing, self._traces(mailing)

    def _responses(self, **domain):
        return self.Response.search([(k, "=", v) for k, v in domain.items()])

    def test_seeded_reasons(self):
        reasons = self.env["campaign.response.reason"].search([])
        self.assertGreaterEqual(
            set(reasons.mapped("name")),
            {
                "Interested",
                "Applied",
                "Registered for an event",
                "Paid",
                "Asked for a call back",
                "Not this intake",
                "Chose another institution",
                "Wrong programme",
                "Funding",
                "Too many messages",
                "Unsubscribe",
                "Complaint",
            },
        )

    def test_click_recorded_once(self):
        mailing, traces = self._sent_traces(self.partners[:2])
        trace = traces.filtered(lambda t: t.res_id == self.partner_a.id)
        trace.set_clicked()
        trace.set_clicked()  # a second click is the same response
        response = self._responses(mailing_id=mailing.id)
        self.assertEqual(len(response), 1)
        self.assertEqual(response.partner_id, self.partner_a)
        self.assertEqual(response.campaign_id, self.campaign)
        self.assertEqual(
            (response.polarity, response.source, response.channel),
            ("positive", "click", "email"),
        )
        self.assertEqual(response.reason_id, self.reason_interested)
        self.assertEqual(response.source_ref, f"mailing.trace,{trace.id}")
        # a reply is another response of the same trace
        trace.set_replied()
        self.assertEqual(
            sorted(self._responses(mailing_id=mailing.id).mapped("source")),
            ["click", "reply"],
        )
        self.assertEqual(self.partner_a.campaign_response_count, 2)
        self.assertEqual(self.campaign.response_positive_count, 2)
        self.assertEqual(self.campaign.response_negative_count, 0)

    def test_click_recording_is_set_based(self):
        """As many queries for 40 traces as for 5."""
        partners = self.env["res.partner"].create(
            [
                {"name": f"Clicker {i}", "email": f"clicker{i}@example.com"}
                for i in range(45)
            ]
        )
        _mailing, traces = self._sent_traces(partners)
        warm, few, many = traces[:1], traces[1:6], traces[6:]
        self.Response.sudo()._record_traces(warm.ids, "click")  # caches
        self.env.flush_all()
        counts = []
        for batch in (few, many):
            before = self.cr.sql_log_count
            self.Response.sudo()._record_traces(batch.ids, "click")
            counts.append(self.cr.sql_log_count - before)
        self.assertEqual(counts[0], counts[1])
        self.assertEqual(len(self._responses(campaign_id=self.campaign.id)), 45)

    def test_optout_reason_of_a_list(self):
        mailing_list = self._create_mailing_list_of_x_contacts(2)
        contact = mailing_list.contact_ids[0]
        partner = self.env["res.partner"].create(
            {"name": "Listed person", "email": contact.email}
        )
        subscription = self.env["mailing.subscription"].search(
            [("contact_id", "=", contact.id)]
        )
        self.assertEqual(len(subscription), 1)
        optout = self.env["mailing.subscription.optout"].create({"name": "Too far"})
        subscription.write({"opt_out": True})
        self.assertFalse(self._responses(source="optout"))
        subscription.write({"opt_out_reason_id": optout.id})
        response = self._responses(source="optout")
        self.assertEqual(len(response), 1)
        self.assertEqual(response.partner_id, partner)
        self.assertEqual(response.polarity, "negative")
        self.assertEqual(response.reason_id, self.reason_unsubscribe)
        self.assertEqual(response.optout_reason_id, optout)
        subscription.write({"opt_out_reason_id": optout.id})
        self.assertEqual(len(self._responses(source="optout")), 1)

    def test_optout_reason_of_the_blacklist(self):
        optout = self.env["mailing.subscription.optout"].create({"name": "Spam"})
        blacklist = self.env["mail.blacklist"].sudo()._add(self.partner_b.email)
        blacklist.opt_out_reason_id = optout
        response = self._responses(source="optout")
        self.assertEqual(response.partner_id, self.partner_b)
        self.assertEqual(response.optout_reason_id, optout)

    def test_any_source_through_record(self):
        """The extension point: a glue module's query, recorded once."""
        select = SQL(
            """
            SELECT %(partner)s::int AS partner_id, NULL AS email,
                   now() AT TIME ZONE 'UTC' AS date, %(campaign)s::int AS campaign_id,
                   NULL::int AS mailing_id, 'phone' AS channel,
                   'negative' AS polarity, %(reason)s::int AS reason_id,
                   NULL::int AS optout_reason_id, 'manual' AS source,
                   'mail.activity,42' AS source_ref, %(company)s::int AS company_id
            """,
            partner=self.partner_c.id,
            campaign=self.campaign.id,
            reason=self.reason_funding.id,
            company=self.env.company.id,
        )
        self.assertEqual(self.Response._record(select), 1)
        self.assertEqual(self.Response._record(select), 0)
        response = self._responses(source_ref="mail.activity,42")
        self.assertEqual(response.reason_id, self.reason_funding)
        self.assertEqual(self.campaign.response_negative_count, 1)

    @users("user_marketing")
    def test_by_hand(self):
        response = self.env["campaign.response"].create(
            {
                "partner_id": self.partner_a.id,
                "campaign_id": self.campaign.id,
                "channel": "phone",
                "polarity": "negative",
                "reason_id": self.reason_funding.id,
                "note": "Asks about scholarships",
            }
        )
        self.assertEqual(response.source, "manual")
        self.assertEqual(response.user_id, self.env.user)
        response.note = "Call back in May"
        with self.assertRaises(ValidationError):
            response.reason_id = self.reason_interested  # a positive reason
        with self.assertRaises(ValidationError):
            self.env["campaign.response"].create({"polarity": "positive"})
        # what the server records is not a user's to forge or change
        with self.assertRaises(AccessError):
            self.env["campaign.response"].create(
                {
                    "partner_id": self.partner_a.id,
                    "polarity": "positive",
                    "source": "click",
                }
            )
        with self.assertRaises(AccessError):
            response.source_ref = "mailing.trace,1"
        _mailing, traces = self._sent_traces(self.partner_b)
        traces.sudo().set_clicked()
        clicked = self._responses(source="click", mailing_id=_mailing.id).with_env(
            self.env
        )
        self.assertEqual(len(clicked), 1)
        with self.assertRaises(AccessError):
            clicked.polarity = "negative"
        with self.assertRaises(AccessError):
            response.unlink()  # the log is kept: managers only

    def test_multi_company(self):
        company_b = self.env["res.company"].create({"name": "Other school"})
        theirs = self.Response.create(
            {
                "partner_id": self.partner_a.id,
                "polarity": "positive",
                "company_id": company_b.id,
            }
        )
        ours = self.Response.create(
            {"partner_id": self.partner_a.id, "polarity": "positive"}
        )
        visible = self.Response.with_user(self.user_marketing).search(
            [("id", "in", (theirs | ours).ids)]
        )
        self.assertEqual(visible, ours)
