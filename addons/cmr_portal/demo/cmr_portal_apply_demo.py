"""Demo data only: the demo applicants' online applications, one at each
state: applied (complete), missing a document, offer pending, offer accepted
with the tuition contract to sign. Nothing but the demo file calls this model;
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
            "cmr_portal.mail_activity_type_admission_interview",
            date_deadline=fields.Date.add(fields.Date.context_today(self), days=14),
        )
        self._setup_offers(values)
        return True

    @api.model
    def _setup_offers(self, values):
        """An offer waiting for the answer, and an offer accepted (the
        application enrolled, its draft contract to sign in the portal)."""
        ref = self.env.ref
        Lead = self.env["crm.lead"].sudo()
        for user_xmlid, intake_xmlid, accept in (
            (
                "cmr_portal.user_applicant_offer_demo",
                "edu_crm.intake_data_next_demo",
                False,
            ),
            (
                "cmr_portal.user_applicant_accepted_demo",
                "edu_crm.intake_bsc_cs_next_demo",
                True,
            ),
        ):
            user = ref(user_xmlid, raise_if_not_found=False)
            intake = ref(intake_xmlid, raise_if_not_found=False)
            if not (user and intake):
                continue
            partner = user.partner_id
            lead = Lead._edu_apply_online(
                partner,
                intake,
                dict(
                    values,
                    contact_name=partner.name,
                    email_from=partner.email,
                    phone=False,
                ),
                [
                    (requirement, f"{requirement.name}.pdf", DEMO_PDF)
                    for requirement in intake.programme_id.requirement_ids
                    if requirement.is_required
                ],
            )
            lead.action_edu_issue_offer()
            if accept:
                lead.action_edu_accept_offer()
