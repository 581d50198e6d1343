from freezegun import freeze_time
from odoo.addons.edu_crm.tests.test_tuition_common import TuitionCommon
from odoo.addons.mail.tests.common import MockEmail
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestInstalmentJourney(TuitionCommon, MockEmail):
    """A journey on tuition instalments: entered 7 days before the due date,
    emailing the contract's student, who is the participant."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-01-01 08:00:00"):
            cls.contract = cls._contract(
                plan=cls.plan_monthly_3, date_start="2026-01-10"
            )
        cls.instalments = cls.contract.instalment_ids.sorted("due_date")
        cls.runner = cls.env["campaign.journey.runner"]

    def _journey(self):
        journey = self.env["campaign.journey"].create(
            {
                "name": "Instalment due",
                "model_id": self.env["ir.model"]._get("edu.tuition.instalment").id,
                "domain": repr([("contract_id", "=", self.contract.id)]),
                "entry_mode": "date",
                "date_field": "due_date",
                "date_offset_days": -7,
            }
        )
        step = self.env["campaign.journey.step"].create(
            {
                "journey_id": journey.id,
                "name": "Due in a week",
                "kind": "email",
                "subject": "Your instalment is due in a week",
                "body_html": "<p>Due in a week</p>",
            }
        )
        return journey, step

    def test_instalment_has_a_chatter_and_its_student_as_partner(self):
        instalment = self.instalments[0]
        self.assertIn("message_ids", instalment._fields)
        self.assertEqual(instalment._mail_get_partner_fields(), ["student_id"])
        self.assertEqual(
            instalment._message_get_default_recipients()[instalment.id]["partner_ids"],
            self.student.ids,
        )

    def test_seven_days_before_the_due_date_the_student_is_emailed(self):
        first = self.instalments[0]
        with freeze_time(first.due_date.strftime("%Y-%m-%d 00:00:00")):
            journey, step = self._journey()
            # launched a week and a day before the first due date
            journey.sudo().last_entry_scan = "2026-01-01 00:00:00"
            journey.action_launch()
            with self.mock_mail_gateway(mail_unlink_sent=False):
                self.runner._cron_run_journeys()
        participant = journey.participant_ids
        self.assertEqual(participant.res_id, first.id)
        self.assertEqual(participant.partner_id, self.student)
        item = participant.item_ids
        self.assertEqual(item.state, "done")
        self.assertEqual(item.trace_id.model, "edu.tuition.instalment")
        self.assertEqual(item.trace_id.res_id, first.id)
        self.assertSentEmail(self.env.user.partner_id, [self.student])
