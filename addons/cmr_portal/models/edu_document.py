from odoo import models


class EduDocument(models.Model):
    """Issued documents are shown and downloaded in the portal: portal.mixin
    gives them the access URL and the access token of Odoo's portal."""

    _name = "edu.document"
    _inherit = ["edu.document", "portal.mixin"]

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for document in self:
            document.access_url = f"/my/education/documents/{document.id}"
        return res

    def _edu_mixin_fields(self):
        # the access token may be set on issued documents
        return super()._edu_mixin_fields() | set(self.env["portal.mixin"]._fields)
