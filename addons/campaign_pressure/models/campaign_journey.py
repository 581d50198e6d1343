import calendar

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.safe_eval import safe_eval

# fields only the journey's own transitions and the runner write
SYSTEM_FIELDS = {"state", "last_entry_scan", "launch_date", "launched_by_id"}
# field types that have no single comparable value per record
REENTRY_REFUSED_TYPES = {"one2many", "many2many", "binary", "html", "text", "json"}
# fields whose change the step mailings follow
MAILING_FIELDS = {"priority", "is_transactional", "campaign_id"}


def _is_empty_domain(text):
    """Whether a goal or exit domain's text selects nobody: the runner skips
    an empty domain (it never means "every record")."""
    return "".join((text or "").split()) in ("", "[]", "()")


class CampaignJourney(models.Model):
    """A multi-step campaign on any mail.thread model (issue 14).

    Records enter at launch, when they start matching the entry domain
    (event mode, polled every few minutes on ``write_date`` from the
    ``last_entry_scan`` watermark) or on a date relative to one of their date
    fields. Each person (the unique key) is one running participant; its
    work items (``campaign.journey.participant.step``) are run by the
    runner's cron in batches, every email or SMS through the step's own
    ``mailing.mailing`` so that Odoo's traces, link tracking, unsubscribe and
    the pressure rules apply unchanged.
    """

    _name = "campaign.journey"
    _description = "Marketing Journey"
    _inherit = ["mail.thread"]
    _order = "sequence, id desc"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    color = fields.Integer()
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("stopped", "Stopped")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    model_id = fields.Many2one(
        "ir.model",
        string="Target model",
        required=True,
        ondelete="cascade",
        domain=[("is_mail_thread", "=", True), ("transient", "=", False)],
        default=lambda self: self.env["ir.model"]._get("res.partner"),
    )
    model_name = fields.Char(
        related="model_id.model", string="Model name", store=True, readonly=True
    )
    domain = fields.Char(string="Entry domain", default="[]", required=True)
    entry_mode = fields.Selection(
        [
            ("launch", "Everyone matching at launch"),
            ("event", "When a record starts matching"),
            ("date", "On a date of the record"),
        ],
        string="Entry",
        default="launch",
        required=True,
    )
    date_field = fields.Char(
        string="Date field",
        help="The record's date or date-time field the entry is relative to "
        "(a deadline, an intake's start, a due date).",
    )
    date_offset_days = fields.Integer(
        string="Days from the date",
        help="Negative: before the date (-14 is 14 days before the deadline); "
        "positive: after it.",
    )
    unique_key = fields.Selection(
        [("partner", "Partner"), ("email", "Email")],
        string="One participant per",
        default="partner",
        required=True,
        help="A person is one participant: records of the same partner (or "
        "email) do not enter twice.",
    )
    reentry = fields.Selection(
        [
            ("never", "Never"),
            ("after_leaving", "After leaving"),
            ("period", "Once per period"),
            ("field", "Once per value of a field"),
            ("academic_year", "Once per academic year"),
        ],
        string="Re-entry",
        default="never",
        required=True,
    )
    reentry_field = fields.Char(
        string="Once per value of",
        help="The record's field whose value the person enters once for (the "
        "lead's intake, the programme): a new value, a new entry.",
    )
    reentry_year_start = fields.Selection(
        [(str(month), calendar.month_name[month]) for month in range(1, 13)],
        string="Academic year starts in",
        default="9",
        help="With re-entry once per academic year: a person enters again in "
        "the next academic year, which starts on the 1st of this month.",
    )
    reentry_days = fields.Integer(
        string="Period (days)",
        default=365,
        help="With re-entry once per period: a person enters again when their "
        "last entry is older than this (365 for an academic year).",
    )
    exit_domain = fields.Char(
        string="Exit criteria",
        help="A participant whose record matches leaves the journey; its "
        "pending steps are cancelled.",
    )
    goal_domain = fields.Char(
        string="Goal",
        help="A participant whose record matches reached the goal and leaves; "
        "its pending steps are cancelled.",
    )
    has_goal = fields.Boolean(
        string="Has a goal",
        compute="_compute_has_criteria",
        inverse="_inverse_has_goal",
        help="Off: the journey has no goal (an empty goal never means everyone).",
    )
    has_exit = fields.Boolean(
        string="Has exit criteria",
        compute="_compute_has_criteria",
        inverse="_inverse_has_exit",
        help="Off: nobody leaves on exit criteria (empty criteria never mean "
        "everyone).",
    )
    priority = fields.Integer(
        string="Pressure priority",
        default=10,
        help="The pressure priority of the journey's mailings.",
    )
    is_transactional = fields.Boolean(
        string="Transactional",
        copy=False,
        help="The journey's messages are counted by the pressure rules but never "
        "held back by a cap. Set by a pressure manager only.",
    )
    campaign_id = fields.Many2one(
        "utm.campaign",
        string="UTM campaign",
        help="The campaign of the journey's mailings: campaign-scoped pressure "
        "rules apply to them.",
    )
    last_entry_scan = fields.Datetime(
        string="Last entry scan", readonly=True, copy=False
    )
    launch_date = fields.Datetime(string="Launched on", readonly=True, copy=False)
    launched_by_id = fields.Many2one(
        "res.users",
        string="Launched by",
        readonly=True,
        copy=False,
        help="Server actions of the journey run as this user.",
    )
    step_ids = fields.One2many("campaign.journey.step", "journey_id", string="Steps")
    participant_ids = fields.One2many(
        "campaign.journey.participant", "journey_id", string="Participants"
    )
    participant_count = fields.Integer(compute="_compute_participant_counts")
    running_count = fields.Integer(
        string="In progress", compute="_compute_participant_counts"
    )
    completed_count = fields.Integer(
        string="Completed", compute="_compute_participant_counts"
    )
    goal_count = fields.Integer(
        string="Reached the goal", compute="_compute_participant_counts"
    )
    exited_count = fields.Integer(string="Left", compute="_compute_participant_counts")

    @api.depends("participant_ids.state")
    def _compute_participant_counts(self):
        data = {
            (journey.id, state): count
            for journey, state, count in self.env[
                "campaign.journey.participant"
            ]._read_group(
                [("journey_id", "in", self.ids), ("is_test", "=", False)],
                ["journey_id", "state"],
                ["__count"],
            )
        }
        for journey in self:
            counts = {
                state: data.get((journey.id, state), 0)
                for state in ("running", "completed", "goal", "exited")
            }
            journey.running_count = counts["running"]
            journey.completed_count = counts["completed"]
            journey.goal_count = counts["goal"]
            journey.exited_count = counts["exited"]
            journey.participant_count = sum(counts.values())

    @api.depends("goal_domain", "exit_domain")
    def _compute_has_criteria(self):
        for journey in self:
            journey.has_goal = not _is_empty_domain(journey.goal_domain)
            journey.has_exit = not _is_empty_domain(journey.exit_domain)

    def _inverse_has_goal(self):
        self.filtered(lambda j: not j.has_goal).goal_domain = False

    def _inverse_has_exit(self):
        self.filtered(lambda j: not j.has_exit).exit_domain = False

    # ------------------------------------------------------------------
    # Constraints: bad input gets a clear error
    # ------------------------------------------------------------------

    @api.constrains("model_id")
    def _check_model(self):
        for journey in self:
            if not journey.model_id.is_mail_thread or journey.model_id.transient:
                raise ValidationError(
                    self.env._(
                        "A journey runs on a model with a chatter (mail.thread): "
                        "%(model)s is not one.",
                        model=journey.model_id.name,
                    )
                )

    @api.constrains("domain", "exit_domain", "goal_domain", "model_id")
    def _check_domains(self):
        labels = {
            "domain": self.env._("entry domain"),
            "exit_domain": self.env._("exit criteria"),
            "goal_domain": self.env._("goal"),
        }
        for journey in self:
            for fname, label in labels.items():
                journey._journey_parse_domain(journey[fname], label)

    @api.constrains("entry_mode", "date_field", "model_id")
    def _check_date_field(self):
        for journey in self:
            if journey.entry_mode != "date":
                continue
            if not journey.date_field:
                raise ValidationError(
                    self.env._("A journey entered on a date needs its date field.")
                )
            field = self.env[journey.model_id.model]._fields.get(journey.date_field)
            if not field or field.type not in ("date", "datetime"):
                raise ValidationError(
                    self.env._(
                        "The field %(field)s is not a date or date-time field of "
                        "%(model)s.",
                        field=journey.date_field,
                        model=journey.model_id.name,
                    )
                )
            if not field.store:
                raise ValidationError(
                    self.env._(
                        "The field %(field)s is not stored: a journey cannot "
                        "wait for it.",
                        field=field.string,
                    )
                )

    @api.constrains("reentry", "reentry_days")
    def _check_reentry(self):
        for journey in self:
            if journey.reentry == "period" and journey.reentry_days < 1:
                raise ValidationError(
                    self.env._("The re-entry period must be at least one day.")
                )

    @api.constrains("reentry", "reentry_field", "reentry_year_start", "model_id")
    def _check_reentry_field(self):
        for journey in self:
            if journey.reentry == "academic_year" and not journey.reentry_year_start:
                raise ValidationError(
                    self.env._("Choose the month the academic year starts in.")
                )
            if journey.reentry != "field":
                continue
            field = self.env[journey.model_id.model]._fields.get(
                journey.reentry_field or ""
            )
            if not field or not field.store or field.type in REENTRY_REFUSED_TYPES:
                raise ValidationError(
                    self.env._(
                        "Re-entry once per value needs a stored field of %(model)s "
                        "with one value per record (not a list, a text or a "
                        "file): %(field)s is not one.",
                        model=journey.model_id.name,
                        field=journey.reentry_field or "-",
                    )
                )

    def _journey_period_key(self, now):
        """The academic year ``now`` falls in, as its first and last
        calendar years ("2026-2027")."""
        self.ensure_one()
        start = int(self.reentry_year_start or 9)
        year = now.year if now.month >= start else now.year - 1
        if start == 1:
            return str(year)
        return f"{year}-{year + 1}"

    def _journey_parse_domain(self, text, label=None):
        """The domain ``text`` as a list, checked against the journey's
        model; a clear ValidationError when it does not parse."""
        self.ensure_one()
        if not text:
            return []
        label = label or self.env._("domain")
        try:
            domain = safe_eval(text, {"context": {}, "uid": self.env.uid})
            if not isinstance(domain, list | tuple):
                raise ValueError(text)
            self.env[self.model_id.model].sudo()._search(list(domain))
        except Exception as error:  # noqa: BLE001 - any parse error is bad input
            raise ValidationError(
                self.env._(
                    "The %(label)s of the journey %(journey)s is not a valid "
                    "domain on %(model)s: %(error)s",
                    label=label,
                    journey=self.name,
                    model=self.model_id.name,
                    error=error,
                )
            ) from error
        return list(domain)

    # ------------------------------------------------------------------
    # CRUD: state and stamps are the transitions'; transactional is the
    # pressure manager's
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                if SYSTEM_FIELDS & set(vals):
                    self._journey_refuse_system()
        journeys = super().create(vals_list)
        if journeys.filtered("is_transactional"):
            journeys._journey_check_transactional_access()
        return journeys

    def write(self, vals):
        if not self.env.su and SYSTEM_FIELDS & set(vals):
            self._journey_refuse_system()
        if "is_transactional" in vals:
            self._journey_check_transactional_access()
        if "model_id" in vals and self.filtered(
            lambda j: j.model_id.id != vals["model_id"]
            and (j.step_ids or j.participant_ids)
        ):
            raise UserError(
                self.env._(
                    "The target model of a journey with steps or participants "
                    "cannot change."
                )
            )
        res = super().write(vals)
        if MAILING_FIELDS & set(vals):
            self.step_ids._journey_sync_mailing()
        return res

    def unlink(self):
        if self.filtered(lambda j: j.state == "running"):
            raise UserError(self.env._("Stop a running journey before deleting it."))
        mailings = self.step_ids.mailing_id
        res = super().unlink()
        mailings.sudo().unlink()
        return res

    @api.model
    def _journey_refuse_system(self):
        raise AccessError(
            self.env._(
                "The state of a journey and its launch stamps are set by its "
                "Launch and Stop buttons only."
            )
        )

    def _journey_check_transactional_access(self):
        self.env["campaign.pressure.engine"]._pressure_check_manager(
            self.env._(
                "Only a marketing pressure manager may mark a journey as "
                "transactional (exempt from the pressure caps) or unmark it."
            )
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_launch(self):
        """Start the journey: everyone matching enters now (launch mode);
        in event and date modes the watermark starts now."""
        self.check_access("write")
        for journey in self:
            if journey.state == "running":
                raise UserError(
                    self.env._("The journey %s is already running.", journey.name)
                )
            if not journey.step_ids.filtered(lambda s: not s.parent_id):
                raise UserError(
                    self.env._(
                        "The journey %s has no first step: add a step without "
                        "a parent.",
                        journey.name,
                    )
                )
            journey._journey_parse_domain(journey.domain)
        now = fields.Datetime.now()
        for journey in self:
            first_launch = not journey.launch_date
            journey.sudo().write(
                {
                    "state": "running",
                    "launch_date": journey.launch_date or now,
                    "launched_by_id": self.env.uid,
                    "last_entry_scan": journey.last_entry_scan or now,
                }
            )
            if journey.entry_mode == "launch" and first_launch:
                self.env["campaign.journey.runner"]._journey_enter(journey, now)
        self.env.ref("campaign_pressure.campaign_journey_cron_run")._trigger()
        return True

    def action_stop(self):
        """Stop the journey: every pending step is cancelled at once."""
        self.check_access("write")
        running = self.filtered(lambda j: j.state == "running")
        if not running:
            raise UserError(self.env._("Only a running journey can be stopped."))
        running.sudo().write({"state": "stopped"})
        self.env["campaign.journey.runner"]._journey_cancel_pending(
            running, self.env._("The journey was stopped.")
        )
        return True

    def action_view_participants(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "campaign_pressure.campaign_journey_participant_action"
        )
        action["domain"] = [("journey_id", "=", self.id)]
        action["context"] = {"search_default_filter_running": 1}
        return action

    def action_view_work_items(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "campaign_pressure.campaign_journey_participant_step_action"
        )
        action["domain"] = [("journey_id", "=", self.id)]
        return action

    def action_open_test(self):
        self.ensure_one()
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Test the journey"),
            "res_model": "campaign.journey.test",
            "view_mode": "form",
            "target": "new",
            "context": {"default_journey_id": self.id},
        }
