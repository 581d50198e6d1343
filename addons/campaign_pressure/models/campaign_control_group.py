"""Control groups (issue 15, item 5): a campaign holds out a random but
stable share of its audience, never sent to, so that the results report can
measure the lift of the campaign against it."""

import hashlib

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .manager_fields import check_manager_fields

MAX_HOLDOUT = 50.0


def in_control_group(partner_id, campaign_id, percent):
    """Whether the person is in the campaign's control group: the first 28
    bits of ``md5("<partner>:<campaign>")`` modulo 10,000 below ``percent``
    hundredths. Stable per person and campaign, independent between
    campaigns; :func:`control_group_sql` is the same rule in SQL."""
    if not (partner_id and campaign_id and percent):
        return False
    digest = hashlib.md5(f"{partner_id}:{campaign_id}".encode()).hexdigest()
    return int(digest[:7], 16) % 10000 < round(percent * 100)


def control_group_sql(partner, campaign, percent):
    """SQL of :func:`in_control_group` on the SQL expressions given."""
    return SQL(
        "(mod(('x' || substr(md5((%s)::text || ':' || (%s)::text), 1, 7))"
        "::bit(28)::int, 10000) < round((%s) * 100))",
        partner,
        campaign,
        percent,
    )


class UtmCampaign(models.Model):
    _inherit = "utm.campaign"

    holdout_percent = fields.Float(
        string="Control group (%)",
        digits=(5, 2),
        help="Share of the audience held out of this campaign's marketing "
        "messages (0 to 50 %), the same people on every send; the results "
        "report compares them with the people contacted (lift). Set by a "
        "marketing pressure manager.",
    )

    @api.constrains("holdout_percent")
    def _check_holdout_percent(self):
        for campaign in self:
            if not 0 <= campaign.holdout_percent <= MAX_HOLDOUT:
                raise ValidationError(
                    self.env._(
                        "The control group of a campaign is between 0 and "
                        "%(max)s %% of its audience (not %(value)s %%).",
                        max=int(MAX_HOLDOUT),
                        value=campaign.holdout_percent,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        campaigns = super().create(vals_list)
        campaigns._results_check_holdout_access(vals_list, ("holdout_percent",))
        return campaigns

    def write(self, vals):
        self._results_check_holdout_access([vals])
        return super().write(vals)

    def _results_check_holdout_access(self, vals_list, defaulted=()):
        check_manager_fields(
            self,
            vals_list,
            {"holdout_percent"},
            self.env._(
                "Only a marketing pressure manager may set a campaign's control group."
            ),
            defaulted,
        )


class CampaignPressureEngine(models.AbstractModel):
    """The control group of a campaign is held back from its marketing
    messages (reason ``control_group``), on every send path; transactional
    messages still go."""

    _inherit = "campaign.pressure.engine"

    @api.model
    def _pressure_flag_extra(self, msg, now):
        extra = super()._pressure_flag_extra(msg, now)
        if msg.exempt or not msg.campaign_id:
            return extra
        self.env["utm.campaign"].flush_model(["holdout_percent"])
        control = SQL(
            """pp.pid IS NOT NULL AND EXISTS (
                SELECT 1 FROM utm_campaign hc
                 WHERE hc.id = %s AND hc.holdout_percent > 0 AND %s)""",
            msg.campaign_id,
            control_group_sql(SQL("pp.pid"), SQL("hc.id"), SQL("hc.holdout_percent")),
        )
        return SQL("(%s) OR (%s)", extra, control) if extra else control

    @api.model
    def _pressure_decide(self, left, msg, windows, config, now, message):
        super()._pressure_decide(left, msg, windows, config, now, message)
        if msg.exempt or not msg.campaign_id:
            return
        held = [
            decision
            for _person, decision in left
            if decision["allowed"] and decision["partner_id"]
        ]
        if not held:
            return
        campaign = self.env["utm.campaign"].sudo().browse(msg.campaign_id)
        percent = campaign.holdout_percent
        if not percent:
            return
        render = (
            self._pressure_reason_renderer() if message.get("explain", True) else None
        )
        for decision in held:
            if in_control_group(decision["partner_id"], campaign.id, percent):
                self._pressure_hold(
                    decision, render, "control_group", {"percent": percent}
                )

    @api.model
    def _pressure_reasons(self):
        return [
            *super()._pressure_reasons(),
            ("control_group", self.env._("Control group of the campaign")),
        ]

    @api.model
    def _pressure_reason_templates(self, detailed=True):
        templates = super()._pressure_reason_templates(detailed=detailed)
        templates["control_group"] = self.env._(
            "In the campaign's control group (%(percent)s %% of its audience): "
            "not sent, to measure the campaign's effect."
        )
        return templates
