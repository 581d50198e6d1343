from odoo import fields, models


class CrmLeadAnswerResponse(models.Model):
    """The applicant's own "no": declining the offer or withdrawing an
    online application in the portal is a negative response of the person,
    typed by the reason they chose (its mapped response reason, as for any
    lost reason, ``crm_lead_response.py``), recorded as ``declined`` or
    ``withdrawn`` instead of ``lost``.

    Told apart by who closed the lead: the portal user of the application's
    person (a portal user has no write access to leads; only the
    transitions ``action_edu_decline_offer`` and ``action_edu_withdraw``,
    running as superuser for them, set its lost reason). Staff marking a
    lead lost (on the person's behalf too) record the office's ``lost``.
    Unlike a staff reason, the applicant's answer is a response even when
    its reason maps to no response reason: it is recorded untyped."""

    _inherit = "crm.lead"

    def _response_record_lost(self):
        answers = self.sudo().filtered(self._response_answer_source)
        recorded = super(CrmLeadAnswerResponse, self - answers)._response_record_lost()
        if not answers:
            return recorded
        return recorded + self.env["campaign.response"].sudo()._record_values(
            [
                self._response_row(
                    lead,
                    "negative",
                    lead.lost_reason_id.response_reason_id.id,
                    self._response_answer_source(lead),
                    f"crm.lead,{lead.id},{lead.lost_reason_id.id}",
                )
                for lead in answers.filtered(
                    lambda lead: lead.partner_id or lead.email_normalized
                )
            ]
        )

    def _response_answer_source(self, lead):
        """``declined`` or ``withdrawn`` when the lead ``lead`` was closed
        with a reason by its own applicant, else False."""
        user = self.env.user
        if not (
            lead.lost_reason_id
            and lead.edu_is_online
            and user.share
            and lead.partner_id
            and user.partner_id == lead.partner_id
        ):
            return False
        return "declined" if lead.edu_offer_state == "declined" else "withdrawn"


class CampaignResponseAnswer(models.Model):
    _inherit = "campaign.response"

    source = fields.Selection(
        selection_add=[
            ("declined", "Offer declined"),
            ("withdrawn", "Application withdrawn"),
        ],
        ondelete={"declined": "cascade", "withdrawn": "cascade"},
    )
