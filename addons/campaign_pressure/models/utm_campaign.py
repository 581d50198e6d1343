import math
from collections import defaultdict
from typing import NamedTuple

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .campaign_pressure_contact_cost import converted_sql
from .manager_fields import check_manager_fields

# fields of a campaign's budget: set by a pressure manager only
BUDGET_FIELDS = {"budget_planned", "company_id"}


class BudgetFigures(NamedTuple):
    """A campaign's budget in its currency (see
    :meth:`UtmCampaign._budget_figures`)."""

    spent: float  # messages confirmed in the contact log
    reserved: float  # messages reserved in the contact log, not sent yet
    queued: float  # recipients of scheduled mailings, not reserved yet


class UtmCampaign(models.Model):
    """A campaign's budget: planned by a pressure manager, committed by its
    scheduled sends, spent by the sent ones, in the currency of the
    campaign's company.

    Committed and spent are computed from the contact log (what each send
    reserved and confirmed) and the scheduled mailings, never counted in a
    field that could drift from what was sent. Each row of the log keeps
    the unit cost of the day it was logged (the mailing's own cost or the
    channel's cost of the company that sent), converted at the rate of
    that day: a later change of a cost or a rate leaves "spent" as it was
    paid. Scheduled mailings, not sent yet, are priced at today's costs.
    """

    _inherit = "utm.campaign"

    company_id = fields.Many2one(
        "res.company",
        string="Company",
        default=lambda self: self.env.company,
        help="The company whose currency the budget is in. Set by a marketing "
        "pressure manager.",
    )
    budget_currency_id = fields.Many2one(
        "res.currency", string="Budget currency", compute="_compute_budget_currency_id"
    )
    budget_planned = fields.Monetary(
        string="Planned budget",
        currency_field="budget_currency_id",
        help="What the campaign may spend on messages. A send stops at the "
        "budget: the recipients it cannot pay are held back with the reason "
        "'budget'. 0: no budget, sends are not limited. Set by a marketing "
        "pressure manager.",
    )
    budget_committed = fields.Monetary(
        string="Committed",
        currency_field="budget_currency_id",
        compute="_compute_budget",
        help="Messages reserved by sends in progress (at the cost of the day "
        "they were reserved) and the recipients of scheduled mailings (at the "
        "current costs).",
    )
    budget_spent = fields.Monetary(
        string="Spent",
        currency_field="budget_currency_id",
        compute="_compute_budget",
        help="Messages sent (confirmed in the contact log), at the cost of the "
        "day each was sent.",
    )
    budget_remaining = fields.Monetary(
        string="Remaining",
        currency_field="budget_currency_id",
        compute="_compute_budget",
        help="Planned minus committed minus spent.",
    )
    is_budget_manager = fields.Boolean(compute="_compute_is_budget_manager")
    budget_channel_cost_ids = fields.Many2many(
        "campaign.pressure.channel.cost",
        string="Channel costs",
        compute="_compute_budget_channel_cost_ids",
        help="The costs and daily capacities of the channels of the campaign's "
        "company (Email Marketing > Configuration > Channel costs).",
    )

    @api.depends("company_id")
    def _compute_budget_currency_id(self):
        for campaign in self:
            campaign.budget_currency_id = (
                campaign.company_id or self.env.company
            ).currency_id

    def _compute_is_budget_manager(self):
        self.is_budget_manager = self.env[
            "campaign.pressure.engine"
        ]._pressure_is_manager()

    @api.depends("company_id")
    def _compute_budget_channel_cost_ids(self):
        lines = self.env["campaign.pressure.channel.cost"].search(
            [("company_id", "in", (self.company_id | self.env.company).ids)]
        )
        for campaign in self:
            company = campaign.company_id or self.env.company
            campaign.budget_channel_cost_ids = lines.filtered(
                lambda line, company=company: line.company_id == company
            )

    @api.depends("budget_planned", "company_id")
    def _compute_budget(self):
        figures = self._budget_figures()
        for campaign in self:
            spent, reserved, queued = figures[campaign.id]
            currency = campaign.budget_currency_id
            campaign.budget_spent = currency.round(spent)
            campaign.budget_committed = currency.round(reserved + queued)
            campaign.budget_remaining = currency.round(
                campaign.budget_planned - spent - reserved - queued
            )

    @api.constrains("budget_planned")
    def _check_budget_planned(self):
        for campaign in self:
            if campaign.budget_planned < 0:
                raise ValidationError(
                    self.env._(
                        "The budget of the campaign '%(campaign)s' cannot be negative.",
                        campaign=campaign.title,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD: the budget is a pressure manager's decision
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        campaigns = super().create(vals_list)
        campaigns._budget_check_access(vals_list, ("budget_planned",))
        return campaigns

    def write(self, vals):
        self._budget_check_access([vals])
        return super().write(vals)

    def _budget_check_access(self, vals_list, defaulted=()):
        check_manager_fields(
            self,
            vals_list,
            BUDGET_FIELDS,
            self.env._(
                "Only a marketing pressure manager may set a campaign's budget "
                "or its company."
            ),
            defaulted,
        )

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------

    def _budget_figures(self, exclude_mailing=None, queued=True):
        """``{campaign id: BudgetFigures}`` in each campaign's currency.

        Spent and reserved: the unit costs stored on the contact log when
        each message was logged (:meth:`_budget_logged_amounts`), at the
        rate of the day it was logged. With ``queued``, the remaining
        recipients of the campaign's scheduled mailings at today's costs.
        ``exclude_mailing``: a mailing whose own reservations are left out
        (those of its send being screened, left over by an interrupted
        send)."""
        result = {campaign.id: BudgetFigures(0.0, 0.0, 0.0) for campaign in self}
        ids = [cid for cid in self.ids if cid]
        if not ids:
            return result
        spent, reserved = self._budget_logged_amounts(ids, exclude_mailing)
        pending = defaultdict(float)
        scheduled = self.env["mailing.mailing"]
        if queued:
            scheduled = (
                self.env["mailing.mailing"]
                .sudo()
                .search([("campaign_id", "in", ids), ("state", "=", "in_queue")])
            )
        pricer = self._budget_pricer(scheduled)
        for mailing in scheduled:
            if mailing == exclude_mailing:
                continue
            campaign = mailing.campaign_id
            cost = pricer(campaign, mailing, mailing._pressure_channel(), None)
            if cost:
                count = len(mailing._get_remaining_recipients())
                pending[campaign.id] += count * cost
        for cid in result:
            result[cid] = BudgetFigures(spent[cid], reserved[cid], pending[cid])
        return result

    def _budget_logged_amounts(self, ids, exclude_mailing):
        """``(spent, reserved)``: ``{campaign id: amount}`` of the contact
        log in each campaign's currency: the stored unit costs summed per
        (campaign, currency, day, state) and converted at the rate of that
        day (:func:`converted_sql`, the rule the results report reads too),
        in one query whatever the days and currencies. The reservations of
        ``exclude_mailing`` are left out."""
        self.env["campaign.pressure.contact"].flush_model(
            [
                "campaign_id",
                "mailing_id",
                "state",
                "contact_date",
                "unit_cost",
                "cost_currency_id",
            ]
        )
        self.flush_model(["company_id"])
        excluded = SQL()
        if exclude_mailing:
            excluded = SQL(
                "AND (c.state = 'confirmed' OR c.mailing_id IS DISTINCT FROM %s)",
                exclude_mailing.id,
            )
        rows = self.env.execute_query(
            SQL(
                """
                SELECT g.campaign_id, g.state, SUM(%s)
                  FROM (SELECT c.campaign_id, c.cost_currency_id,
                               c.contact_date::date AS day, c.state,
                               SUM(COALESCE(c.unit_cost, 0)) AS amount
                          FROM campaign_pressure_contact c
                         WHERE c.campaign_id = ANY(%s)
                           AND c.state IN ('reserved', 'confirmed') %s
                         GROUP BY 1, 2, 3, 4) g
                  JOIN utm_campaign u ON u.id = g.campaign_id
                  JOIN res_company rc ON rc.id = COALESCE(u.company_id, %s)
                 GROUP BY g.campaign_id, g.state
                """,
                converted_sql(
                    SQL("g.amount"),
                    SQL("g.cost_currency_id"),
                    SQL("rc.currency_id"),
                    SQL("rc.id"),
                    SQL("g.day"),
                ),
                ids,
                excluded,
                self.env.company.id,
            )
        )
        spent, reserved = defaultdict(float), defaultdict(float)
        for campaign_id, state, amount in rows:
            (spent if state == "confirmed" else reserved)[campaign_id] += amount or 0.0
        return spent, reserved

    def _budget_pricer(self, mailings):
        """A function ``(campaign, mailing, channel, company) -> cost`` of
        one message in the campaign's currency: the mailing's own cost when
        it has one and the channel is the mailing's own (its emails, or its
        SMS), else the channel's cost of the company that sent
        (``None``: the current company), converted at today's rate."""
        lines = {
            (line.company_id.id, line.channel_code): line
            for line in self.env["campaign.pressure.channel.cost"].sudo().search([])
        }
        memo = {}
        today = fields.Date.context_today(self)

        def price(campaign, mailing, channel, company):
            company = company or self.env.company
            currency = campaign.budget_currency_id
            if (
                mailing
                and mailing.budget_cost_override
                and channel == mailing._pressure_channel()
            ):
                return mailing.budget_message_cost
            key = (currency.id, channel, company.id)
            if key not in memo:
                line = lines.get((company.id, channel))
                memo[key] = (
                    line.currency_id._convert(
                        line.cost,
                        currency,
                        campaign.company_id or company,
                        today,
                        round=False,  # an email costs a fraction of a cent
                    )
                    if line and line.cost
                    else 0.0
                )
            return memo[key]

        return price

    def _budget_lock(self):
        """One screening of the budget at a time per campaign (a mailing's
        send, a journey's letters or calls): two of them would both see
        the same budget free."""
        self.ensure_one()
        self.env.cr.execute(
            SQL("SELECT id FROM utm_campaign WHERE id = %s FOR NO KEY UPDATE", self.id)
        )

    def _budget_affordable(self, cost, exclude_mailing=None):
        """How many messages of ``cost`` (in the campaign's currency) the
        campaign can still pay, and the figures that say so: ``(count,
        available)``; count None when the campaign sets no budget or the
        message costs nothing. Scheduled mailings do not hold the budget:
        the first send pays first (their share is shown as committed)."""
        self.ensure_one()
        if not self.budget_planned or not cost:
            return None, None
        figures = self._budget_figures(exclude_mailing=exclude_mailing, queued=False)[
            self.id
        ]
        available = self.budget_currency_id.round(
            self.budget_planned - figures.spent - figures.reserved
        )
        # a hair of tolerance: 0.3 / 0.1 is 2.9999999999999996 in floats
        return max(0, math.floor(available / cost + 1e-9)), available
