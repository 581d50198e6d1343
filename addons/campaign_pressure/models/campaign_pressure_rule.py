from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CampaignPressureRule(models.Model):
    _name = "campaign.pressure.rule"
    _description = "Marketing Pressure Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True
    )
    channel_ids = fields.Many2many(
        "campaign.pressure.channel",
        string="Channels",
        help="Channels counted by the rule and on which it is enforced.",
    )
    window_type = fields.Selection(
        [
            ("rolling", "Rolling window"),
            ("calendar", "Calendar period"),
            ("both", "Rolling window and calendar period"),
        ],
        required=True,
        default="rolling",
        help="Rolling window: the last N days. Calendar period: the current day, "
        "week or month in the recipient's time zone. Both: the maximum holds in "
        "each of them.",
    )
    window_days = fields.Integer(
        string="Window (days)",
        default=30,
        help="Rolling window: contacts of the last N days are counted.",
    )
    period = fields.Selection(
        [("day", "Day"), ("week", "Week"), ("month", "Month")],
        default="week",
        help="Calendar period, computed in the recipient's time zone.",
    )
    max_contacts = fields.Integer(
        string="Maximum contacts",
        default=4,
        help="Maximum weighted number of contacts in the window. 0 blocks all.",
    )
    scope = fields.Selection(
        [
            ("marketing", "Marketing messages only"),
            ("all", "Marketing and transactional messages"),
            ("campaign", "Messages of given UTM campaigns"),
            ("tag", "Messages of UTM campaigns with given tags"),
        ],
        required=True,
        default="marketing",
        help="Which messages are counted by the rule (and which mailings it "
        "applies to). Transactional mailings are never held back by a cap.",
    )
    campaign_ids = fields.Many2many("utm.campaign", string="UTM campaigns")
    utm_tag_ids = fields.Many2many("utm.tag", string="UTM tags")
    phone_action = fields.Selection(
        [("warn", "Warn"), ("block", "Block")],
        string="On marketing calls",
        required=True,
        default="warn",
        help="What happens when a marketing call is scheduled for a saturated person.",
    )

    @api.constrains(
        "channel_ids", "window_type", "window_days", "period", "max_contacts"
    )
    def _check_definition(self):
        for rule in self:
            if not rule.channel_ids:
                raise ValidationError(
                    self.env._(
                        "Pressure rule '%s' needs at least one channel.", rule.name
                    )
                )
            if rule.window_type in ("rolling", "both") and rule.window_days <= 0:
                raise ValidationError(
                    self.env._(
                        "The window of pressure rule '%(rule)s' must be at least one "
                        "day"
                        " (got %(days)s).",
                        rule=rule.name,
                        days=rule.window_days,
                    )
                )
            if rule.window_type in ("calendar", "both") and not rule.period:
                raise ValidationError(
                    self.env._("Pressure rule '%s' needs a calendar period.", rule.name)
                )
            if rule.max_contacts < 0:
                raise ValidationError(
                    self.env._(
                        "The maximum of pressure rule '%(rule)s' cannot be negative"
                        " (got %(max)s).",
                        rule=rule.name,
                        max=rule.max_contacts,
                    )
                )

    @api.constrains("scope", "campaign_ids", "utm_tag_ids")
    def _check_scope(self):
        for rule in self:
            if rule.scope == "campaign" and not rule.campaign_ids:
                raise ValidationError(
                    self.env._(
                        "Pressure rule '%s' counts UTM campaigns: select some.",
                        rule.name,
                    )
                )
            if rule.scope == "tag" and not rule.utm_tag_ids:
                raise ValidationError(
                    self.env._(
                        "Pressure rule '%s' counts UTM tags: select some.", rule.name
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._pressure_check_rule_access()
        rules = super().create(vals_list)
        self.env.registry.clear_cache()
        return rules

    def write(self, vals):
        self._pressure_check_rule_access()
        res = super().write(vals)
        self.env.registry.clear_cache()
        return res

    def unlink(self):
        self._pressure_check_rule_access()
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

    def _pressure_check_rule_access(self):
        """Rules (and archiving them) are a pressure manager's decision,
        whatever access another module grants on the model."""
        self.env["campaign.pressure.engine"]._pressure_check_manager(
            self.env._("Only a marketing pressure manager may change pressure rules.")
        )
