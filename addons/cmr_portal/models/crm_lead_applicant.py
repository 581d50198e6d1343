from odoo import models
from odoo.addons.edu_crm.models.edu_tuition_instalment import OPEN_STATES


class CrmLead(models.Model):
    """What the applicant's own pages show of an online application."""

    _inherit = "crm.lead"

    def _cmr_applicant_next_activity(self):
        """The next planned activity of the application ``self`` that its
        applicant may see: the earliest one of a type flagged "Shown to
        Applicants" (an interview, a decision). The admissions office's own
        work (calls, to-dos, notes) stays out of the applicant's page."""
        self.ensure_one()
        return (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "crm.lead"),
                    ("res_id", "=", self.id),
                    ("activity_type_id.cmr_applicant_visible", "=", True),
                ],
                order="date_deadline, id",
                limit=1,
            )
        )

    def _cmr_proposed_contract(self):
        """The tuition contract proposed on accepting the offer of the
        application ``self`` (sudo; empty when none): the latest contract of
        its enrolment that is not cancelled."""
        self.ensure_one()
        return (
            self.sudo()
            .edu_enrollment_ids.tuition_contract_ids.filtered(
                lambda c: c.state != "cancelled"
            )
            .sorted("id", reverse=True)[:1]
        )


class EduTuitionContract(models.Model):
    _inherit = "edu.tuition.contract"

    def _cmr_first_payable_instalment(self):
        """The first instalment of the contract ``self`` that its student can
        pay online now (invoiced, open, the contract activated by the
        bursar), or an empty recordset."""
        self.ensure_one()
        if self.state != "active":
            return self.env["edu.tuition.instalment"]
        return self.instalment_ids.filtered(
            lambda i: i.payment_state in OPEN_STATES
        ).sorted(lambda i: (i.sequence, i.id))[:1]
