from markupsafe import Markup
from odoo import api, fields, models

# people named one by one in the warning of a batch (the count covers all)
LISTED_PEOPLE = 10


class MailActivitySchedule(models.TransientModel):
    """The chatter's "Schedule activity" dialog (and the list view's "Schedule
    an activity" on several records): it warns before a marketing call is
    scheduled for a saturated person, and says after scheduling when a rule
    only warns. The model still refuses a call that a rule blocks
    (``mail.activity.create``)."""

    _inherit = "mail.activity.schedule"

    pressure_warning = fields.Html(
        string="Marketing pressure", compute="_compute_pressure_warning", sanitize=False
    )
    pressure_blocked = fields.Boolean(compute="_compute_pressure_warning")

    @api.depends("res_model", "res_ids", "activity_type_id", "plan_id")
    @api.depends_context("lang")
    def _compute_pressure_warning(self):
        """One evaluation of the engine for all the selected records."""
        for scheduler in self:
            held = scheduler._pressure_held_calls()
            scheduler.pressure_blocked = any(
                decision["phone_action"] == "block" for _r, _p, decision in held
            )
            scheduler.pressure_warning = scheduler._pressure_warning_html(held)

    def _pressure_call_weight(self):
        """How many marketing calls scheduling creates per record: the
        activity, or the plan's activities of a marketing-call type."""
        self.ensure_one()
        if self.plan_id:
            return len(
                self.plan_id.template_ids.filtered(
                    "activity_type_id.pressure_marketing_call"
                )
            )
        return 1 if self.activity_type_id.pressure_marketing_call else 0

    def _pressure_held_calls(self):
        """``[(res_id, partner, decision)]``: the selected records whose
        person the new calls would exceed a rule for."""
        self.ensure_one()
        weight = self._pressure_call_weight()
        if not weight or not self.res_model or self.res_model not in self.env:
            return []
        res_ids = self._evaluate_res_ids()
        if not res_ids:
            return []
        return self.env["mail.activity"]._pressure_check_calls(
            self.res_model, res_ids, weight=weight
        )

    def _pressure_warning_html(self, held):
        if not held:
            return False
        _ = self.env._
        blocked = any(d["phone_action"] == "block" for _r, _p, d in held)
        if len(self._evaluate_res_ids()) == 1:
            res_id, partner, decision = held[0]
            if blocked:
                head = _("This marketing call will be refused: %s", decision["reason"])
            else:
                head = _(
                    "%s You may still schedule the call: it is counted.",
                    decision["reason"],
                )
            return Markup("<p>%s</p>") % head
        if blocked:
            head = _(
                "%(count)s of the selected people are over a pressure rule; "
                "these marketing calls will be refused:",
                count=len(held),
            )
        else:
            head = _(
                "%(count)s of the selected people are over a pressure rule "
                "(the calls may still be scheduled, they are counted):",
                count=len(held),
            )
        items = Markup().join(
            Markup("<li>%s: %s</li>") % (partner.display_name, decision["reason"])
            for _res_id, partner, decision in held[:LISTED_PEOPLE]
        )
        more = ""
        if len(held) > LISTED_PEOPLE:
            more = Markup("<p>%s</p>") % _("And %s more.", len(held) - LISTED_PEOPLE)
        return Markup("<p>%s</p><ul>%s</ul>%s") % (head, items, more)

    # ------------------------------------------------------------------
    # Actions: after scheduling, say so when a rule only warned
    # ------------------------------------------------------------------

    def action_schedule_activities(self):
        held = self._pressure_held_calls() if len(self) == 1 else []
        return self._pressure_notify(held, super().action_schedule_activities())

    def action_schedule_activities_done(self):
        held = self._pressure_held_calls() if len(self) == 1 else []
        return self._pressure_notify(held, super().action_schedule_activities_done())

    def action_schedule_plan(self):
        held = self._pressure_held_calls() if len(self) == 1 else []
        return self._pressure_notify(held, super().action_schedule_plan())

    def _pressure_notify(self, held, action):
        """A notification that the calls were scheduled over a rule that
        warns, then ``action`` (what Odoo's button returns)."""
        if not held:
            return action
        _ = self.env._
        if len(held) == 1:
            message = _(
                "Marketing call scheduled over a pressure rule: %s",
                held[0][2]["reason"],
            )
        else:
            message = _(
                "Marketing calls scheduled for %s people over a pressure rule.",
                len(held),
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "title": _("Marketing pressure"),
                "message": message,
                "sticky": False,
                "next": action or {"type": "ir.actions.act_window_close"},
            },
        }
