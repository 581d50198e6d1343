from odoo import api, fields, models

from .cmr_feedback import NEGATIVE_RATINGS

POSITIVE_RATINGS = ("4", "5")


class CmrFeedback(models.Model):
    """Portal feedback is a response of the person (``campaign.response``,
    source ``feedback``): unhappy (1-2) a negative one, reason "Complaint";
    happy (4-5) a positive one; neutral is none. Recorded once per
    feedback."""

    _inherit = "cmr.feedback"

    @api.model_create_multi
    def create(self, vals_list):
        feedbacks = super().create(vals_list)
        feedbacks._response_record()
        return feedbacks

    def _response_record(self):
        Response = self.env["campaign.response"].sudo()
        complaint = Response._default_reason("response_reason_complaint")
        rows = [
            {
                "partner_id": feedback.partner_id.id,
                "date": feedback.create_date,
                "polarity": "negative" if negative else "positive",
                "reason_id": complaint if negative else None,
                "source": "feedback",
                "source_ref": f"cmr.feedback,{feedback.id}",
                "company_id": feedback.company_id.id,
            }
            for feedback in self.sudo()
            for negative in (feedback.rating in NEGATIVE_RATINGS,)
            if negative or feedback.rating in POSITIVE_RATINGS
        ]
        return Response._record_values(rows)


class CampaignResponse(models.Model):
    _inherit = "campaign.response"

    source = fields.Selection(
        selection_add=[("feedback", "Portal feedback")],
        ondelete={"feedback": "cascade"},
    )
