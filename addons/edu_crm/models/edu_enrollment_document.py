from odoo import api, fields, models
from odoo.exceptions import UserError

from .edu_workflow_mixin import EDU_USER, check_edu_group


class EduEnrollment(models.Model):
    _inherit = "edu.enrollment"

    document_count = fields.Integer(
        compute="_compute_document_count",
        string="Documents",
        help="Documents issued to the student of this enrolment.",
    )

    @api.depends("partner_id")
    def _compute_document_count(self):
        if not self.env["edu.document"].has_access("read"):
            self.document_count = 0
            return
        counts = dict(
            self.env["edu.document"]._read_group(
                [("partner_id", "in", self.partner_id.ids)], ["partner_id"], ["__count"]
            )
        )
        for enrollment in self:
            enrollment.document_count = counts.get(enrollment.partner_id, 0)

    def action_issue_enrolment_certificate(self):
        """Issue a certificate of enrolment for each selected (enrolled) student."""
        check_edu_group(self.env, EDU_USER)
        not_enrolled = self.filtered(lambda enrollment: enrollment.state != "enrolled")
        if not_enrolled:
            raise UserError(
                self.env._(
                    "A certificate of enrolment can only be issued for an enrolled "
                    "student: %(names)s",
                    names=", ".join(not_enrolled.mapped("display_name")),
                )
            )
        Document = self.env["edu.document"]
        documents = Document.browse()
        for enrollment in self:
            documents |= Document._edu_issue(
                "enrolment_certificate", enrollment.partner_id, enrollment
            )
        return documents._edu_action_open()

    def action_view_documents(self):
        self.ensure_one()
        check_edu_group(self.env, EDU_USER)
        return self.env["edu.document"]._edu_action_for_partners(self.partner_id)
