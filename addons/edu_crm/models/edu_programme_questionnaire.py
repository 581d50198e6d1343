from odoo import api, fields, models

# survey.user_input state -> what the application shows of it
QUESTIONNAIRE_STATES = {
    "new": "to_answer",
    "in_progress": "in_progress",
    "done": "done",
}


class EduProgramme(models.Model):
    _inherit = "edu.programme"

    survey_id = fields.Many2one(
        "survey.survey",
        string="Admission Questionnaire",
        ondelete="set null",
        domain="[('access_mode', '!=', 'internal')]",
        help="Answered by the applicants of this programme from their online "
        "application (the survey's own answer link).",
    )


class CrmLead(models.Model):
    """The admission questionnaire of an online application: the
    programme's survey, answered by the applicant through the survey's own
    answer token (``survey.user_input``, linked to the lead by
    ``edu_lead_id``), as Odoo's survey invitations give it."""

    _inherit = "crm.lead"

    edu_questionnaire_state = fields.Selection(
        [
            ("to_answer", "To answer"),
            ("in_progress", "In progress"),
            ("done", "Answered"),
        ],
        string="Questionnaire",
        compute="_compute_edu_questionnaire_state",
        help="The applicant's answer to the programme's admission questionnaire.",
    )

    @api.depends(
        "partner_id",
        "edu_programme_id.survey_id",
        "edu_survey_answer_ids.state",
    )
    def _compute_edu_questionnaire_state(self):
        for lead in self:
            answer = lead._edu_questionnaire_answers()[:1]
            lead.edu_questionnaire_state = QUESTIONNAIRE_STATES.get(answer.state)

    def _edu_questionnaire_answers(self):
        """The applicant's answers (sudo, the latest first) to the
        programme's questionnaire on this application."""
        self.ensure_one()
        lead = self.sudo()
        survey = lead.edu_programme_id.survey_id
        return lead.edu_survey_answer_ids.filtered(
            lambda answer: survey
            and answer.survey_id == survey
            and answer.partner_id == lead.partner_id
            and not answer.test_entry
        ).sorted("id", reverse=True)

    def _edu_questionnaire_answer(self):
        """The applicant's answer to the programme's admission questionnaire
        (sudo): the latest one, else a new one made by the survey itself
        (``survey.survey._create_answer``, its own answer token, as Odoo's
        invitations make them). Empty when the programme has no open
        questionnaire for applicants, or the application is closed and was
        not answered."""
        self.ensure_one()
        lead = self.sudo()
        answer = lead._edu_questionnaire_answers()[:1]
        survey = lead.edu_programme_id.survey_id
        if answer or not (
            survey.active
            and survey.access_mode != "internal"
            and lead.partner_id
            and lead.edu_is_online
            and lead.active
            and not lead.stage_id.is_won
        ):
            return answer
        return survey._create_answer(
            partner=lead.partner_id, check_attempts=False, edu_lead_id=lead.id
        )
