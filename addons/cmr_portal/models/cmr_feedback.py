from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

RATINGS = [
    ("1", "Very unhappy"),
    ("2", "Unhappy"),
    ("3", "Neutral"),
    ("4", "Happy"),
    ("5", "Very happy"),
]
NEGATIVE_RATINGS = ("1", "2")
MAX_FEEDBACK_LENGTH = 4000
STAFF_GROUP = "edu_crm.group_edu_user"
# what the person said: given once, never edited by a user's write,
# whatever their access rights
SAID_FIELDS = frozenset({"partner_id", "rating", "comment", "company_id"})


class CmrFeedback(models.Model):
    _name = "cmr.feedback"
    _description = "Portal Feedback"
    _inherit = ["mail.thread", "edu.system.fields.mixin"]
    _order = "create_date desc, id desc"
    _rec_name = "partner_id"
    # its status (moved by action_done) and what follows the rating
    _edu_system_fields = frozenset({"is_negative", "state"})
    _edu_fixed_fields = SAID_FIELDS

    partner_id = fields.Many2one(
        "res.partner",
        string="Person",
        required=True,
        index=True,
        readonly=True,
        ondelete="cascade",
    )
    rating = fields.Selection(RATINGS, required=True, readonly=True)
    comment = fields.Text(readonly=True)
    is_negative = fields.Boolean(
        compute="_compute_is_negative", store=True, string="Negative"
    )
    state = fields.Selection(
        [("new", "New"), ("done", "Handled")],
        default="new",
        required=True,
        tracking=True,
        readonly=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        readonly=True,
    )

    @api.depends("rating")
    def _compute_is_negative(self):
        for feedback in self:
            feedback.is_negative = feedback.rating in NEGATIVE_RATINGS

    @api.constrains("comment")
    def _check_comment(self):
        for feedback in self:
            if feedback.comment and len(feedback.comment) > MAX_FEEDBACK_LENGTH:
                raise ValidationError(
                    self.env._(
                        "Feedback is limited to %(max)s characters.",
                        max=MAX_FEEDBACK_LENGTH,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        feedbacks = super().create(vals_list)
        feedbacks.filtered("is_negative").partner_id._pressure_cooldown("feedback")
        return feedbacks

    def _edu_system_fields_refusal(self, fnames, creating):
        return self.env._(
            "Feedback is what the person said: it is not edited "
            "(%(fields)s). Mark it handled with the button.",
            fields=self._edu_field_labels(fnames),
        )

    def action_done(self):
        if not self.env.su and not self.env.user.has_group(STAFF_GROUP):
            raise AccessError(self.env._("Only the education staff handle feedback."))
        self.check_access("write")
        self.sudo().write({"state": "done"})
        return True
