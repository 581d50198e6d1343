from odoo import models


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def retrieve_attachment(self, record):
        """An issued education document prints the file stored at its issue
        (``edu.document.attachment_id``), never another attachment that
        carries the same name: anyone who may edit the document may attach
        files to it. Drafts and cancelled documents are rendered afresh."""
        if record._name != "edu.document":
            return super().retrieve_attachment(record)
        if record.state != "issued":
            return None
        if not record.attachment_id:
            record._edu_attach_pdf()
        return record.attachment_id.sudo()
