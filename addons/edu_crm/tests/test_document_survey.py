from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .test_document_common import EduDocumentCommon


@tagged("post_install", "-at_install")
class TestDocumentSurvey(EduDocumentCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer = new_test_user(
            cls.env,
            login="doc_admissions_officer",
            groups="edu_crm.group_edu_user,survey.group_survey_user",
        )
        cls.survey = cls.env.ref("edu_crm.survey_admission_questionnaire")
        cls.q_education = cls.env.ref("edu_crm.survey_admission_q_education")
        cls.q_motivation = cls.env.ref("edu_crm.survey_admission_q_motivation")
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Application Olena Kovalenko",
                "type": "opportunity",
                "partner_id": cls.person.id,
                "user_id": cls.officer.id,
            }
        )

    def _answer(self, lead=None, partner=None, done=True):
        answer = self.survey._create_answer(
            partner=partner or False,
            check_attempts=False,
            edu_lead_id=lead.id if lead else False,
        )
        answer._save_lines(
            self.q_education, self.env.ref("edu_crm.survey_admission_q_education_a3").id
        )
        answer._save_lines(self.q_motivation, "I want to become a nurse.")
        if done:
            answer._mark_done()
        return answer

    def test_answers_linked_to_the_application(self):
        answer = self._answer(lead=self.lead)
        self.assertEqual(
            answer.partner_id,
            self.person,
            "the applicant's contact is taken from the application",
        )
        self.assertEqual(self.lead.with_user(self.officer).edu_survey_answer_count, 1)
        self.assertIn("has completed the questionnaire", self.lead.message_ids[0].body)
        action = self.lead.with_user(self.officer).action_edu_view_questionnaires()
        self.assertEqual(self.env["survey.user_input"].search(action["domain"]), answer)

    def test_issue_questionnaire_result(self):
        answer = self._answer(lead=self.lead).with_user(self.officer)
        action = answer.action_edu_issue_questionnaire_result()
        document = self.env["edu.document"].browse(action["res_id"])
        self.assertEqual(document.type_id, self.type_questionnaire)
        self.assertEqual(document.state, "issued")
        self.assertEqual(document.partner_id, self.person)
        self.assertEqual(document.source_ref, answer)
        self.assertIn("I want to become a nurse.", document.body)
        self.assertIn("Bachelor's degree", document.body)
        self.assertEqual(answer.edu_document_count, 1)
        # the issued text does not follow later changes of the answers
        answer.sudo().user_input_line_ids.filtered(
            lambda line: line.question_id == self.q_motivation
        ).value_text_box = "x"
        self.assertIn("I want to become a nurse.", document.body)

    def test_unfinished_or_anonymous_answers_are_refused(self):
        Document = self.env["edu.document"]
        count = Document.search_count([])
        unfinished = self._answer(lead=self.lead, done=False).with_user(self.officer)
        with self.assertRaisesRegex(UserError, "Only completed questionnaires"):
            unfinished.action_edu_issue_questionnaire_result()
        anonymous = self._answer(done=True).with_user(self.officer)
        with self.assertRaisesRegex(UserError, "not linked to a person"):
            anonymous.action_edu_issue_questionnaire_result()
        self.assertEqual(Document.search_count([]), count, "nothing half-written")

    def test_send_questionnaire_from_application(self):
        action = self.lead.with_user(self.officer).action_edu_send_questionnaire()
        self.assertEqual(action["res_model"], "survey.invite")
        self.assertEqual(action["context"]["default_survey_id"], self.survey.id)
        self.assertEqual(action["context"]["default_partner_ids"], self.person.ids)
        invite = (
            self.env["survey.invite"]
            .with_user(self.officer)
            .with_context(**action["context"])
            .create(
                {"send_email": False}
                if "send_email" in self.env["survey.invite"]._fields
                else {}
            )
        )
        answers = invite.with_context(**action["context"])._prepare_answers(
            self.person, []
        )
        self.assertEqual(answers.edu_lead_id, self.lead)
        self.assertEqual(answers.partner_id, self.person)

        no_contact = self.env["crm.lead"].create(
            {"name": "Walk-in", "type": "opportunity", "user_id": self.officer.id}
        )
        with self.assertRaisesRegex(UserError, "contact"):
            no_contact.with_user(self.officer).action_edu_send_questionnaire()
