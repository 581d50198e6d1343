from odoo import models


class MergePartnerAutomatic(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_values(self, src_partners, dst_partner):
        """The merged partners are deleted afterwards; free their unique
        education identifiers first so that the destination can take them
        without tripping the uniqueness checks (the destination keeps its own
        identifiers, and takes the first source ones it lacks)."""
        fnames = ("edu_national_id", "edu_student_number")
        src_values = {
            fname: next((p[fname] for p in src_partners.sudo() if p[fname]), False)
            for fname in fnames
        }
        src_partners.sudo().write(dict.fromkeys(fnames, False))
        missing = {
            fname: value
            for fname, value in src_values.items()
            if value and not dst_partner.sudo()[fname]
        }
        if missing:
            dst_partner.sudo().write(missing)
        return super()._update_values(src_partners, dst_partner)
