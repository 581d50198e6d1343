from babel.units import format_unit
from odoo import api, fields, models
from odoo.tools.misc import babel_locale_parse, get_lang

# the statistics a node of the step tree shows, in this order; the first
# three always, the others when they are not zero
TREE_COUNTS = (
    "scheduled_count",
    "done_count",
    "held_count",
    "opened_count",
    "clicked_count",
    "replied_count",
    "bounced_count",
    "skipped_count",
    "rejected_count",
    "expired_count",
    "cancelled_count",
)
TREE_ALWAYS = 3
# CLDR's unit of each delay unit: "1 week", "2 weeks"; "1 тиждень",
# "2 тижні", "5 тижнів" (the plural forms of the reader's language)
DELAY_UNITS = {
    "hours": "duration-hour",
    "days": "duration-day",
    "weeks": "duration-week",
}


def delay_text(number, unit, locale):
    """``number`` ``unit`` (a step's delay) in the words of ``locale``, with
    the plural form the number takes; empty for no delay."""
    if not number or unit not in DELAY_UNITS:
        return ""
    return format_unit(number, DELAY_UNITS[unit], length="long", locale=locale)


class CampaignJourney(models.Model):
    """The journey's steps as a tree for the form (the widget
    ``journey_step_tree``): one node per step, its children below it, each
    with its kind, trigger, delay and statistics, labels in the reader's
    language. Read from the steps, never stored."""

    _inherit = "campaign.journey"

    step_tree = fields.Json(compute="_compute_step_tree", string="Step tree")

    @api.depends(
        "step_ids.name",
        "step_ids.parent_id",
        "step_ids.kind",
        "step_ids.trigger",
        "step_ids.interval_number",
        "step_ids.interval_type",
        "step_ids.sequence",
    )
    @api.depends_context("lang")
    def _compute_step_tree(self):
        Step = self.env["campaign.journey.step"]
        labels = {
            fname: dict(Step._fields[fname]._description_selection(self.env))
            for fname in ("kind", "trigger")
        }
        counts = {
            fname: Step._fields[fname]._description_string(self.env)
            for fname in TREE_COUNTS
        }
        for journey in self:
            steps = journey.step_ids
            keys = {step: str(step.id) for step in steps}
            journey.step_tree = [
                step._journey_tree_node(keys, labels, counts) for step in steps
            ]


class CampaignJourneyStep(models.Model):
    _inherit = "campaign.journey.step"

    delay_label = fields.Char(
        string="Delay or window",
        compute="_compute_delay_label",
        help="The step's delay (or the window its trigger watches), in the "
        "reader's language.",
    )

    @api.depends("interval_number", "interval_type")
    @api.depends_context("lang")
    def _compute_delay_label(self):
        locale = babel_locale_parse(get_lang(self.env).code)
        for step in self:
            step.delay_label = delay_text(
                step.interval_number, step.interval_type, locale
            )

    def _journey_tree_node(self, keys, labels, counts):
        """The node of the step tree for this step (``keys``: the tree's
        key of each step of the journey)."""
        self.ensure_one()
        delay = self.delay_label
        # a step being edited in the form counts what its saved self counts
        saved = self._origin
        stats = [
            {"label": counts[fname], "value": saved[fname] if saved else 0}
            for index, fname in enumerate(TREE_COUNTS)
            if index < TREE_ALWAYS or (saved and saved[fname])
        ]
        return {
            "key": keys[self],
            "id": saved.id or False,
            "parent": keys.get(self.parent_id) if self.parent_id else False,
            "name": self.name or "",
            "kind": self.kind,
            "kind_label": labels["kind"].get(self.kind, ""),
            "trigger_label": labels["trigger"].get(self.trigger, ""),
            "delay": delay,
            "stats": stats,
        }
