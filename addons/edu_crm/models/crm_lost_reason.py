from odoo import api, fields, models
from odoo.exceptions import UserError


class CrmLostReason(models.Model):
    """The reasons an applicant may give when they decline an offer or
    withdraw their application: CRM's lost reasons are shared with Sales
    ("Too expensive", "Not enough stock"), so the applicant is offered only
    the ones flagged here, of their application's company."""

    _inherit = "crm.lost.reason"

    edu_applicant_reason = fields.Boolean(
        string="Applicant Reason",
        help="Offered to applicants who decline an offer or withdraw their "
        "application in the portal.",
    )
    company_id = fields.Many2one(
        "res.company",
        index="btree_not_null",
        help="Offered to the applicants of this company only; empty: of every company.",
    )

    @api.model
    def _edu_applicant_reasons(self, company):
        """The active reasons flagged for applicants of ``company`` (or of
        every company), as superuser: the one rule of the portal's lists
        and of the model's check (:meth:`_edu_applicant_reason`)."""
        # active ones whatever the caller's context (an application is read
        # with active_test off, to show the withdrawn ones too)
        return self.sudo().search(
            [
                ("active", "=", True),
                ("edu_applicant_reason", "=", True),
                ("company_id", "in", [False, company.id]),
            ],
            order="name, id",
        )

    @api.model
    def _edu_applicant_reason(self, lost_reason_id, company, missing):
        """The reason ``lost_reason_id`` when an applicant of ``company``
        may give it, else a UserError (``missing`` when none was given)."""
        if not lost_reason_id:
            raise UserError(missing)
        reason = self._edu_applicant_reasons(company).filtered(
            lambda r: r.id == lost_reason_id
        )
        if not reason:
            raise UserError(
                self.env._("Choose one of the reasons offered on the page.")
            )
        return reason
