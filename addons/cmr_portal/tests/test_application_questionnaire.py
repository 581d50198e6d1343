from odoo import Command
from odoo.tests import tagged

from .apply_common import ApplyOnlineCommon


@tagged("post_install", "-at_install")
class TestApplicationQuestionnaire(ApplyOnlineCommon):
    """The programme's admission questionnaire (Odoo ``survey``) on the
    apply path (issue 16): the applicant's page links to it with the
    survey's own answer token, the survey's pages take the answer, the
    lead shows it; nobody else answers in the applicant's name."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey = cls.env["survey.survey"].create(
            {
                "title": "Astronomy motivation",
                "access_mode": "token",
                "questions_layout": "one_page",
                "question_and_page_ids": [
                    Command.create(
                        {
                            "title": "Why astronomy?",
                            "question_type": "char_box",
                            "constr_mandatory": True,
                        }
                    )
                ],
            }
        )
        cls.question = cls.survey.question_ids
        cls.programme.survey_id = cls.survey

    def _survey_post(self, verb, answer, params=None):
        url = (
            f"{self.base_url()}/survey/{verb}/{self.survey.access_token}/"
            f"{answer.access_token}"
        )
        return self.opener.post(url, json={"params": params or {}})

    def _page(self, lead):
        return self._get(f"/my/applications/{lead.id}").text

    def test_applicant_answers_from_the_application(self):
        self.authenticate("apl_applicant", "apl_applicant")
        self._csrf(f"/apply/{self.intake.id}")
        response = self._apply(self.intake)
        self.assertIn(response.status_code, (302, 303))
        lead = self._leads()
        answer = lead.edu_survey_answer_ids
        self.assertEqual(
            (answer.survey_id, answer.partner_id, answer.state),
            (self.survey, self.user_applicant.partner_id, "new"),
        )
        self.assertEqual(lead.edu_questionnaire_state, "to_answer")
        url = answer.get_start_url()
        self.assertIn(f'href="{url}"', self._page(lead))
        start = self.url_open(url)
        self.assertEqual(start.status_code, 200)
        self.assertIn("Astronomy motivation", start.text)
        # answered as the survey's own pages send it
        self.assertEqual(self._survey_post("begin", answer).status_code, 200)
        response = self._survey_post(
            "submit",
            answer,
            {str(self.question.id): "To see the stars", "token": answer.access_token},
        )
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("error", response.json().get("result", {}))
        self.assertEqual(answer.state, "done")
        self.assertEqual(answer.user_input_line_ids.value_char_box, "To see the stars")
        # the lead shows it: answered, in the chatter, among its answers
        self.assertEqual(lead.edu_questionnaire_state, "done")
        self.assertEqual(lead.edu_survey_answer_count, 1)
        self.assertIn(
            "has completed the questionnaire Astronomy motivation",
            " ".join(lead.message_ids.mapped("body")),
        )
        page = self._page(lead)
        self.assertIn("You answered this questionnaire", page)
        self.assertNotIn('id="cmr_questionnaire_link"', page)
        self.assertEqual(lead._edu_questionnaire_answer(), answer, "no second answer")

    def test_nobody_else_answers(self):
        lead = self._online_lead()
        answer = lead.edu_survey_answer_ids
        self.assertEqual(len(answer), 1)
        # another applicant: no page, no token; the link refused in their name
        self.authenticate("apl_other", "apl_other")
        page = self._get(f"/my/applications/{lead.id}")
        self.assertIn(page.status_code, (302, 303))
        self.assertNotIn(answer.access_token, page.text)
        self._survey_post("begin", answer)
        response = self._survey_post(
            "submit",
            answer,
            {str(self.question.id): "Forged", "token": answer.access_token},
        )
        self.assertIn("error", response.json()["result"][1])
        self.assertEqual(answer.state, "new")
        self.assertFalse(answer.user_input_line_ids)
        # a wrong token opens no answer
        self.authenticate("apl_applicant", "apl_applicant")
        wrong = self.url_open(f"{self.survey.get_start_url()}?answer_token=wrong")
        self.assertNotIn("Why astronomy?", wrong.text)
        self.assertEqual(lead.edu_survey_answer_ids, answer)

    def test_questionnaire_follows_the_programme(self):
        self.programme.survey_id = False
        lead = self._online_lead()
        self.assertFalse(lead.edu_survey_answer_ids)
        self.assertFalse(lead.edu_questionnaire_state)
        self.authenticate("apl_applicant", "apl_applicant")
        self.assertNotIn('id="cmr_questionnaire"', self._page(lead))
        # a questionnaire given to the programme later: on the next visit
        self.programme.survey_id = self.survey
        page = self._page(lead)
        answer = lead.edu_survey_answer_ids
        self.assertEqual(answer.partner_id, self.user_applicant.partner_id)
        self.assertIn(f'href="{answer.get_start_url()}"', page)
        # a closed application that was not answered gets none
        other = self._online_lead(self.user_other)
        other.sudo().edu_survey_answer_ids.unlink()
        other.with_user(self.user_other).action_edu_withdraw(
            self.env.ref("edu_crm.crm_lost_reason_personal").id
        )
        self.assertFalse(other._edu_questionnaire_answer())
