from odoo import fields, models


class EduDocumentType(models.Model):
    _inherit = "edu.document.type"

    cmr_portal_requestable = fields.Boolean(
        string="Requestable in the Portal",
        help="Students can request a document of this type from their portal.",
    )
