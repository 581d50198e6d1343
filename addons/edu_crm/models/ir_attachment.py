from odoo import api, models
from odoo.exceptions import UserError

# what may still be written on an issued document's file: the token that
# shares it (mail and portal generate it when the file is sent)
FREE_FIELDS = frozenset({"access_token"})


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def write(self, vals):
        if not self.env.su and vals.keys() - FREE_FIELDS:
            self._edu_check_not_issued_file()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_issued_file(self):
        if not self.env.su:
            self._edu_check_not_issued_file()

    def _edu_check_not_issued_file(self):
        """The file stored when an education document is issued is the
        registry's proof of what was issued: nobody but the superuser may
        replace, move or delete it (the document's checksum tells a copy is
        genuine)."""
        candidates = self.sudo().filtered(lambda a: a.res_model == "edu.document")
        if not candidates:
            return
        documents = (
            self.env["edu.document"]
            .sudo()
            .search([("attachment_id", "in", candidates.ids)])
        )
        if documents:
            raise UserError(
                self.env._(
                    "The file of the issued document %(names)s cannot be changed or "
                    "deleted; to correct the document, cancel and reissue it.",
                    names=", ".join(documents.mapped("display_name")),
                )
            )
