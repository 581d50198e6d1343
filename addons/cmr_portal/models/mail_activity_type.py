from odoo import fields, models


class MailActivityType(models.Model):
    """Which planned activities an applicant sees as their application's
    next step: only the types flagged here (an interview, a decision), never
    the admissions office's own work (a call to check funding, a note)."""

    _inherit = "mail.activity.type"

    cmr_applicant_visible = fields.Boolean(
        string="Shown to Applicants",
        help="An activity of this type planned on an online application is shown "
        "to the applicant as the next step, with its type and date (never its "
        "summary or note).",
    )
