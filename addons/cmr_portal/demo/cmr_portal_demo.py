"""Demo data only: what the demo portal users set and asked in the portal.

Nothing but the demo file calls this model; its method is private (not
callable over RPC)."""

from odoo import Command, api, models


class CmrPortalDemo(models.AbstractModel):
    _name = "cmr.portal.demo"
    _description = "Customer-managed relationship portal demo data"

    @api.model
    def _setup_portal_users(self):
        """Preferences, consent, feedback and requests of the demo portal users
        of edu_crm (skipped when its demo data is not there)."""
        ref = self.env.ref
        student_user = ref("edu_crm.user_student_demo", raise_if_not_found=False)
        sponsor_user = ref("edu_crm.user_sponsor_demo", raise_if_not_found=False)
        applicant_user = ref("cmr_portal.user_applicant_demo", raise_if_not_found=False)
        lists = self.env["mailing.list"].search([("is_public", "=", True)], limit=2)
        if student_user:
            self._setup_portal_student(student_user.partner_id, lists)
        if sponsor_user:
            self._setup_portal_sponsor(sponsor_user.partner_id)
        if applicant_user:
            self._setup_portal_applicant(applicant_user.partner_id, lists)
        return True

    @api.model
    def _setup_portal_student(self, student, lists):
        """The demo student's preferences, consent, feedback and request."""
        ref = self.env.ref
        student._cmr_apply_preferences(
            {
                "pressure_max_contacts": 4,
                "pressure_period": "month",
                "pressure_quiet_from": 21.0,
                "pressure_quiet_to": 8.0,
                "pressure_quiet_sun": True,
                "cmr_preferred_channel": "email",
                "cmr_sponsor_consent": True,
                "pressure_blocked_channel_ids": [
                    Command.set(ref("campaign_pressure.channel_phone").ids)
                ],
            },
            set(lists[:1].ids),
            False,
            "portal",
        )
        self.env["cmr.feedback"].create(
            {
                "partner_id": student.id,
                "rating": "4",
                "comment": "The enrolment went smoothly.",
            }
        )
        doc_type = ref("edu_crm.edu_document_type_enrolment_certificate")
        self.env["cmr.request"].create(
            {
                "partner_id": student.id,
                "request_type": "document",
                "document_type_id": doc_type.id,
                "description": "For my scholarship application.",
            }
        )

    @api.model
    def _setup_portal_sponsor(self, sponsor):
        """The demo sponsor's first sponsored person consents to share."""
        organisation = sponsor.commercial_partner_id
        sponsored = self.env["res.partner"].search(
            [("edu_sponsor_ids", "in", organisation.ids)], order="id", limit=1
        )
        sponsored._cmr_write_logged({"cmr_sponsor_consent": True}, "portal")

    @api.model
    def _setup_portal_applicant(self, applicant, lists):
        """The demo applicant's preferences, feedback and question."""
        applicant._cmr_apply_preferences(
            {
                "pressure_max_contacts": 2,
                "pressure_period": "month",
                "cmr_preferred_channel": "sms",
            },
            set(lists.ids),
            False,
            "mailing",
        )
        self.env["cmr.feedback"].create(
            {
                "partner_id": applicant.id,
                "rating": "2",
                "comment": "Too many emails about open days.",
            }
        )
        self.env["cmr.request"].create(
            {
                "partner_id": applicant.id,
                "request_type": "other",
                "description": "Can I apply after the deadline?",
            }
        )
