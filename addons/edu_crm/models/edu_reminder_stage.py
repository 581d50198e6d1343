from odoo import api, fields, models
from odoo.exceptions import ValidationError


class EduReminderStage(models.Model):
    _name = "edu.reminder.stage"
    _description = "Tuition Reminder Stage"
    _order = "days_overdue, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    days_overdue = fields.Integer(
        required=True, help="The stage applies once an instalment is this late."
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain="[('model', '=', 'account.move')]",
        help="Sent to the payer of each unpaid invoice of the instalment.",
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        domain="[('model', '=', 'account.move')]",
    )
    create_activity = fields.Boolean(
        string="Activity for the Bursar",
        help="Schedule an activity on the contract for its bursar.",
    )
    activity_type_id = fields.Many2one("mail.activity.type")
    activity_user_id = fields.Many2one(
        "res.users",
        string="Assign To",
        help="Defaults to the bursar of the contract.",
    )
    propose_suspension = fields.Boolean(
        help="Flag the contract and ask the bursar to decide on suspending "
        "the enrolment."
    )
    company_id = fields.Many2one("res.company", index=True)
    log_count = fields.Integer(compute="_compute_log_count")

    _sql_constraints = [
        (
            "days_positive",
            "CHECK(days_overdue > 0)",
            "A reminder stage must apply at least one day after the due date.",
        ),
    ]

    def _compute_log_count(self):
        counts = dict(
            self.env["edu.reminder.log"]._read_group(
                [("stage_id", "in", self.ids), ("state", "!=", "pending")],
                ["stage_id"],
                ["__count"],
            )
        )
        for stage in self:
            stage.log_count = counts.get(stage, 0)

    @api.constrains("mail_template_id", "sms_template_id")
    def _check_template_model(self):
        for stage in self:
            for template in (stage.mail_template_id, stage.sms_template_id):
                if template and template.model != "account.move":
                    raise ValidationError(
                        self.env._(
                            "The templates of reminder stage %s must be made for "
                            "invoices (Journal Entry).",
                            stage.name,
                        )
                    )
