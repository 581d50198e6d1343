from datetime import timedelta

from freezegun import freeze_time
from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged, users

from .test_journey_common import JourneyCommon


@tagged("post_install", "-at_install")
class TestResponseFeedback(JourneyCommon):
    """Responses feed back (issue 15, item 4): suppression held by the
    engine, cool-down, segment move, journeys ended and started; and call
    outcomes as responses (item 3)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Response = cls.env["campaign.response"]
        cls.topic = cls.env["utm.tag"].create({"name": "Engineering"})
        cls.campaign = cls.env["utm.campaign"].create(
            {"title": "Engineering open days", "tag_ids": [(6, 0, cls.topic.ids)]}
        )
        cls.same_topic = cls.env["utm.campaign"].create(
            {"title": "Engineering scholarships", "tag_ids": [(6, 0, cls.topic.ids)]}
        )
        cls.other = cls.env["utm.campaign"].create({"title": "Arts week"})
        cls.reason = cls.env["campaign.response.reason"].create(
            {"name": "Not this year", "polarity": "negative"}
        )
        cls.call_type = cls.env.ref(
            "campaign_pressure.mail_activity_type_marketing_call"
        )

    def _respond(self, partner, reason=None, campaign=None, **values):
        reason = reason or self.reason
        return self.Response.create(
            dict(
                {
                    "partner_id": partner.id,
                    "polarity": reason.polarity,
                    "reason_id": reason.id,
                    "campaign_id": (campaign or self.campaign).id,
                },
                **values,
            )
        )

    def _held(self, partners, campaign, exempt=False):
        decisions = self._decide(
            partners,
            message={
                "campaign_id": campaign.id,
                "campaign_tag_ids": campaign.tag_ids.ids,
                "exempt": exempt,
            },
        )
        return {
            pid: decisions[pid]["reason_code"]
            for pid in partners.ids
            if not decisions[pid]["allowed"]
        }

    # ------------------------------------------------------------------
    # Suppression
    # ------------------------------------------------------------------

    def test_suppression_of_the_campaign(self):
        self.reason.suppress_days = 30
        with freeze_time("2026-03-01 10:00:00"):
            response = self._respond(self.partner_a)
        self.assertEqual(
            response.suppress_until, fields.Datetime.to_datetime("2026-03-31 10:00:00")
        )
        self.assertEqual(response.suppress_scope, "campaign")
        with freeze_time("2026-03-10 10:00:00"):
            self.assertEqual(
                self._held(self.partners, self.campaign),
                {self.partner_a.id: "suppressed"},
            )
            decision = self._decide(
                self.partner_a, message={"campaign_id": self.campaign.id}
            )[self.partner_a.id]
            self.assertIn("answered 'Not this year'", decision["reason"])
            # another campaign, a transactional message: not suppressed
            self.assertEqual(self._held(self.partners, self.same_topic), {})
            self.assertEqual(self._held(self.partners, self.campaign, exempt=True), {})
        with freeze_time("2026-04-01 10:00:00"):  # the window is over
            self.assertEqual(self._held(self.partners, self.campaign), {})

    def test_suppression_of_the_topic_and_of_everything(self):
        self.reason.write({"suppress_days": 10, "suppress_scope": "tag"})
        self._respond(self.partner_a)
        self.assertEqual(
            self._held(self.partners, self.same_topic),
            {self.partner_a.id: "suppressed"},
        )
        self.assertEqual(self._held(self.partners, self.other), {})
        self.reason.suppress_scope = "all"
        self._respond(self.partner_b)  # a new response takes the new scope
        self.assertEqual(
            self._held(self.partners, self.other), {self.partner_b.id: "suppressed"}
        )

    def test_suppressed_recipient_not_sent(self):
        """The send holds the suppressed person back with the reason on the
        trace; an email-only recipient is resolved to the person."""
        self.reason.suppress_days = 30
        self._respond(self.partner_a)
        mailing = self._create_partner_mailing(
            self.partners[:3], campaign_id=self.campaign.id
        )
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        traces = self._traces(mailing)
        held = traces.filtered(lambda t: t.res_id == self.partner_a.id)
        self.assertEqual(held.trace_status, "cancel")
        self.assertEqual(held.pressure_reason, "suppressed")
        self.assertEqual(
            (traces - held).mapped("trace_status"), ["sent", "sent"], traces
        )
        contacts = self.env["campaign.pressure.contact"].search(
            [("mailing_id", "=", mailing.id)]
        )
        self.assertNotIn(self.partner_a, contacts.partner_id)

    def test_bad_window_and_forged_suppression_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.reason.suppress_days = -1
        response = self._respond(self.partner_a)
        with self.assertRaises(AccessError):
            response.with_user(self.user_marketing).suppress_until = (
                fields.Datetime.now() + timedelta(days=5)
            )
        with self.assertRaises(AccessError):
            self.Response.with_user(self.user_marketing).create(
                {
                    "partner_id": self.partner_b.id,
                    "polarity": "negative",
                    "suppress_until": fields.Datetime.now(),
                }
            )
        # configuring a reason is the manager's
        with self.assertRaises(AccessError):
            self.reason.with_user(self.user_marketing).suppress_days = 5

    @freeze_time("2026-03-01 10:00:00")
    def test_manual_response_cannot_suppress_beyond_its_window(self):
        """A response by hand is dated at the latest now: a future date
        would hold the person back for years (security review, finding 6);
        and the window runs from the response's date or now, whichever is
        earlier, whatever source dated it."""
        self.reason.write({"suppress_days": 30, "suppress_scope": "all"})
        Response = self.Response.with_user(self.user_marketing)
        values = {
            "partner_id": self.partner_a.id,
            "polarity": "negative",
            "reason_id": self.reason.id,
        }
        with self.assertRaisesRegex(ValidationError, "cannot be dated in the future"):
            Response.create(dict(values, date="2099-01-01 00:00:00"))
        with self.assertRaisesRegex(ValidationError, "cannot be dated in the future"):
            Response.with_context(default_date="2099-01-01 00:00:00").create(values)
        response = Response.create(dict(values, date="2026-02-20 10:00:00"))
        self.assertEqual(
            response.sudo().suppress_until,
            fields.Datetime.to_datetime("2026-03-22 10:00:00"),
        )
        with self.assertRaisesRegex(ValidationError, "cannot be dated in the future"):
            response.date = "2099-01-01 00:00:00"
        # a date from the future given by any other path counts from now
        self.Response._record_values(
            [dict(values, date="2099-01-01", source="reply", source_ref="test,1")]
        )
        recorded = self.Response.search([("source_ref", "=", "test,1")])
        self.assertEqual(
            recorded.suppress_until, fields.Datetime.to_datetime("2026-03-31 10:00:00")
        )

    def test_manual_response_takes_no_server_field_from_the_context(self):
        """What the server sets on a response (its source and source record,
        the opt-out reason, the suppression) comes from no ``default_*`` key
        of a user's context either: a pre-claimed source record would drop
        the real response of that source (security review, finding 6)."""
        optout = self.env["mailing.subscription.optout"].create({"name": "Spam"})
        Response = self.Response.with_user(self.user_marketing)
        values = {"partner_id": self.partner_a.id, "polarity": "negative"}
        with self.assertRaises(AccessError):
            Response.create(dict(values, optout_reason_id=optout.id))
        claim = "mail.activity,999999"
        response = Response.with_context(
            default_source="call",
            default_source_ref=claim,
            default_optout_reason_id=optout.id,
            default_suppress_until="2099-01-01 00:00:00",
            default_suppress_scope="all",
        ).create(values)
        self.assertEqual(response.source, "manual")
        self.assertFalse(response.source_ref)
        self.assertFalse(response.optout_reason_id)
        self.assertFalse(response.sudo().suppress_until)
        self.assertFalse(response.sudo().suppress_scope)
        # the real call outcome is still recorded
        recorded = self.Response._record_values(
            [dict(values, source="call", source_ref=claim)]
        )
        self.assertEqual(recorded, 1)

    # ------------------------------------------------------------------
    # Cool-down, segment, journeys
    # ------------------------------------------------------------------

    @users("user_marketing")
    def test_cooldown_and_segment(self):
        segments = self.env["res.partner.category"].sudo().create({"name": "Stage"})
        warm, cold = (
            self.env["res.partner.category"]
            .sudo()
            .create(
                [
                    {"name": "Warm", "parent_id": segments.id},
                    {"name": "Cold", "parent_id": segments.id},
                ]
            )
        )
        other_tag = self.env["res.partner.category"].sudo().create({"name": "VIP"})
        self.partner_a.sudo().category_id = warm | other_tag
        self.reason.sudo().write(
            {"cooldown_reason": "feedback", "segment_tag_id": cold.id}
        )
        self._respond(self.partner_a.with_env(self.env))
        partner = self.partner_a.sudo()
        self.assertEqual(partner.category_id, cold | other_tag)
        self.assertEqual(partner.pressure_cooldown_reason, "feedback")
        self.assertGreater(partner.pressure_cooldown_until, fields.Datetime.now())
        self.assertFalse(self.partner_b.sudo().pressure_cooldown_until)

    def test_end_and_start_journeys(self):
        journey, _steps = self._journey(
            [self._email_step(interval_number=3, interval_type="days")]
        )
        journey.action_launch()
        self.assertEqual(len(self._participants(journey, state="running")), 5)
        self.reason.end_journeys = True
        self._respond(self.partner_a)
        left = self._participants(journey, partner_id=self.partner_a.id)
        self.assertEqual(left.state, "exited")
        self.assertEqual(left.item_ids.mapped("state"), ["cancelled"])
        self.assertEqual(len(self._participants(journey, state="running")), 4)
        # a positive reason starts a journey of contacts entered at launch
        newcomer = self.env["res.partner"].create(
            {"name": "Newcomer", "email": "new@example.com", "function": "Applicant"}
        )
        interested = self.env.ref("campaign_pressure.response_reason_interested")
        interested.start_journey_id = journey
        self.assertFalse(self._participants(journey, partner_id=newcomer.id))
        self._respond(newcomer, reason=interested)
        self.assertEqual(
            self._participants(journey, partner_id=newcomer.id).state, "running"
        )
        # any journey whose records have a person (here entered on a write)
        on_write, _steps = self._journey(
            [self._email_step()], entry_mode="event", name="On write"
        )
        interested.start_journey_id = on_write
        with self.assertRaisesRegex(ValidationError, "Only a positive response"):
            self.reason.start_journey_id = on_write

    # ------------------------------------------------------------------
    # Call outcomes
    # ------------------------------------------------------------------

    def _call(self, partner, outcome, activity_type=None):
        return self.env["mail.activity"].create(
            {
                "activity_type_id": (activity_type or self.call_type).id,
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": partner.id,
                "summary": "Call about the open day",
                "pressure_call_outcome": outcome,
            }
        )

    def test_call_outcomes(self):
        todo = self.env.ref("mail.mail_activity_data_todo")
        calls = (
            self._call(self.partner_a, "reached")
            | self._call(self.partner_b, "do_not_contact")
            | self._call(self.partner_c, "no_answer")
            | self._call(self.partners[3], "reached", activity_type=todo)
        )
        refs = {f"mail.activity,{call.id}": call for call in calls}
        calls.action_done()
        responses = self.Response.search([("source", "=", "call")])
        responses = responses.filtered(lambda r: r.source_ref in refs)
        self.assertEqual(
            {(r.partner_id, r.polarity, r.channel) for r in responses},
            {
                (self.partner_a, "positive", "phone"),
                (self.partner_b, "negative", "phone"),
            },
        )
        negative = responses.filtered(lambda r: r.polarity == "negative")
        self.assertEqual(
            negative.reason_id,
            self.env.ref("campaign_pressure.response_reason_unsubscribe"),
        )
