"""Demo data only: the demo applicant's online applications (one complete,
one still missing a document). Nothing but the demo file calls this model;
its method is private."""

from odoo import api, fields, models

DEMO_PDF = b"%PDF-1.4\n% demo document\n%%EOF\n"


class CmrPortalApplyDemo(models.AbstractModel):
    _name = "cmr.portal.apply.demo"
    _description = "Online application demo data"

    @api.model
    def _setup_online_applications(self):
        ref = self.env.ref
        applicant_user = ref("cmr_portal.user_applicant_demo", raise_if_not_found=False)
        bsc = ref("edu_crm.intake_bsc_cs_next_demo", raise_if_not_found=False)
        mba = ref("edu_crm.intake_mba_next_demo", raise_if_not_found=False)
        if not (applicant_user and bsc and mba):
            return False
        partner = applicant_user.partner_id
        Lead = self.env["crm.lead"].sudo()
        values = {
            "contact_name": partner.name,
            "email_from": partner.email,
            "phone": partner.mobile,
            "edu_funding": "self_paid",
        }
        # applied: every required document sent
        Lead._edu_apply_online(
            partner,
            bsc,
            values,
            [
                (requirement, f"{requirement.name}.pdf", DEMO_PDF)
                for requirement in bsc.programme_id.requirement_ids
                if requirement.is_required
            ],
        )
        # missing documents: the diploma is still to come (sent as optional
        # first, as if admissions had made it required after the application)
        diploma = ref("edu_crm.requirement_mba_diploma_demo")
        diploma.is_required = False
        lead = Lead._edu_apply_online(
            partner,
            mba,
            dict(values, edu_funding="sponsored", edu_sponsor_name="Acme Ltd"),
            [(ref("edu_crm.requirement_mba_id_demo"), "passport.pdf", DEMO_PDF)],
        )
        diploma.is_required = True
        lead.activity_schedule(
            "mail.mail_activity_data_meeting",
            summary="Admission interview",
            date_deadline=fields.Date.add(fields.Date.context_today(self), days=14),
        )
        return True
