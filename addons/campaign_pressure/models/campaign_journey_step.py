from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .campaign_journey_mailing import plain_text_body
from .campaign_journey_triggers import (
    NEGATIVE_TRIGGERS,
    POSITIVE_TRIGGERS,
    RESPONSE_TRIGGERS,
    TRIGGER_PARENT_KIND,
    TRIGGERS,
)

INTERVAL_HOURS = {"hours": 1, "days": 24, "weeks": 24 * 7}
# the step's fields that are its mailing's (related, written through)
MAILING_CONTENT = ("subject", "body_html", "body_plaintext")


class CampaignJourneyStep(models.Model):
    """One step of a journey's tree. Email and SMS steps send through a
    ``mailing.mailing`` of their own (created and kept in sync here) on the
    journey's model: traces, link tracking, unsubscribe, statistics and the
    pressure rules are Odoo's and campaign_pressure's, unchanged."""

    _name = "campaign.journey.step"
    _description = "Journey Step"
    _order = "journey_id, sequence, id"
    _parent_store = False

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    journey_id = fields.Many2one(
        "campaign.journey", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="journey_id.company_id", store=True)
    model_name = fields.Char(related="journey_id.model_name")
    parent_id = fields.Many2one(
        "campaign.journey.step",
        string="Parent step",
        ondelete="cascade",
        index=True,
        domain="[('journey_id', '=', journey_id), ('id', '!=', id)]",
    )
    child_ids = fields.One2many(
        "campaign.journey.step", "parent_id", string="Next steps"
    )
    kind = fields.Selection(
        [
            ("email", "Email"),
            ("sms", "SMS"),
            ("activity", "Call task"),
            ("letter", "Letter"),
            ("update", "Update"),
            ("wait", "Wait"),
        ],
        string="Step type",
        required=True,
        default="email",
    )
    trigger = fields.Selection(
        TRIGGERS, required=True, default="after_parent", string="Trigger"
    )
    interval_number = fields.Integer(
        string="Delay",
        default=0,
        help="After the parent step: run this long after it. With a trigger "
        "on what the person did: the window in which it is watched.",
    )
    interval_type = fields.Selection(
        [("hours", "Hours"), ("days", "Days"), ("weeks", "Weeks")],
        string="Delay unit",
        default="days",
        required=True,
    )
    response_polarity = fields.Selection(
        [("positive", "Positive"), ("negative", "Negative")],
        string="Response kind",
        help="With a trigger on responses: only responses of this kind "
        "count (empty: any response).",
    )
    response_reason_id = fields.Many2one(
        "campaign.response.reason",
        string="Response reason",
        ondelete="restrict",
        help="With a trigger on responses: only responses with this reason "
        "count (empty: any reason).",
    )
    filter_domain = fields.Char(
        string="Step filter",
        help="Checked when the step runs: records that do not match are "
        "rejected (the branch ends for them).",
    )
    expiry_hours = fields.Integer(
        string="Expires after (hours)",
        help="A step run this long after its planned time is skipped as "
        "expired (0: never).",
    )
    hold_action = fields.Selection(
        [
            ("skip", "Skip the step"),
            ("retry", "Retry later"),
            ("fallback", "Fall back to another step"),
        ],
        string="When held by pressure",
        default="skip",
        required=True,
    )
    retry_hours = fields.Integer(string="Retry every (hours)", default=24)
    retry_max_days = fields.Integer(string="Retry for at most (days)", default=7)
    fallback_step_id = fields.Many2one(
        "campaign.journey.step",
        string="Fallback step",
        ondelete="set null",
        domain="[('journey_id', '=', journey_id), ('id', '!=', id)]",
    )
    mailing_id = fields.Many2one(
        "mailing.mailing", string="Mailing", readonly=True, ondelete="restrict"
    )
    subject = fields.Char(related="mailing_id.subject", readonly=False)
    body_html = fields.Html(related="mailing_id.body_html", readonly=False)
    body_plaintext = fields.Text(
        related="mailing_id.body_plaintext", string="SMS text", readonly=False
    )
    activity_type_id = fields.Many2one("mail.activity.type", string="Activity type")
    activity_summary = fields.Char(string="Task summary")
    activity_note = fields.Html(string="Task note")
    activity_user_mode = fields.Selection(
        [("owner", "The record's owner"), ("user", "A chosen user")],
        string="Assigned to",
        default="owner",
        required=True,
    )
    activity_user_id = fields.Many2one("res.users", string="User")
    activity_deadline_days = fields.Integer(string="Due in (days)", default=1)
    server_action_id = fields.Many2one(
        "ir.actions.server",
        string="Server action",
        domain="[('model_name', '=', model_name)]",
    )
    # statistics
    item_ids = fields.One2many(
        "campaign.journey.participant.step", "step_id", string="Work items"
    )
    scheduled_count = fields.Integer(compute="_compute_statistics", string="Scheduled")
    done_count = fields.Integer(compute="_compute_statistics", string="Done")
    held_count = fields.Integer(
        compute="_compute_statistics", string="Held by pressure"
    )
    skipped_count = fields.Integer(compute="_compute_statistics", string="Skipped")
    expired_count = fields.Integer(compute="_compute_statistics", string="Expired")
    rejected_count = fields.Integer(compute="_compute_statistics", string="Rejected")
    cancelled_count = fields.Integer(compute="_compute_statistics", string="Cancelled")
    opened_count = fields.Integer(compute="_compute_statistics", string="Opened")
    clicked_count = fields.Integer(compute="_compute_statistics", string="Clicked")
    replied_count = fields.Integer(compute="_compute_statistics", string="Replied")
    bounced_count = fields.Integer(compute="_compute_statistics", string="Bounced")

    def _compute_statistics(self):
        Item = self.env["campaign.journey.participant.step"]
        by_state = {
            (step.id, state): count
            for step, state, count in Item._read_group(
                [("step_id", "in", self.ids), ("is_test", "=", False)],
                ["step_id", "state"],
                ["__count"],
            )
        }
        Trace = self.env["mailing.trace"]
        mailing_ids = self.mailing_id.ids
        trace_counts = {}
        for key, domain in (
            ("opened", [("trace_status", "in", ("open", "reply"))]),
            ("clicked", [("links_click_datetime", "!=", False)]),
            ("replied", [("trace_status", "=", "reply")]),
            ("bounced", [("trace_status", "=", "bounce")]),
        ):
            for mailing, count in Trace._read_group(
                [("mass_mailing_id", "in", mailing_ids), *domain],
                ["mass_mailing_id"],
                ["__count"],
            ):
                trace_counts[key, mailing.id] = count
        for step in self:
            for state in (
                "scheduled",
                "done",
                "held",
                "skipped",
                "expired",
                "rejected",
                "cancelled",
            ):
                step[f"{state}_count"] = by_state.get((step.id, state), 0)
            step.scheduled_count += by_state.get((step.id, "sending"), 0)
            for key in ("opened", "clicked", "replied", "bounced"):
                step[f"{key}_count"] = trace_counts.get((key, step.mailing_id.id), 0)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("interval_number", "expiry_hours", "retry_hours", "retry_max_days")
    def _check_numbers(self):
        for step in self:
            if step.interval_number < 0:
                raise ValidationError(
                    self.env._(
                        "The delay of the step %s cannot be negative.", step.name
                    )
                )
            if step.expiry_hours < 0:
                raise ValidationError(
                    self.env._(
                        "The expiry of the step %s cannot be negative.", step.name
                    )
                )
            if step.hold_action == "retry" and (
                step.retry_hours < 1 or step.retry_max_days < 1
            ):
                raise ValidationError(
                    self.env._(
                        "A step that retries needs an interval of at least one "
                        "hour and at least one day to retry (step %s).",
                        step.name,
                    )
                )

    @api.constrains("parent_id", "trigger", "journey_id", "kind")
    def _check_tree(self):
        if self._has_cycle():
            raise ValidationError(self.env._("The steps of a journey form a tree."))
        for step in self:
            parent = step.parent_id
            if parent and parent.journey_id != step.journey_id:
                raise ValidationError(
                    self.env._(
                        "The parent of the step %s is in another journey.", step.name
                    )
                )
            needed = TRIGGER_PARENT_KIND.get(step.trigger)
            if needed and parent.kind != needed:
                kinds = dict(self._fields["kind"]._description_selection(self.env))
                triggers = dict(
                    self._fields["trigger"]._description_selection(self.env)
                )
                raise ValidationError(
                    self.env._(
                        "The trigger '%(trigger)s' of the step %(step)s needs a "
                        "parent step of type %(kind)s.",
                        trigger=triggers[step.trigger],
                        step=step.name,
                        kind=kinds[needed],
                    )
                )

    @api.constrains("trigger", "response_polarity", "response_reason_id")
    def _check_response_filter(self):
        for step in self:
            reason = step.response_reason_id
            if reason and step.trigger not in RESPONSE_TRIGGERS:
                raise ValidationError(
                    self.env._(
                        "The step %s filters responses but its trigger is not "
                        "on responses.",
                        step.name,
                    )
                )
            polarity = step.response_polarity
            if reason and polarity and reason.polarity != polarity:
                raise ValidationError(
                    self.env._(
                        "The reason '%(reason)s' of the step %(step)s is not a "
                        "reason of the response kind it waits for.",
                        reason=reason.name,
                        step=step.name,
                    )
                )

    @api.constrains("fallback_step_id", "hold_action")
    def _check_fallback(self):
        for step in self:
            if step.hold_action != "fallback":
                continue
            fallback = step.fallback_step_id
            if (
                not fallback
                or fallback == step
                or fallback.journey_id != step.journey_id
            ):
                raise ValidationError(
                    self.env._(
                        "The step %s falls back to another step of its journey: "
                        "choose it.",
                        step.name,
                    )
                )

    @api.constrains(
        "kind", "activity_type_id", "activity_user_mode", "activity_user_id"
    )
    def _check_activity(self):
        for step in self.filtered(lambda s: s.kind == "activity"):
            if not step.activity_type_id:
                raise ValidationError(
                    self.env._(
                        "The call task step %s needs an activity type.", step.name
                    )
                )
            if step.activity_user_mode == "user" and not step.activity_user_id:
                raise ValidationError(
                    self.env._(
                        "The call task step %s is assigned to a chosen user: choose "
                        "the user.",
                        step.name,
                    )
                )

    @api.constrains("kind", "server_action_id")
    def _check_server_action(self):
        for step in self.filtered(lambda s: s.kind == "update"):
            action = step.server_action_id
            if not action:
                raise ValidationError(
                    self.env._("The update step %s needs a server action.", step.name)
                )
            if action.model_id != step.journey_id.model_id:
                raise ValidationError(
                    self.env._(
                        "The server action of the step %(step)s runs on another "
                        "model than the journey's %(model)s.",
                        step=step.name,
                        model=step.journey_id.model_id.name,
                    )
                )

    @api.constrains("filter_domain")
    def _check_filter_domain(self):
        for step in self:
            step.journey_id._journey_parse_domain(
                step.filter_domain, self.env._("step filter")
            )

    # ------------------------------------------------------------------
    # CRUD: the step owns its mailing
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any("mailing_id" in vals for vals in vals_list):
            self._journey_refuse_mailing()
        mailing_values = []
        for vals in vals_list:
            content = {
                fname: vals.pop(fname) for fname in MAILING_CONTENT if fname in vals
            }
            mailing_values.append(content)
        steps = super().create(vals_list)
        for step, content in zip(steps, mailing_values, strict=True):
            if step.kind in ("email", "sms"):
                step._journey_create_mailing(content)
        return steps

    def write(self, vals):
        if not self.env.su and "mailing_id" in vals:
            self._journey_refuse_mailing()
        if {"kind", "journey_id"} & set(vals) and self.filtered("item_ids"):
            raise UserError(
                self.env._(
                    "A step that already ran cannot change its type or journey: "
                    "archive it and add a new step."
                )
            )
        res = super().write(vals)
        if "kind" in vals:
            for step in self.filtered(
                lambda s: s.kind in ("email", "sms") and not s.mailing_id
            ):
                step._journey_create_mailing({})
        if {"name", "kind"} & set(vals):
            self._journey_sync_mailing()
        if {"body_html", "kind"} & set(vals):
            self.mailing_id._journey_sync_body()
        if vals.get("active") is False:
            self.env["campaign.journey.runner"]._journey_cancel_pending_steps(
                self, self.env._("The step was removed from the journey.")
            )
        return res

    def unlink(self):
        if self.item_ids:
            raise UserError(
                self.env._(
                    "A step that already ran keeps its history: archive it "
                    "instead (its pending work is cancelled)."
                )
            )
        mailings = self.mailing_id
        res = super().unlink()
        mailings.sudo().unlink()
        return res

    @api.model
    def _journey_refuse_mailing(self):
        raise AccessError(self.env._("A step creates and keeps its own mailing."))

    def _journey_mailing_values(self):
        self.ensure_one()
        journey = self.journey_id
        return {
            "name": f"{journey.name} / {self.name}",
            "mailing_type": "sms" if self.kind == "sms" else "mail",
            "mailing_model_id": journey.model_id.id,
            # never sent to a domain: the runner names its recipients
            "mailing_domain": "[('id', 'in', [])]",
            "campaign_id": journey.campaign_id.id,
            "pressure_priority": journey.priority,
        }

    def _journey_create_mailing(self, content):
        self.ensure_one()
        values = dict(self._journey_mailing_values())
        if self.kind == "email":
            values.setdefault("subject", content.get("subject") or self.name)
            body = plain_text_body(content.get("body_html"))
            values.update(body_html=body, body_arch=body)
        else:
            values["subject"] = content.get("subject") or self.name
            values["body_plaintext"] = content.get("body_plaintext") or self.name
        mailing = self.env["mailing.mailing"].create(values)
        if self.journey_id.is_transactional:
            # decided by a pressure manager on the journey
            mailing.sudo().pressure_exempt = True
        self.sudo().mailing_id = mailing
        mailing.sudo().journey_step_id = self

    def _journey_sync_mailing(self):
        """The journey's priority, campaign and transactional flag on the
        steps' mailings (server side: the flag was checked on the journey)."""
        for step in self.filtered("mailing_id"):
            values = step._journey_mailing_values()
            values.pop("mailing_domain")
            exempt = step.journey_id.is_transactional
            mailing = step.mailing_id.sudo()
            if mailing.pressure_exempt != exempt:
                values["pressure_exempt"] = exempt
            mailing.write(values)

    # ------------------------------------------------------------------
    # Runtime helpers
    # ------------------------------------------------------------------

    def _journey_delay(self):
        self.ensure_one()
        return timedelta(
            hours=self.interval_number * INTERVAL_HOURS[self.interval_type]
        )

    def _journey_is_positive(self):
        self.ensure_one()
        return self.trigger in POSITIVE_TRIGGERS

    def _journey_is_negative(self):
        self.ensure_one()
        return self.trigger in NEGATIVE_TRIGGERS

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_view_work_items(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "campaign_pressure.campaign_journey_participant_step_action"
        )
        action["domain"] = [("step_id", "=", self.id)]
        return action
