from odoo import api, fields, models
from odoo.exceptions import UserError

from .edu_workflow_mixin import EDU_USER, check_edu_group


class SurveyUserInput(models.Model):
    _inherit = "survey.user_input"

    edu_lead_id = fields.Many2one(
        "crm.lead",
        string="Application",
        index="btree_not_null",
        help="The admission application (lead) these answers belong to.",
    )
    edu_document_count = fields.Integer(
        compute="_compute_edu_document_count", string="Documents"
    )

    def _compute_edu_document_count(self):
        if not self.env["edu.document"].has_access("read"):
            self.edu_document_count = 0
            return
        groups = self.env["edu.document"]._read_group(
            [("source_ref", "in", [f"{self._name},{answer.id}" for answer in self])],
            ["source_ref"],
            ["__count"],
        )
        counts = {
            (
                f"{ref._name},{ref.id}" if isinstance(ref, models.BaseModel) else ref
            ): count
            for ref, count in groups
        }
        for answer in self:
            answer.edu_document_count = counts.get(f"{self._name},{answer.id}", 0)

    @api.model_create_multi
    def create(self, vals_list):
        answers = super().create(vals_list)
        for answer in answers.filtered(
            lambda a: a.edu_lead_id.partner_id and not a.partner_id
        ):
            answer.partner_id = answer.edu_lead_id.partner_id
        return answers

    def _mark_done(self):
        result = super()._mark_done()
        odoobot = self.env.ref("base.partner_root")
        for answer in self.filtered("edu_lead_id"):
            answer.edu_lead_id.sudo().message_post(
                body=self.env._(
                    "%(person)s has completed the questionnaire %(survey)s.",
                    person=answer.partner_id.display_name
                    or answer.email
                    or answer.nickname
                    or "-",
                    survey=answer.survey_id.title,
                ),
                author_id=odoobot.id,
            )
        return result

    def action_edu_issue_questionnaire_result(self):
        """Issue a numbered 'questionnaire result' document from completed answers."""
        check_edu_group(self.env, EDU_USER)
        not_done = self.filtered(lambda answer: answer.state != "done")
        if not_done:
            raise UserError(
                self.env._("Only completed questionnaires can be issued as a document.")
            )
        no_person = self.filtered(
            lambda answer: not (answer.partner_id or answer.edu_lead_id.partner_id)
        )
        if no_person:
            raise UserError(
                self.env._(
                    "These answers are not linked to a person; link them to an "
                    "application with a contact first."
                )
            )
        Document = self.env["edu.document"]
        documents = Document.browse()
        for answer in self:
            partner = answer.partner_id or answer.edu_lead_id.partner_id
            documents |= Document._edu_issue("questionnaire_result", partner, answer)
        return documents._edu_action_open()

    def action_edu_view_documents(self):
        self.ensure_one()
        check_edu_group(self.env, EDU_USER)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "edu_crm.edu_document_action"
        )
        action["domain"] = [("source_ref", "=", f"{self._name},{self.id}")]
        return action
