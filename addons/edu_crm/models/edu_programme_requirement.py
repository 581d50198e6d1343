from odoo import fields, models


class EduProgrammeRequirement(models.Model):
    """A document an applicant uploads for a programme (ID, diploma,
    language certificate...): the programme's checklist, edited by staff on
    the programme form and shown on the online application."""

    _name = "edu.programme.requirement"
    _description = "Programme Document Requirement"
    _order = "programme_id, sequence, id"

    programme_id = fields.Many2one(
        "edu.programme", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Document", required=True, translate=True)
    description = fields.Char(
        translate=True, help="What the applicant uploads, shown on the form."
    )
    is_required = fields.Boolean(
        string="Required",
        default=True,
        help="An application cannot be sent without this document.",
    )
    company_id = fields.Many2one(
        related="programme_id.company_id", store=True, index=True, precompute=True
    )


class EduProgramme(models.Model):
    _inherit = "edu.programme"

    requirement_ids = fields.One2many(
        "edu.programme.requirement",
        "programme_id",
        string="Document Checklist",
        copy=True,
    )
