from odoo import Command, api, fields, models

from ..engine import channel_plan
from ..models.campaign_pressure_channel import CHANNELS
from .campaign_pressure_simulation import LISTED_RECIPIENTS

PLAN_REASONS = [
    (channel_plan.NO_CHANNEL, "No channel allowed, reachable and with room"),
    (channel_plan.RATE, "No channel responds at the campaign's threshold"),
    (channel_plan.BUDGET, "The campaign's budget cannot pay it"),
    (channel_plan.CAPACITY, "Every channel left is full"),
]


class CampaignPressureSimulation(models.TransientModel):
    """The plan of a "best channel" mailing, before sending: per channel
    how many, what it costs and how many responses it should bring, and
    who is left out and why (``mailing.mailing._channel_plan``)."""

    _inherit = "campaign.pressure.simulation"

    best_channel = fields.Boolean(related="mailing_id.best_channel")
    plan_line_ids = fields.One2many(
        "campaign.pressure.simulation.plan",
        "simulation_id",
        string="Plan",
        readonly=True,
    )
    plan_excluded_ids = fields.One2many(
        "campaign.pressure.simulation.excluded",
        "simulation_id",
        string="Left out",
        readonly=True,
    )
    plan_currency_id = fields.Many2one(related="mailing_id.budget_currency_id")
    plan_cost = fields.Float(
        string="Cost of the plan", digits=(16, 2), compute="_compute_plan_totals"
    )
    plan_expected = fields.Float(
        string="Expected responses", digits=(16, 1), compute="_compute_plan_totals"
    )

    @api.depends("plan_line_ids")
    def _compute_plan_totals(self):
        for simulation in self:
            lines = simulation.plan_line_ids.filtered("channel")
            simulation.plan_cost = sum(lines.mapped("cost"))
            simulation.plan_expected = sum(lines.mapped("expected"))

    def write(self, vals):
        if not self.env.su and {"plan_line_ids", "plan_excluded_ids"} & set(vals):
            self._pressure_refuse_result()
        return super().write(vals)

    def _run(self):
        self.ensure_one()
        mailing = self.mailing_id
        if not mailing.best_channel:
            return super()._run()
        res_ids = mailing._get_remaining_recipients()
        plan = mailing._channel_plan(res_ids)
        self._channel_plan_write(res_ids, plan)
        categories = dict.fromkeys(res_ids, "held")
        categories.update((a.ref, "send") for a in plan.assignments)
        return categories

    def _channel_plan_write(self, res_ids, plan):
        """The plan's figures on the check (as the server: figures are
        the check's own)."""
        lines = [
            Command.create(
                {
                    "channel": code,
                    "count": total.count,
                    "cost": total.cost,
                    "expected": total.expected,
                    "days": total.days,
                }
            )
            for code, total in sorted(plan.totals().items())
        ]
        lines += [
            Command.create({"reason": reason, "count": count})
            for reason, count in sorted(plan.excluded_by_reason().items())
        ]
        listed = plan.exclusions[:LISTED_RECIPIENTS]
        records = self.env[self.mailing_id.mailing_model_real].browse(
            [e.ref for e in listed]
        )
        names = dict(zip(records.ids, records.mapped("display_name"), strict=True))
        detail = self._channel_plan_detail_renderer()
        self.sudo().write(
            {
                "recipient_count": len(res_ids),
                "send_count": len(plan.assignments),
                "held_count": len(plan.exclusions),
                "plan_line_ids": [Command.clear(), *lines],
                "plan_excluded_ids": [Command.clear()]
                + [
                    Command.create(
                        {
                            "res_id": e.ref,
                            "name": names.get(e.ref) or str(e.ref),
                            "reason": e.reason,
                            "detail": detail(e.refused),
                        }
                    )
                    for e in listed
                ],
            }
        )

    def _channel_plan_detail_renderer(self):
        """A function ``refused -> text``: why each channel was left out,
        in the reader's language ("Email: blacklisted; SMS: ...")."""
        labels = dict(
            self.env["campaign.pressure.contact"]
            ._fields["channel"]
            ._description_selection(self.env)
        )
        render = self.env["campaign.pressure.engine"]._pressure_reason_renderer()
        own = {
            "blacklist": self.env._("blacklisted"),
            "unreachable": self.env._("no address, number or email for it"),
        }

        def detail(refused):
            return "; ".join(
                f"{labels.get(code, code)}: {own.get(reason) or render(reason, args)}"
                for code, reason, args in refused
            )

        return detail


class CampaignPressureSimulationPlanLine(models.AbstractModel):
    """A line of a plan's figures: written by the check only."""

    _name = "campaign.pressure.simulation.plan.line"
    _description = "Marketing Pressure Simulation Plan Figures"

    simulation_id = fields.Many2one(
        "campaign.pressure.simulation", required=True, ondelete="cascade"
    )
    reason = fields.Selection(PLAN_REASONS, string="Left out because")

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self.env["campaign.pressure.simulation"]._pressure_refuse_result()
        return super().create(vals_list)


class CampaignPressureSimulationPlan(models.TransientModel):
    """A line of a plan: a channel (how many, cost, expected responses,
    over how many days), or a reason people are left out (how many)."""

    _name = "campaign.pressure.simulation.plan"
    _inherit = "campaign.pressure.simulation.plan.line"
    _description = "Marketing Pressure Simulation Plan Line"
    _order = "reason desc, channel, id"

    channel = fields.Selection(CHANNELS)
    count = fields.Integer(string="People")
    currency_id = fields.Many2one(related="simulation_id.plan_currency_id")
    cost = fields.Float(digits=(16, 2))
    expected = fields.Float(string="Expected responses", digits=(16, 1))
    days = fields.Integer(
        string="Over days", help="Calls over the capacity of a day wait for the next."
    )


class CampaignPressureSimulationExcluded(models.TransientModel):
    _name = "campaign.pressure.simulation.excluded"
    _inherit = "campaign.pressure.simulation.plan.line"
    _description = "Marketing Pressure Simulation Person Left Out"

    res_id = fields.Integer(string="Record ID")
    name = fields.Char(string="Recipient")
    detail = fields.Char(string="Per channel")
