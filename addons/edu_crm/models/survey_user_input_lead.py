from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .edu_workflow_mixin import EDU_USER, check_edu_group


class CrmLead(models.Model):
    """Admission questionnaire (Odoo ``survey``) answers on the application."""

    _inherit = "crm.lead"

    edu_survey_answer_ids = fields.One2many(
        "survey.user_input", "edu_lead_id", string="Questionnaire Answers"
    )
    edu_survey_answer_count = fields.Integer(
        compute="_compute_edu_survey_answer_count", string="Questionnaires"
    )

    @api.depends("edu_survey_answer_ids")
    def _compute_edu_survey_answer_count(self):
        if not self.env["survey.user_input"].has_access("read"):
            self.edu_survey_answer_count = 0
            return
        counts = dict(
            self.env["survey.user_input"]._read_group(
                [("edu_lead_id", "in", self.ids)], ["edu_lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.edu_survey_answer_count = counts.get(lead, 0)

    def action_edu_send_questionnaire(self):
        """Invite the applicant to the admission questionnaire (survey.invite
        wizard).
        """
        self.ensure_one()
        check_edu_group(self.env, EDU_USER)
        if not self.partner_id:
            raise UserError(
                self.env._(
                    "Set the applicant's contact on the application before sending "
                    "the questionnaire."
                )
            )
        survey = self.env.ref(
            "edu_crm.survey_admission_questionnaire", raise_if_not_found=False
        )
        if not survey or not survey.active:
            raise UserError(
                self.env._("The admission questionnaire is missing or archived.")
            )
        survey.check_validity()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send the admission questionnaire"),
            "res_model": "survey.invite",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_survey_id": survey.id,
                "default_partner_ids": self.partner_id.ids,
                "default_edu_lead_id": self.id,
                "default_deadline": fields.Datetime.now() + timedelta(days=15),
                "default_email_layout_xmlid": "mail.mail_notification_light",
            },
        }

    def action_edu_view_questionnaires(self):
        self.ensure_one()
        check_edu_group(self.env, EDU_USER)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "survey.action_survey_user_input"
        )
        action["domain"] = [("edu_lead_id", "=", self.id)]
        action["context"] = {"create": False}
        return action
