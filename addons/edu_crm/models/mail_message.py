from odoo import api, fields, models
from odoo.exceptions import AccessError

# how a call ended, as the call log records it (also read by the timeline)
CALL_OUTCOMES = [
    ("reached", "Reached"),
    ("no_answer", "No answer"),
    ("voicemail", "Left a voicemail"),
    ("busy", "Busy"),
    ("callback", "Call back later"),
    ("wrong_number", "Wrong number"),
    ("do_not_contact", "Asked not to be called"),
]
CALL_DIRECTIONS = [("out", "Outgoing"), ("in", "Incoming")]
# the fields the call log stamps on the message of a done call
CALL_FIELDS = frozenset({"edu_call_direction", "edu_call_duration", "edu_call_outcome"})


class MailMessage(models.Model):
    """A logged call is the message Odoo posts when a Call activity is
    marked done (``mail.activity.action_feedback``); the call log
    (``edu.call.log``) stamps its direction, duration and outcome on it.
    Only the call log sets them (as the server): a user who may edit a
    message cannot rewrite what a call was."""

    _inherit = "mail.message"

    edu_call_direction = fields.Selection(
        CALL_DIRECTIONS,
        string="Call Direction",
        readonly=True,
        groups="base.group_user",
    )
    edu_call_duration = fields.Float(
        string="Call Duration",
        readonly=True,
        groups="base.group_user",
        help="In hours, as Odoo's durations.",
    )
    edu_call_outcome = fields.Selection(
        CALL_OUTCOMES, string="Call Outcome", readonly=True, groups="base.group_user"
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(CALL_FIELDS & vals.keys() for vals in vals_list):
            raise AccessError(self.env._("Only the call log records a call's outcome."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and CALL_FIELDS & vals.keys():
            raise AccessError(self.env._("Only the call log records a call's outcome."))
        return super().write(vals)
