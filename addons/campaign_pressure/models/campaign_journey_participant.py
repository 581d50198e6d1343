from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL
from odoo.tools.sql import create_index, index_exists

ITEM_STATES = [
    ("scheduled", "Scheduled"),
    ("sending", "Sending"),
    ("done", "Done"),
    ("held", "Held by pressure"),
    ("skipped", "Skipped"),
    ("expired", "Expired"),
    ("rejected", "Rejected by the filter"),
    ("cancelled", "Cancelled"),
]


class CampaignJourneyRunnerOwned(models.AbstractModel):
    """Records only the journey's runner writes (as superuser): participants
    and their work items. Users read them; any create or write by a user is
    refused, whatever their access rights say."""

    _name = "campaign.journey.runner.owned"
    _description = "Written by the journey runner only"

    @api.model_create_multi
    def create(self, vals_list):
        self._journey_check_runner()
        return super().create(vals_list)

    def write(self, vals):
        self._journey_check_runner()
        return super().write(vals)

    def _journey_check_runner(self):
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "Participants and their steps are written by the journey's "
                    "runner only."
                )
            )


class CampaignJourneyParticipant(models.Model):
    """A person's passage through a journey: one running participant per
    person (``person_key``) and journey, guaranteed by a partial unique
    index that the entry statement meets with ``ON CONFLICT DO NOTHING``.

    Written by the runner only (server side); the access rights give
    marketing users read access: nobody moves a participant to its goal or
    out of the journey by hand."""

    _name = "campaign.journey.participant"
    _inherit = ["campaign.journey.runner.owned"]
    _description = "Journey Participant"
    _order = "entered_date desc, id desc"

    journey_id = fields.Many2one(
        "campaign.journey", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    res_model = fields.Char(string="Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", required=True, readonly=True
    )
    person_key = fields.Char(required=True, readonly=True, index=True)
    partner_id = fields.Many2one("res.partner", readonly=True, index="btree_not_null")
    email = fields.Char(readonly=True)
    state = fields.Selection(
        [
            ("running", "In progress"),
            ("completed", "Completed"),
            ("goal", "Reached the goal"),
            ("exited", "Left"),
        ],
        default="running",
        required=True,
        readonly=True,
        index=True,
    )
    is_test = fields.Boolean(string="Test", readonly=True)
    period_key = fields.Char(
        string="Entry period",
        readonly=True,
        help="With re-entry once per field value or academic year: the value or "
        "the year the person entered for (once each).",
    )
    entered_date = fields.Datetime(
        string="Entered on", required=True, readonly=True, default=fields.Datetime.now
    )
    left_date = fields.Datetime(string="Left on", readonly=True)
    record_name = fields.Char(string="Record", compute="_compute_record_name")
    item_ids = fields.One2many(
        "campaign.journey.participant.step", "participant_id", string="Path"
    )

    def init(self):
        # one running participant per person and journey: the entry
        # statement's ON CONFLICT DO NOTHING meets it under concurrency
        if not index_exists(self.env.cr, "campaign_journey_participant_running_key"):
            self.env.cr.execute(
                SQL(
                    "CREATE UNIQUE INDEX campaign_journey_participant_running_key"
                    " ON campaign_journey_participant (journey_id, person_key)"
                    " WHERE state = 'running' AND NOT is_test"
                )
            )

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        for model in set(self.mapped("res_model")):
            group = self.filtered(lambda p, m=model: p.res_model == m)
            if model not in self.env:
                group.record_name = False
                continue
            records = self.env[model].sudo().browse(group.mapped("res_id")).exists()
            names = dict(zip(records.ids, records.mapped("display_name"), strict=True))
            for participant in group:
                participant.record_name = names.get(participant.res_id) or False

    @api.depends("record_name", "journey_id")
    def _compute_display_name(self):
        for participant in self:
            participant.display_name = (
                f"{participant.journey_id.name} / "
                f"{participant.record_name or participant.person_key}"
            )

    def action_open_record(self):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }


class CampaignJourneyParticipantStep(models.Model):
    """A work item: one step to run for one participant at a planned date.

    The runner claims due items with ``SELECT ... FOR UPDATE SKIP LOCKED``
    and moves them out of ``scheduled`` in the same transaction, so that two
    cron workers never run the same item. ``sending``: an email or SMS batch
    in progress (Odoo's composer commits per batch of mails, which releases
    the row locks; the state keeps other workers off)."""

    _name = "campaign.journey.participant.step"
    _inherit = ["campaign.journey.runner.owned"]
    _description = "Journey Work Item"
    _order = "scheduled_date desc, id desc"
    _rec_name = "step_id"

    participant_id = fields.Many2one(
        "campaign.journey.participant",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    step_id = fields.Many2one(
        "campaign.journey.step",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    journey_id = fields.Many2one(
        "campaign.journey", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    kind = fields.Selection(related="step_id.kind", store=True)
    parent_item_id = fields.Many2one(
        "campaign.journey.participant.step",
        string="After",
        ondelete="set null",
        index="btree_not_null",
        readonly=True,
    )
    res_model = fields.Char(related="participant_id.res_model")
    res_id = fields.Many2oneReference(
        related="participant_id.res_id", model_field="res_model"
    )
    partner_id = fields.Many2one(related="participant_id.partner_id")
    is_test = fields.Boolean(string="Test", readonly=True)
    is_fallback = fields.Boolean(
        string="Fallback",
        readonly=True,
        help="Run because a step was held by pressure (a fallback or a retry): "
        "its trigger is not checked again.",
    )
    state = fields.Selection(
        ITEM_STATES, default="scheduled", required=True, readonly=True
    )
    scheduled_date = fields.Datetime(string="Planned for", required=True, readonly=True)
    first_date = fields.Datetime(
        string="First planned for",
        readonly=True,
        help="The first attempt's planned date (retries after a hold).",
    )
    run_date = fields.Datetime(string="Ran on", readonly=True)
    trace_id = fields.Many2one(
        "mailing.trace",
        string="Trace",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
    )
    trace_status = fields.Selection(
        related="trace_id.trace_status", string="Trace status"
    )
    activity_id = fields.Many2one(
        "mail.activity", string="Task", readonly=True, ondelete="set null"
    )
    activity_done_date = fields.Datetime(string="Task done on", readonly=True)
    reason = fields.Char(readonly=True)

    def init(self):
        # the runner's claim: due items in planned order
        create_index(
            self.env.cr,
            "campaign_journey_participant_step_due",
            self._table,
            ["scheduled_date", "id"],
            where="state = 'scheduled'",
        )
