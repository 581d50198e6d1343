from odoo import api, models


class MergePartnerAutomatic(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    @api.model
    def default_get(self, fields_list):
        """Opened from a person's duplicate warning: keep that person."""
        res = super().default_get(fields_list)
        dst_id = self.env.context.get("edu_merge_dst_partner_id")
        if dst_id and "dst_partner_id" in fields_list:
            res["dst_partner_id"] = dst_id
        return res

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        """Contacts found as duplicates of the destination by the education
        duplicate check (same normalised email, phone or national ID) may be
        merged even when their email addresses are not spelled the same."""
        if extra_checks and dst_partner:
            partners = self.env["res.partner"].browse(partner_ids)
            if not (partners - dst_partner - dst_partner.edu_duplicate_ids):
                extra_checks = False
        return super()._merge(
            partner_ids, dst_partner=dst_partner, extra_checks=extra_checks
        )

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
