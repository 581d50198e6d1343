from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .edu_workflow_mixin import EDU_USER, check_edu_group

# state -> states it may move to
TRANSITIONS = {
    "applied": ("admitted", "withdrawn"),
    "admitted": ("enrolled", "withdrawn"),
    "enrolled": ("on_leave", "graduated", "withdrawn", "expelled"),
    "on_leave": ("enrolled", "withdrawn", "expelled"),
    "graduated": (),
    "withdrawn": (),
    "expelled": (),
}
# state -> date field stamped when entering it
STATE_DATES = {
    "applied": "date_applied",
    "admitted": "date_admitted",
    "enrolled": "date_enrolled",
    "on_leave": "date_leave",
    "graduated": "date_graduated",
    "withdrawn": "date_end",
    "expelled": "date_end",
}
REASON_STATES = ("on_leave", "withdrawn", "expelled")
# Student, programme and intake are the application's: fixed once admitted.
EDITABLE_STATES = ("applied", "admitted")
LOCKED_AFTER_ADMISSION = frozenset({"partner_id", "programme_id", "intake_id"})


class EduEnrollment(models.Model):
    _name = "edu.enrollment"
    _description = "Enrolment"
    _inherit = ["mail.thread", "mail.activity.mixin", "edu.workflow.mixin"]
    _order = "date_applied desc, id desc"

    # set by the transitions (and the enrolment of won applications) only
    _edu_system_fields = frozenset(
        {"state", "lead_id", "reason", *STATE_DATES.values()} - {"date_applied"}
    )

    name = fields.Char(compute="_compute_name", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Student",
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
    )
    programme_id = fields.Many2one(
        "edu.programme",
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
        check_company=True,
    )
    intake_id = fields.Many2one(
        "edu.intake",
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
        check_company=True,
        domain="[('programme_id', '=', programme_id)]",
    )
    state = fields.Selection(
        [
            ("applied", "Applied"),
            ("admitted", "Admitted"),
            ("enrolled", "Enrolled"),
            ("on_leave", "On Leave"),
            ("graduated", "Graduated"),
            ("withdrawn", "Withdrawn"),
            ("expelled", "Expelled"),
        ],
        default="applied",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
        group_expand="_group_expand_states",
    )
    lead_id = fields.Many2one(
        "crm.lead",
        string="Application",
        index="btree_not_null",
        copy=False,
        groups=EDU_USER,
    )
    sponsor_id = fields.Many2one(
        "res.partner",
        string="Sponsor",
        tracking=True,
        domain=[("edu_is_sponsor", "=", True)],
    )
    funding = fields.Selection(
        [
            ("self_paid", "Self-paid"),
            ("sponsored", "Sponsored"),
            ("state_funded", "State-funded"),
        ],
        default="self_paid",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    student_number = fields.Char(
        related="partner_id.edu_student_number", string="Student Number"
    )
    date_applied = fields.Date(
        string="Applied On", default=fields.Date.context_today, copy=False
    )
    date_admitted = fields.Date(string="Admitted On", copy=False, tracking=True)
    date_enrolled = fields.Date(string="Enrolled On", copy=False, tracking=True)
    date_leave = fields.Date(string="On Leave Since", copy=False, tracking=True)
    date_graduated = fields.Date(string="Graduated On", copy=False, tracking=True)
    date_end = fields.Date(string="Left On", copy=False, tracking=True)
    reason = fields.Text(
        copy=False,
        tracking=True,
        groups=EDU_USER,
        help="Why the student went on leave, withdrew or was expelled.",
    )

    _sql_constraints = [
        (
            "lead_uniq",
            "unique(lead_id)",
            "An application can only be enrolled once.",
        ),
    ]

    @api.depends("partner_id", "programme_id", "intake_id")
    def _compute_name(self):
        for enrollment in self:
            enrollment.name = " / ".join(
                n
                for n in (
                    enrollment.partner_id.name,
                    enrollment.programme_id.code,
                    enrollment.intake_id.name,
                )
                if n
            )

    @api.depends("programme_id")
    def _compute_company_id(self):
        for enrollment in self:
            enrollment.company_id = (
                enrollment.programme_id.company_id
                or enrollment.company_id
                or self.env.company
            )

    @api.model
    def _group_expand_states(self, states, domain):
        return [key for key, _label in self._fields["state"].selection]

    @api.constrains("intake_id", "programme_id")
    def _check_intake_programme(self):
        for enrollment in self:
            if enrollment.intake_id.programme_id != enrollment.programme_id:
                raise ValidationError(
                    self.env._(
                        "The intake %(intake)s does not belong to the programme "
                        "%(programme)s.",
                        intake=enrollment.intake_id.display_name,
                        programme=enrollment.programme_id.display_name,
                    )
                )

    @api.constrains("intake_id", "state")
    def _check_intake_seats(self):
        self.intake_id._edu_check_seats()

    @api.onchange("intake_id")
    def _onchange_intake_id(self):
        if self.intake_id:
            self.programme_id = self.intake_id.programme_id

    @api.onchange("programme_id")
    def _onchange_programme_id(self):
        if self.intake_id and self.intake_id.programme_id != self.programme_id:
            self.intake_id = False

    @api.onchange("sponsor_id")
    def _onchange_sponsor_id(self):
        if self.sponsor_id:
            self.funding = "sponsored"

    @api.model_create_multi
    def create(self, vals_list):
        states = {vals.get("state", "applied") for vals in vals_list}
        if not states <= {"applied", "admitted", "enrolled"}:
            raise UserError(
                self.env._("A new enrolment starts as applied, admitted or enrolled.")
            )
        for vals in vals_list:
            state = vals.get("state", "applied")
            date_field = STATE_DATES.get(state)
            if date_field and not vals.get(date_field):
                vals[date_field] = fields.Date.context_today(self)
        intake_ids = {vals["intake_id"] for vals in vals_list if vals.get("intake_id")}
        self.env["edu.intake"].browse(intake_ids)._edu_lock()
        enrollments = super().create(vals_list)
        if states & {"enrolled", "admitted"}:
            partners = enrollments.filtered(
                lambda e: e.state in ("admitted", "enrolled")
            ).partner_id
            partners._edu_mark_students()
        return enrollments

    def write(self, vals):
        if "state" in vals:
            self.filtered(lambda e: e.state != vals["state"])._edu_check_transition(
                vals["state"]
            )
        if not self.env.su and vals.keys() & LOCKED_AFTER_ADMISSION:
            self._edu_check_editable()
        if vals.get("intake_id"):
            self.env["edu.intake"].browse(vals["intake_id"])._edu_lock()
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions (buttons)
    # ------------------------------------------------------------------
    def _edu_system_fields_refusal(self, fnames, creating):
        if creating:
            return self.env._(
                "A new enrolment starts as applied; admit and enrol it with the "
                "buttons of the enrolment."
            )
        return self.env._(
            "The status of an enrolment, its dates and reason only change through "
            "the buttons of the enrolment (Admit, Enrol, Leave, Withdraw, ...)."
        )

    def action_admit(self):
        return self._edu_set_state("admitted")

    def action_enrol(self):
        return self._edu_set_state("enrolled")

    def action_return_from_leave(self):
        return self._edu_set_state("enrolled")

    def action_graduate(self):
        return self._edu_set_state("graduated")

    def action_leave(self):
        return self._edu_open_reason_wizard("on_leave")

    def action_withdraw(self):
        return self._edu_open_reason_wizard("withdrawn")

    def action_expel(self):
        return self._edu_open_reason_wizard("expelled")

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _edu_open_reason_wizard(self, state):
        check_edu_group(self.env, EDU_USER)
        self.check_access("write")
        self._edu_check_transition(state)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reason"),
            "res_model": "edu.enrollment.reason.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_enrollment_ids": self.ids,
                "default_target_state": state,
            },
        }

    def _edu_check_editable(self):
        locked = self.filtered(lambda e: e.state not in EDITABLE_STATES)
        if locked:
            raise UserError(
                self.env._(
                    "The student, programme and intake of %(names)s are fixed once "
                    "enrolled.",
                    names=", ".join(locked.mapped("display_name")),
                )
            )

    def _edu_check_transition(self, new_state):
        labels = dict(self._fields["state"]._description_selection(self.env))
        if new_state not in labels:
            raise UserError(self.env._("Unknown enrolment state: %s", new_state))
        for enrollment in self:
            if new_state not in TRANSITIONS[enrollment.state]:
                raise UserError(
                    self.env._(
                        "The enrolment %(name)s cannot go from %(old)s to %(new)s.",
                        name=enrollment.name,
                        old=labels[enrollment.state],
                        new=labels[new_state],
                    )
                )

    def _edu_set_state(self, new_state, reason=None, date=None):
        """Move ``self`` to ``new_state`` if the state machine allows it,
        stamping the date of the new state (``date``, default today: a
        transition recorded after the fact keeps the day it happened) and
        keeping the reason. For Education Users (and the superuser)."""
        check_edu_group(self.env, EDU_USER)
        self._edu_check_transition(new_state)
        if new_state in REASON_STATES and not (reason and reason.strip()):
            raise UserError(self.env._("Please give a reason."))
        vals = {"state": new_state}
        date_field = STATE_DATES[new_state]
        vals[date_field] = date or fields.Date.context_today(self)
        if reason:
            vals["reason"] = reason.strip()
        self._edu_workflow_write(vals)
        if new_state in ("admitted", "enrolled"):
            self.partner_id._edu_mark_students()
        elif new_state == "graduated":
            self.partner_id.sudo().write({"edu_is_alumnus": True})
        return True

    def _edu_handover_tuition(self):
        """Called on the new enrolments after enrolling from won leads."""
        return None
