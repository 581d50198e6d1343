from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .manager_fields import check_manager_fields

# the step's settings that are its mailing's (issue 15): read and written on
# the step, kept on the mailing the step sends through, so that the
# mailing's own rules apply unchanged (its cost in the contact log, the
# campaign's budget, the best-channel plan, their checks)
COST_SETTINGS = ("budget_cost_override", "budget_message_cost")
CHANNEL_SETTINGS = ("best_channel", "best_channel_ids")
MAILING_SETTINGS = COST_SETTINGS + CHANNEL_SETTINGS


class CampaignJourneyStep(models.Model):
    """A step's own cost per message and "reach each person on their best
    channel": fields of the step's mailing. The journey runner sends the
    step through that mailing, so its price is logged with each contact
    (``unit_cost_sql``), its send stops at the campaign's budget, and a
    best-channel step sends the mailing's plan (emails, SMS, calls,
    letters) with the campaign's policy."""

    _inherit = "campaign.journey.step"

    budget_cost_override = fields.Boolean(
        related="mailing_id.budget_cost_override",
        readonly=False,
        string="Own cost per message",
        help="This step's messages cost another amount than the channel's cost "
        "of the company. Set by a marketing pressure manager.",
    )
    budget_message_cost = fields.Float(
        related="mailing_id.budget_message_cost", readonly=False
    )
    budget_currency_id = fields.Many2one(related="mailing_id.budget_currency_id")
    budget_unit_cost = fields.Float(related="mailing_id.budget_unit_cost")
    best_channel = fields.Boolean(
        related="mailing_id.best_channel",
        readonly=False,
        help="Among the channels below, each participant is reached on one: a "
        "channel they allow, can be reached on and have room for under the "
        "pressure rules, chosen by the campaign's policy. Email steps only.",
    )
    best_channel_ids = fields.Many2many(
        related="mailing_id.best_channel_ids", readonly=False
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._journey_check_settings_access(vals_list)
        settings = [
            {fname: vals.pop(fname) for fname in MAILING_SETTINGS if fname in vals}
            for vals in vals_list
        ]
        steps = super().create(vals_list)
        for step, values in zip(steps, settings, strict=True):
            step._journey_write_settings(values)
        return steps

    def write(self, vals):
        self._journey_check_settings_access([vals])
        settings = {fname: vals[fname] for fname in MAILING_SETTINGS if fname in vals}
        res = super().write(
            {fname: value for fname, value in vals.items() if fname not in settings}
        )
        for step in self:
            step._journey_write_settings(settings)
        return res

    @api.model
    def _journey_check_settings_access(self, vals_list):
        check_manager_fields(
            self,
            vals_list,
            COST_SETTINGS,
            self.env._(
                "Only a marketing pressure manager may set a journey step's own "
                "cost per message."
            ),
        )

    def _journey_write_settings(self, values):
        """``values`` (of ``MAILING_SETTINGS``) on the step's mailing, as the
        caller: the mailing's own checks apply (a negative cost, a best
        channel without channels). Written after the step's own write: a
        step turned into an email step has its mailing by then."""
        self.ensure_one()
        if not values:
            return
        if values.get("best_channel") and self.kind != "email":
            raise ValidationError(
                self.env._(
                    "Only an email step can reach each person on their best "
                    "channel (step %s).",
                    self.name,
                )
            )
        if not self.mailing_id:
            if any(values.values()):
                raise ValidationError(
                    self.env._(
                        "The step %s sends no email or SMS: a cost per message or "
                        "channels of its own do not apply to it.",
                        self.name,
                    )
                )
            return
        self.mailing_id.write(values)
