import base64

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.mimetypes import guess_mimetype

# what an applicant may upload: read from the file's content, not its name
APPLICATION_MIMETYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
}
APPLICATION_MAX_BYTES = 5 * 1024 * 1024


class EduApplicationDocument(models.Model):
    """A file the applicant uploaded for one item of the programme's
    checklist. The file is readable by the applicant (portal record rule)
    and by the Education staff (access rights): other employees have no
    access to this model, so neither to its file."""

    _name = "edu.application.document"
    _description = "Application Document"
    _order = "lead_id, id"

    lead_id = fields.Many2one(
        "crm.lead", string="Application", required=True, index=True, ondelete="cascade"
    )
    requirement_id = fields.Many2one(
        "edu.programme.requirement", string="Document", ondelete="set null"
    )
    partner_id = fields.Many2one(
        related="lead_id.partner_id",
        store=True,
        index=True,
        string="Applicant",
        help="The applicant of the application.",
    )
    company_id = fields.Many2one(related="lead_id.company_id", store=True)
    file = fields.Binary(attachment=True, required=True)
    file_name = fields.Char(required=True)

    def _edu_check_file(self, file_name, data):
        """Raise a UserError unless ``data`` (bytes) is a file an applicant
        may upload: PDF, JPEG or PNG by its content, at most 5 MB."""
        if not data:
            raise UserError(self.env._("The file %s is empty.", file_name))
        if len(data) > APPLICATION_MAX_BYTES:
            raise UserError(
                self.env._(
                    "The file %(file)s is larger than %(max)s MB.",
                    file=file_name,
                    max=APPLICATION_MAX_BYTES // (1024 * 1024),
                )
            )
        if guess_mimetype(data) not in APPLICATION_MIMETYPES:
            raise UserError(
                self.env._(
                    "The file %(file)s is not of an accepted type (%(types)s).",
                    file=file_name,
                    types=", ".join(APPLICATION_MIMETYPES.values()),
                )
            )

    def _edu_create_from_files(self, lead, files):
        """Attach ``files`` (``[(requirement, file_name, bytes)]``, checked
        here) to the application ``lead``."""
        for _requirement, file_name, data in files:
            self._edu_check_file(file_name, data)
        return self.create(
            [
                {
                    "lead_id": lead.id,
                    "requirement_id": requirement.id,
                    "file_name": (file_name or "document")[:200],
                    "file": base64.b64encode(data),
                }
                for requirement, file_name, data in files
            ]
        )
