from odoo import api, fields, models


class CrmLostReason(models.Model):
    """A lost reason of an admission maps to a response reason: a lead lost
    for it is a negative response of the person (``campaign.response``,
    source ``lost``). A lost reason without one (e.g. "No response") is no
    response."""

    _inherit = "crm.lost.reason"

    response_reason_id = fields.Many2one(
        "campaign.response.reason",
        string="Response reason",
        domain="[('polarity', '=', 'negative')]",
        ondelete="set null",
        help="A lead lost for this reason records this negative response of "
        "the person, attributed to the lead's campaign.",
    )


class CrmLead(models.Model):
    """An application (an admission lead for an intake) is a positive
    response "Applied"; a lead lost for a mapped reason a negative one.
    Recorded once per lead (and lost reason), attributed to the lead's UTM
    campaign."""

    _inherit = "crm.lead"

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        leads._response_record_applications()
        if any(vals.get("lost_reason_id") for vals in vals_list):
            leads._response_record_lost()
        return leads

    def write(self, vals):
        res = super().write(vals)
        if vals.get("edu_intake_id"):
            self._response_record_applications()
        if vals.get("lost_reason_id"):
            self._response_record_lost()
        return res

    def _response_row(self, lead, polarity, reason_id, source, ref):
        return {
            "partner_id": lead.partner_id.id,
            "email": lead.email_normalized,
            "date": lead.create_date if source == "application" else None,
            "campaign_id": lead.campaign_id.id,
            "polarity": polarity,
            "reason_id": reason_id,
            "source": source,
            "source_ref": ref,
            "company_id": lead.company_id.id,
        }

    def _response_record_applications(self):
        leads = self.sudo().filtered(
            lambda lead: lead.edu_intake_id
            and (lead.partner_id or lead.email_normalized)
        )
        if not leads:
            return 0
        Response = self.env["campaign.response"].sudo()
        applied = Response._default_reason("response_reason_applied")
        return Response._record_values(
            [
                self._response_row(
                    lead, "positive", applied, "application", f"crm.lead,{lead.id}"
                )
                for lead in leads
            ]
        )

    def _response_record_lost(self):
        leads = self.sudo().filtered(
            lambda lead: lead.lost_reason_id.response_reason_id
            and (lead.partner_id or lead.email_normalized)
        )
        return (
            self.env["campaign.response"]
            .sudo()
            ._record_values(
                [
                    self._response_row(
                        lead,
                        "negative",
                        lead.lost_reason_id.response_reason_id.id,
                        "lost",
                        f"crm.lead,{lead.id},{lead.lost_reason_id.id}",
                    )
                    for lead in leads
                ]
            )
        )


class CampaignResponse(models.Model):
    _inherit = "campaign.response"

    source = fields.Selection(
        selection_add=[("application", "Application"), ("lost", "Lost application")],
        ondelete={"application": "cascade", "lost": "cascade"},
    )
