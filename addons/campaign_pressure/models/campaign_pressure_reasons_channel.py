from odoo import api, models

from ..engine import channel_plan


class CampaignPressureEngine(models.AbstractModel):
    """Why a "best channel" send leaves a person out: the planner's
    reasons (``engine/channel_plan.py``), stored on the held traces as
    ``plan_<reason>`` codes."""

    _inherit = "campaign.pressure.engine"

    @api.model
    def _pressure_reasons(self):
        _ = self.env._
        return super()._pressure_reasons() + [
            (f"plan_{channel_plan.NO_CHANNEL}", _("No channel for the person")),
            (f"plan_{channel_plan.RATE}", _("No channel responds enough")),
            (f"plan_{channel_plan.BUDGET}", _("Campaign budget reached")),
            (f"plan_{channel_plan.CAPACITY}", _("Every channel full")),
        ]

    @api.model
    def _pressure_reason_templates(self, detailed=True):
        _ = self.env._
        return dict(
            super()._pressure_reason_templates(detailed=detailed),
            **{
                f"plan_{channel_plan.NO_CHANNEL}": _(
                    "No channel of the mailing is allowed by the person, "
                    "reaches them and has room under the pressure rules."
                ),
                f"plan_{channel_plan.RATE}": _(
                    "No channel the person can be reached on responds at the "
                    "campaign's threshold for their segment."
                ),
                f"plan_{channel_plan.BUDGET}": _(
                    "The campaign's budget cannot pay any channel left for the person."
                ),
                f"plan_{channel_plan.CAPACITY}": _(
                    "Every channel left for the person is full over the planned days."
                ),
            },
        )
