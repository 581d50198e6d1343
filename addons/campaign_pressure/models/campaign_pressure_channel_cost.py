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

    @api.model
    def _log_unit_cost(self, channel_code, values):
        """What one message costs when it is logged, and in which currency:
        ``{"unit_cost": SQL, "cost_currency": SQL}``, the expressions the
        contact log's INSERT stores (``engine/sql.py:insert``), so pricing
        a send costs no query of its own. ``values``: the log values
        (``mailing_id``, ``company_id``; ``unit_cost`` and
        ``cost_currency_id``: a price set by the server, e.g. a journey
        step's own cost of its letters). See :func:`unit_cost_sql`."""
        if values.get("unit_cost") is not None:
            return {
                "unit_cost": SQL("%s::numeric", values["unit_cost"]),
                "cost_currency": SQL("%s::int", values["cost_currency_id"]),
            }
        self.flush_model(["channel_id", "company_id", "cost"])
        self.env["mailing.mailing"].flush_model(
            ["budget_cost_override", "budget_message_cost", "campaign_id"]
        )
        cost, currency = unit_cost_sql(
            SQL("%s::int", values.get("mailing_id") or None),
            SQL("%s::varchar", channel_code),
            SQL("%s::int", values.get("company_id") or self.env.company.id),
        )
        return {"unit_cost": cost, "cost_currency": currency}


def unit_cost_sql(mailing, channel, company):
    """``(cost, currency)``: SQL expressions of what one message of the
    mailing ``mailing`` on the channel code ``channel`` sent by the company
    ``company`` (SQL expressions: parameters or columns) costs: the
    mailing's own cost on its own channel, in the currency of its
    campaign's company (else the sender's), else the channel's cost of the
    sending company, in its currency; 0 when the company set none. Written
    once: the engine's INSERT, rows created through the ORM and the
    18.0.1.3.0 migration use it."""
    own = SQL(
        """(SELECT m.budget_message_cost FROM mailing_mailing m
             WHERE m.id = %s AND m.budget_cost_override AND %s)""",
        mailing,
        _own_channel_sql(channel),
    )
    cost = SQL(
        """COALESCE(%s, (SELECT l.cost FROM campaign_pressure_channel_cost l
                          JOIN campaign_pressure_channel ch ON ch.id = l.channel_id
                         WHERE ch.code = %s AND l.company_id = %s), 0)""",
        own,
        channel,
        company,
    )
    currency = SQL(
        """COALESCE((SELECT cc.currency_id FROM mailing_mailing m
                       JOIN utm_campaign u ON u.id = m.campaign_id
                       JOIN res_company cc ON cc.id = u.company_id
                      WHERE m.id = %s AND m.budget_cost_override AND %s),
                    (SELECT rc.currency_id FROM res_company rc WHERE rc.id = %s))""",
        mailing,
        _own_channel_sql(channel),
        company,
    )
    return cost, currency


def _own_channel_sql(channel):
    """The mailing ``m`` is on the channel ``channel``: its own cost is
    the cost of its own messages (emails, or SMS for an SMS mailing), not
    of the calls and letters a best-channel mailing plans
    (``mailing.mailing._pressure_channel``)."""
    return SQL(
        "(CASE WHEN m.mailing_type = 'sms' THEN 'sms' ELSE 'email' END) = %s",
        channel,
    )
