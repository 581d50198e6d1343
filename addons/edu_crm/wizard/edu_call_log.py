from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.edu_workflow_mixin import EDU_USER, check_edu_group
from ..models.mail_message import CALL_DIRECTIONS, CALL_OUTCOMES

# the longest call the log accepts, in hours
MAX_DURATION = 12


class EduCallLog(models.TransientModel):
    """Log a call in two clicks from the person or their application.

    It reuses Odoo's activities: a Call activity (``mail.activity.type`` of
    category ``phonecall``) is scheduled on the record and marked done at
    once with the note as feedback (``action_feedback``), so the call is the
    message Odoo posts in the chatter, on the timeline with its outcome, and
    anything that reacts to done calls (the pressure engine's confirmed
    contact and cool-down) reacts to it too. OCA's ``crm_phonecall`` would
    add a second store of calls beside the activities, and no package can be
    added to this deployment."""

    _name = "edu.call.log"
    _description = "Log a Call"

    lead_id = fields.Many2one("crm.lead", string="Application")
    partner_id = fields.Many2one(
        "res.partner",
        string="Person",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
    )
    direction = fields.Selection(CALL_DIRECTIONS, default="out")
    duration = fields.Float(help="How long the call lasted (hours:minutes).")
    outcome = fields.Selection(CALL_OUTCOMES)
    note = fields.Text()

    @api.depends("lead_id")
    def _compute_partner_id(self):
        for wizard in self:
            if wizard.lead_id.partner_id:
                wizard.partner_id = wizard.lead_id.partner_id

    def action_log(self):
        """Record the call as a done Call activity of the lead (else the
        person), with its direction, duration and outcome."""
        self.ensure_one()
        check_edu_group(self.env, EDU_USER)
        record = self._edu_check()
        directions = dict(self._fields["direction"]._description_selection(self.env))
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        activity = record.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=fields.Date.context_today(self),
            summary=f"{directions[self.direction]} · {outcomes[self.outcome]}",
            user_id=self.env.uid,
        )
        message = self.env["mail.message"].browse(
            activity.action_feedback(feedback=self.note or False)
        )
        message.sudo().write(
            {
                "edu_call_direction": self.direction,
                "edu_call_duration": self.duration,
                "edu_call_outcome": self.outcome,
            }
        )
        return {"type": "ir.actions.act_window_close"}

    def _edu_check(self):
        """The record the call is logged on, or a clear message."""
        _ = self.env._
        if not self.outcome:
            raise UserError(_("Choose how the call ended."))
        if not self.direction:
            raise UserError(_("Say whether the call was incoming or outgoing."))
        if not 0 <= self.duration <= MAX_DURATION:
            raise UserError(
                _("A call lasts between 0 and %(hours)s hours.", hours=MAX_DURATION)
            )
        record = self.lead_id or self.partner_id
        if not record:
            raise UserError(_("Choose the person or the application called."))
        return record
