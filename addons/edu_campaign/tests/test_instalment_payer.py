from unittest.mock import patch

from freezegun import freeze_time
from odoo.addons.edu_crm.tests.test_tuition_common import TuitionCommon
from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.sms.tests.common import MockSMS
from odoo.exceptions import ValidationError
from odoo.sql_db import Cursor
from odoo.tests import tagged

# what the lookup of a mailing's journey step reads (the step search of
# before, the journey search of now)
STEP_OF_MAILING = '"campaign_journey_step"."mailing_id"'


@tagged("post_install", "-at_install")
class TestInstalmentPayer(TuitionCommon, MockEmail, MockSMS):
    """An instalment journey sends to the payer (a sponsor, or the student
    who pays) when its recipient field says so, not to the record's first
    partner field: emails, SMS, call tasks and the participant."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-01-01 08:00:00"):
            cls.contract = cls._contract(
                payers=[(cls.student, 20.0), (cls.sponsor, 80.0)],
                plan=cls.plan_monthly_3,
                date_start="2026-01-10",
            )
        cls.first = cls.contract.instalment_ids.sorted("due_date")[0]
        cls.runner = cls.env["campaign.journey.runner"]

    def _journey(self, step_values, recipient_field=False):
        journey = self.env["campaign.journey"].create(
            {
                "name": "Instalment due",
                "model_id": self.env["ir.model"]._get("edu.tuition.instalment").id,
                "domain": repr([("id", "=", self.first.id)]),
                "recipient_field": recipient_field,
            }
        )
        self.env["campaign.journey.step"].create(
            dict({"journey_id": journey.id, "name": "Due soon"}, **step_values)
        )
        return journey

    def _run(self, journey):
        journey.action_launch()
        with self.mock_mail_gateway(mail_unlink_sent=False), self.mockSMSGateway():
            self.runner._cron_run_journeys()

    def test_payer_is_the_main_payer(self):
        self.assertEqual(self.first.payer_id, self.sponsor)
        with freeze_time("2026-01-01 08:00:00"):
            alone = self._contract(date_start="2026-01-10")
        self.assertEqual(alone.instalment_ids.payer_id, self.student)

    def test_email_goes_to_the_payer(self):
        journey = self._journey(
            {"kind": "email", "subject": "Due soon", "body_html": "<p>Due</p>"},
            recipient_field="payer_id",
        )
        self._run(journey)
        participant = journey.participant_ids
        self.assertEqual(participant.partner_id, self.sponsor)
        self.assertEqual(participant.item_ids.state, "done")
        self.assertEqual(participant.item_ids.trace_id.email, self.sponsor.email)
        self.assertSentEmail(self.env.user.partner_id, [self.sponsor])
        self.assertNotSentEmail([self.student])

    def test_without_recipient_field_the_student_as_before(self):
        journey = self._journey(
            {"kind": "email", "subject": "Due soon", "body_html": "<p>Due</p>"}
        )
        self._run(journey)
        self.assertEqual(journey.participant_ids.partner_id, self.student)
        self.assertSentEmail(self.env.user.partner_id, [self.student])
        self.assertNotSentEmail([self.sponsor])

    def test_sms_goes_to_the_payer(self):
        journey = self._journey(
            {"kind": "sms", "body_plaintext": "Your instalment is due"},
            recipient_field="payer_id",
        )
        self._run(journey)
        sms = (
            self.env["sms.sms"]
            .sudo()
            .search([("mailing_id", "=", journey.step_ids.mailing_id.id)])
        )
        self.assertEqual(sms.partner_id, self.sponsor)
        self.assertEqual(sms.number, "+32470998877")

    def test_call_task_names_the_payer(self):
        activity_type = self.env.ref("mail.mail_activity_data_call")
        journey = self._journey(
            {
                "kind": "activity",
                "activity_type_id": activity_type.id,
                "activity_summary": "Call about the instalment",
            },
            recipient_field="payer_id",
        )
        self._run(journey)
        activity = journey.participant_ids.item_ids.activity_id
        self.assertEqual(activity.res_id, self.first.id)
        self.assertEqual(
            activity.summary, f"Call about the instalment ({self.sponsor.display_name})"
        )

    def test_recipient_field_must_be_a_stored_partner_field(self):
        for fname in ("due_date", "contract_id", "nonexistent"):
            with self.assertRaisesRegex(ValidationError, "stored partner field"):
                self._journey({"kind": "wait"}, recipient_field=fname)

    def _step_lookups(self, mailing, instalments):
        """Queries of a send of ``mailing`` to ``instalments`` that look
        the mailing's journey step up."""
        queries = []
        execute = Cursor.execute

        def spy(cr, query, params=None, log_exceptions=True):
            queries.append(str(getattr(query, "code", query)))
            return execute(cr, query, params, log_exceptions)

        with self.mock_mail_gateway(mail_unlink_sent=False):
            with patch.object(Cursor, "execute", spy):
                # as the journey runner sends a step's mailing
                runner = self.env["campaign.journey.runner"]
                with runner._journey_sending_scope(mailing):
                    mailing.action_send_mail(instalments.ids)
        self.assertSentEmail(self.env.user.partner_id, [self.sponsor])
        return sum(STEP_OF_MAILING in query for query in queries)

    def test_recipient_field_is_read_once_per_send(self):
        """The journey of the mailing, and so its recipient field, is read
        once per send, not once per batch of recipients (review finding:
        a search per batch)."""
        self.env["campaign.pressure.rule"].search([]).active = False
        self.env["ir.config_parameter"].sudo().set_param("mail.batch_size", 1)
        journey = self._journey(
            {"kind": "email", "subject": "Due soon", "body_html": "<p>Due</p>"},
            recipient_field="payer_id",
        )
        mailing = journey.step_ids.mailing_id.sudo()
        instalments = self.contract.instalment_ids
        self.assertEqual(len(instalments), 3)
        self._step_lookups(mailing, instalments[:1])  # warm the caches
        one = self._step_lookups(mailing, instalments[:1])  # one batch
        three = self._step_lookups(mailing, instalments)  # three batches
        self.assertGreater(one, 0)
        self.assertEqual(three, one)
