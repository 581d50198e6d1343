from odoo import api, fields, models
from odoo.exceptions import UserError


class CampaignJourneyTest(models.TransientModel):
    """Test mode: the journey run now for one chosen record, delays
    compressed, emails to a test address; the test participant and its path
    are kept apart (``is_test``) and nothing is counted by the pressure
    rules."""

    _name = "campaign.journey.test"
    _description = "Test a Journey"

    journey_id = fields.Many2one("campaign.journey", required=True, ondelete="cascade")
    model_name = fields.Char(related="journey_id.model_name")
    res_id = fields.Many2oneReference(
        string="Record", model_field="model_name", required=True
    )
    email_to = fields.Char(
        string="Send to",
        required=True,
        default=lambda self: self.env.user.email,
        help="The test emails go to this address, not to the person.",
    )
    participant_id = fields.Many2one(
        "campaign.journey.participant", string="Test participant", readonly=True
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any("participant_id" in vals for vals in vals_list) and not self.env.su:
            raise UserError(self.env._("The test participant is set by the test run."))
        return super().create(vals_list)

    def write(self, vals):
        if "participant_id" in vals and not self.env.su:
            raise UserError(self.env._("The test participant is set by the test run."))
        return super().write(vals)

    def action_run(self):
        self.ensure_one()
        journey = self.journey_id
        journey.check_access("write")
        if not self.res_id or not self.env[journey.model_name].browse(
            self.res_id
        ).exists().has_access("read"):
            raise UserError(self.env._("Choose a record of the journey's model."))
        if not journey.step_ids:
            raise UserError(self.env._("The journey has no step to test."))
        participant_ids = (
            self.env["campaign.journey.runner"]
            .sudo()
            ._journey_test_run(journey, self.res_id, self.email_to)
        )
        if not participant_ids:
            raise UserError(
                self.env._("The record does not match the journey's entry domain.")
            )
        self.sudo().participant_id = participant_ids[0]
        return {
            "type": "ir.actions.act_window",
            "res_model": "campaign.journey.participant",
            "res_id": participant_ids[0],
            "view_mode": "form",
            "target": "current",
        }
