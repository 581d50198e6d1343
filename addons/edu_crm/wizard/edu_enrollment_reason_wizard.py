from odoo import fields, models


class EduEnrollmentReasonWizard(models.TransientModel):
    _name = "edu.enrollment.reason.wizard"
    _description = "Enrolment State Change Reason"

    enrollment_ids = fields.Many2many("edu.enrollment", string="Enrolments")
    target_state = fields.Selection(
        [
            ("on_leave", "On Leave"),
            ("withdrawn", "Withdrawn"),
            ("expelled", "Expelled"),
        ],
        required=True,
    )
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.enrollment_ids._edu_set_state(self.target_state, reason=self.reason)
        return {"type": "ir.actions.act_window_close"}
