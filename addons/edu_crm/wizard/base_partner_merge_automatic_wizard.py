from odoo import api, models
from odoo.exceptions import AccessError, UserError

from ..models.res_partner import EDU_SCORING_FIELDS


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
        """Odoo's checks hold (only the administrator merges contacts with
        different emails), with two precisions:

        - emails that differ only in spelling (case, display name) are the
          same mailbox, so the same email;
        - a merge that involves the contact of a user (portal or internal)
          needs the administrator whatever the emails: it would move that
          login to another person, or give it the merged persons' records
          (enrolments, documents, invoices). Emails and phones are no proof
          of identity: a portal user sets them freely."""
        if not self.env.is_admin():
            partners = (
                self.env["res.partner"]
                .browse(partner_ids)
                .with_context(active_test=False)
                .exists()
            )
            if len(partners) >= 2:
                self._edu_check_merge_users(partners)
                if extra_checks:
                    self._edu_check_merge_emails(partners)
                    # done: Odoo's own check compares the raw spelling
                    extra_checks = False
        return super()._merge(
            partner_ids, dst_partner=dst_partner, extra_checks=extra_checks
        )

    def _edu_check_merge_users(self, partners):
        users = partners.with_context(active_test=False).user_ids
        if users:
            raise AccessError(
                self.env._(
                    "Only the administrator can merge %(partners)s: the contact of "
                    "the user %(users)s would move to another person or receive the "
                    "other persons' records (enrolments, documents, invoices). Check "
                    "their identity first: an email or a phone number is no proof.",
                    partners=", ".join(partners.mapped("display_name")),
                    users=", ".join(users.sudo().mapped("login")),
                )
            )

    def _edu_check_merge_emails(self, partners):
        if len(set(partners.mapped("email_normalized"))) > 1:
            raise UserError(
                self.env._(
                    "All contacts must have the same email. Only the Administrator "
                    "can merge contacts with different emails."
                )
            )

    def _update_values(self, src_partners, dst_partner):
        """The merged partners are deleted afterwards; free their unique
        education identifiers first so that the destination can take them
        without tripping the uniqueness checks (the destination keeps its own
        identifiers, and takes the first source ones it lacks). The daily
        scoring of the sources is dropped: the next run scores the merged
        person."""
        fnames = ("edu_national_id", "edu_student_number")
        src_values = {
            fname: next((p[fname] for p in src_partners.sudo() if p[fname]), False)
            for fname in fnames
        }
        src_partners.sudo().write(dict.fromkeys(fnames + EDU_SCORING_FIELDS, False))
        missing = {
            fname: value
            for fname, value in src_values.items()
            if value and not dst_partner.sudo()[fname]
        }
        if missing:
            dst_partner.sudo().write(missing)
        return super()._update_values(src_partners, dst_partner)
