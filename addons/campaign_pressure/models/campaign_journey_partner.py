from odoo import fields, models


class ResPartner(models.Model):
    """The person's journeys: a smart button on the contact form opens the
    participants of the person, each with its path."""

    _inherit = "res.partner"

    journey_participant_count = fields.Integer(
        string="Journeys",
        compute="_compute_journey_participant_count",
        groups="mass_mailing.group_mass_mailing_user",
    )

    def _compute_journey_participant_count(self):
        counts = dict(
            self.env["campaign.journey.participant"]._read_group(
                [("partner_id", "in", self.ids), ("is_test", "=", False)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.journey_participant_count = counts.get(partner, 0)

    def action_view_journey_participants(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "campaign_pressure.campaign_journey_participant_action"
        )
        action["domain"] = [("partner_id", "=", self.id), ("is_test", "=", False)]
        action["context"] = {}
        return action
