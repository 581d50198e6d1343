from odoo import models

# a call's outcome -> (polarity, reason xml id or None); "no answer" is no
# response
CALL_RESPONSES = {
    "reached": ("positive", None),
    "do_not_contact": ("negative", "response_reason_unsubscribe"),
}


class MailActivity(models.Model):
    """A call done with an outcome (``pressure_call_outcome``) is a
    response (``campaign.response``, source ``call``, channel phone): the
    person reached is a positive one, "do not contact" a negative one
    (reason "Unsubscribe"). Only activities of a Call type (category
    ``phonecall``) count; recorded once per activity, attributed to the
    campaign of the called record when it has one (UTM)."""

    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        self._response_record_calls()
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def _response_record_calls(self):
        calls = self.filtered(
            lambda a: a.activity_type_id.category == "phonecall"
            and a.pressure_call_outcome in CALL_RESPONSES
        )
        if not calls:
            return 0
        Response = self.env["campaign.response"].sudo()
        partners = calls._pressure_partners()
        campaigns = calls._response_campaigns()
        rows = []
        for call, partner in zip(calls, partners, strict=True):
            if not partner:
                continue
            polarity, xmlid = CALL_RESPONSES[call.pressure_call_outcome]
            rows.append(
                {
                    "partner_id": partner.id,
                    "campaign_id": campaigns.get(call.id),
                    "channel": "phone",
                    "polarity": polarity,
                    "reason_id": xmlid and Response._default_reason(xmlid),
                    "source": "call",
                    "source_ref": f"mail.activity,{call.id}",
                }
            )
        return Response._record_values(rows)

    def _response_campaigns(self):
        """activity id -> the UTM campaign of its record, when its model has
        one (one read per model)."""
        found = {}
        by_model = {}
        for activity in self:
            by_model.setdefault(activity.res_model, []).append(activity)
        for model, activities in by_model.items():
            Model = self.env.get(model)
            field = Model is not None and Model._fields.get("campaign_id")
            if not field or field.comodel_name != "utm.campaign":
                continue
            records = Model.sudo().browse([a.res_id for a in activities]).exists()
            campaign_of = {r.id: r.campaign_id.id for r in records}
            for activity in activities:
                found[activity.id] = campaign_of.get(activity.res_id) or None
        return found
