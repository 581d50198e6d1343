from odoo import api, models
from odoo.exceptions import UserError

from .edu_workflow_mixin import EDU_USER, check_edu_group


class ResPartnerDuplicate(models.Model):
    """Duplicate people: the same email, phone or national ID (normalised),
    found in one query, shown to staff and merged with Odoo's merge wizard."""

    _inherit = "res.partner"

    @api.depends(
        "email_normalized", "edu_phone_normalized", "edu_national_id_normalized"
    )
    def _compute_edu_duplicate_ids(self):
        # staff only (field groups): the matches tell which emails, phones and
        # national IDs exist
        if not (self.env.su or self.env.user._is_internal()):
            self.edu_duplicate_ids = False
            self.edu_duplicate_count = 0
            return
        matches = self.sudo()._edu_find_duplicates(
            [
                {
                    "email": p.email_normalized,
                    "phone": p.edu_phone_normalized,
                    "national_id": p.edu_national_id_normalized,
                    "company_id": p.company_id.id,
                }
                for p in self.sudo()
            ]
        )
        for partner, found in zip(self, matches, strict=False):
            found = self.browse((found - partner._origin).ids)
            partner.edu_duplicate_ids = found
            partner.edu_duplicate_count = len(found)

    def action_edu_merge_duplicates(self):
        """Open Odoo's contact merge wizard on this person and its duplicates,
        keeping this (the record the user looks at) as destination. The
        wizard itself is for contact managers, and moving a user between
        persons for the administrator (see the wizard)."""
        self.ensure_one()
        check_edu_group(self.env, EDU_USER)
        if not self.edu_duplicate_ids:
            raise UserError(
                self.env._("%s has no duplicate to merge.", self.display_name)
            )
        partner_ids = (self | self.edu_duplicate_ids[:2]).ids
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Merge Duplicates"),
            "res_model": "base.partner.merge.automatic.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "active_model": "res.partner",
                "active_ids": partner_ids,
                "edu_merge_dst_partner_id": self.id,
            },
        }

    @api.model
    def _edu_find_duplicates(self, keys):
        """Find existing partners for a list of ``keys`` dicts (``email``,
        ``phone`` and ``national_id`` normalised, see ``normalize_phone`` and
        ``normalize_national_id``; ``company_id``) in one query. Returns a
        list of recordsets, one per key, in the same order. National IDs
        match within the same company (a person shared by all companies
        matches everywhere)."""
        emails = {k["email"] for k in keys if k.get("email")}
        phones = {k["phone"] for k in keys if k.get("phone")}
        nids = {k["national_id"] for k in keys if k.get("national_id")}
        if not (emails or phones or nids):
            return [self.browse() for _k in keys]
        domain = []
        for fname, values in (
            ("email_normalized", emails),
            ("edu_phone_normalized", phones),
            ("edu_national_id_normalized", nids),
        ):
            if values:
                domain = (domain and ["|"]) + domain + [(fname, "in", list(values))]
        candidates = self.search_fetch(
            domain,
            [
                "email_normalized",
                "edu_phone_normalized",
                "edu_national_id_normalized",
                "company_id",
            ],
            order="id",
        )
        by_email, by_phone, by_nid = {}, {}, {}
        for cand in candidates:
            if cand.email_normalized:
                by_email.setdefault(cand.email_normalized, []).append(cand.id)
            if cand.edu_phone_normalized:
                by_phone.setdefault(cand.edu_phone_normalized, []).append(cand.id)
            if cand.edu_national_id_normalized:
                by_nid.setdefault(cand.edu_national_id_normalized, []).append(
                    (cand.id, cand.company_id.id)
                )
        result = []
        for key in keys:
            ids = []
            ids += by_email.get(key.get("email"), []) if key.get("email") else []
            ids += by_phone.get(key.get("phone"), []) if key.get("phone") else []
            if key.get("national_id"):
                company_id = key.get("company_id") or False
                ids += [
                    cand_id
                    for cand_id, cand_company_id in by_nid.get(key["national_id"], [])
                    if not cand_company_id
                    or not company_id
                    or cand_company_id == company_id
                ]
            result.append(self.browse(list(dict.fromkeys(ids))))
        return result
