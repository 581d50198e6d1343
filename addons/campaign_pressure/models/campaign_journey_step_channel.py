from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .manager_fields import check_manager_fields

# the step's settings that are its mailing's (issue 15): read and written on
# the step, kept on the mailing the step sends through, so that the
# mailing's own rules apply unchanged (its cost in the contact log, the
# campaign's budget, the best-channel plan, their checks)
COST_SETTINGS = ("budget_cost_override", "budget_message_cost")
# a letter or call step's own cost (it has no mailing)
OWN_COST = ("step_cost_override", "step_message_cost")
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
    step_cost_override = fields.Boolean(
        string="Own cost per letter or call",
        copy=True,
        help="This letter or call step's letters or calls cost another amount "
        "than the channel's cost of the company. Set by a marketing pressure "
        "manager.",
    )
    step_message_cost = fields.Float(
        string="Cost per letter or call",
        digits=(16, 4),
        copy=True,
        help="What one letter or call of this step costs, in the currency of "
        "the journey's campaign.",
    )
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
            COST_SETTINGS + OWN_COST,
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

    def _journey_step_channel(self):
        """The channel code of a letter or call step (its contacts are
        logged on it), else None."""
        self.ensure_one()
        if self.kind == "letter":
            return "letter"
        if self.kind == "activity" and self.activity_type_id.pressure_marketing_call:
            return "phone"
        return None

    def _journey_log_cost(self):
        """The unit cost and currency the contact log stores for a letter
        or call of this step: its own cost, in the currency of the journey's
        campaign (else of the journey's company); None: the channel's cost
        of the company, priced by the log."""
        self.ensure_one()
        if not self.step_cost_override or not self._journey_step_channel():
            return None
        journey = self.journey_id.sudo()
        currency = (
            journey.campaign_id.budget_currency_id
            or (journey.company_id or self.env.company).currency_id
        )
        return {"unit_cost": self.step_message_cost, "cost_currency_id": currency.id}

    @api.constrains("step_cost_override", "step_message_cost")
    def _check_step_cost(self):
        for step in self:
            if step.step_message_cost < 0:
                raise ValidationError(
                    self.env._("The cost of a message cannot be negative.")
                )
            if step.step_cost_override and not step._journey_step_channel():
                raise ValidationError(
                    self.env._(
                        "The step %s sends no letter and makes no call: a cost "
                        "per letter or call does not apply to it.",
                        step.name,
                    )
                )
