from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .campaign_pressure_channel import CHANNELS


class CampaignPressureChannelCost(models.Model):
    """What one message costs on a channel, and how many a day the channel
    can take, per company (in the company's currency).

    The channels themselves are shared by every company; their economics
    are not: a company in another country pays its SMS gateway or its call
    centre in its own currency. A mailing may override the cost
    (``mailing.mailing.budget_cost_override``). No row (or a cost of 0): the
    channel costs nothing and never stops a send at a campaign's budget.
    """

    _name = "campaign.pressure.channel.cost"
    _description = "Marketing Channel Cost and Capacity"
    _order = "company_id, channel_id, id"
    _rec_name = "channel_id"

    channel_id = fields.Many2one(
        "campaign.pressure.channel", required=True, ondelete="cascade"
    )
    channel_code = fields.Selection(
        selection=CHANNELS, compute="_compute_channel_code", string="Channel code"
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    # a Float, not a Monetary: an email costs a fraction of a cent, which
    # the currency's rounding of a Monetary would store as 0
    cost = fields.Float(
        string="Cost per message",
        digits=(16, 4),
        help="What one message on this channel costs the company, in its currency.",
    )
    capacity_limited = fields.Boolean(
        string="Limited capacity",
        help="The channel can take only so many messages a day (e.g. the calls "
        "the call centre can make).",
    )
    daily_capacity = fields.Integer(
        string="Messages a day",
        help="How many messages the channel can take a day, over all campaigns.",
    )
    used_today = fields.Integer(
        string="Used today",
        compute="_compute_used_today",
        help="Messages of the channel reserved or sent today (contact log).",
    )

    _sql_constraints = [
        (
            "channel_company_unique",
            "UNIQUE(channel_id, company_id)",
            "A channel has one cost per company.",
        ),
    ]

    @api.depends("channel_id.code")
    def _compute_channel_code(self):
        for line in self:
            line.channel_code = line.channel_id.code

    @api.depends("company_id.currency_id")
    def _compute_currency_id(self):
        for line in self:
            line.currency_id = line.company_id.currency_id

    @api.depends("channel_id", "company_id")
    def _compute_used_today(self):
        used = self._used_today()
        for line in self:
            line.used_today = used.get((line.company_id.id, line.channel_code), 0)

    @api.constrains("cost", "capacity_limited", "daily_capacity")
    def _check_economics(self):
        for line in self:
            if line.cost < 0:
                raise ValidationError(
                    self.env._(
                        "The cost of a message on %(channel)s cannot be negative.",
                        channel=line.channel_id.name,
                    )
                )
            if line.daily_capacity < 0 or (
                line.capacity_limited and line.daily_capacity < 1
            ):
                raise ValidationError(
                    self.env._(
                        "A limited channel (%(channel)s) takes at least one "
                        "message a day: untick 'Limited capacity' for no limit.",
                        channel=line.channel_id.name,
                    )
                )

    @api.model
    def _day_span(self, now=None):
        """Today in UTC: ``(start, end)`` of the day ``now`` falls in."""
        now = now or fields.Datetime.now()
        start = datetime.combine(now.date(), time.min)
        return start, start + timedelta(days=1)

    def _used_today(self, now=None):
        """``{(company_id, channel): messages}`` reserved or confirmed in the
        contact log today, for the companies of ``self``: one query."""
        companies = self.company_id.ids
        if not companies:
            return {}
        start, end = self._day_span(now)
        self.env["campaign.pressure.contact"].flush_model(
            ["company_id", "channel", "contact_date", "state"]
        )
        rows = self.env.execute_query(
            SQL(
                """
                SELECT company_id, channel, count(*)
                  FROM campaign_pressure_contact
                 WHERE company_id = ANY(%s) AND state IN ('reserved', 'confirmed')
                   AND contact_date >= %s AND contact_date < %s
                 GROUP BY company_id, channel
                """,
                companies,
                start,
                end,
            )
        )
        return {(company, channel): count for company, channel, count in rows}

    @api.model
    def _for(self, company, channel_code):
        """The cost line of ``channel_code`` for ``company`` (empty when the
        company set none). Read as the server: a marketing user's send
        needs the cost even when the line is not theirs to read."""
        return (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("company_id", "=", company.id),
                    ("channel_id.code", "=", channel_code),
                ],
                limit=1,
            )
        )
