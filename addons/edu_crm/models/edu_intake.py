from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .edu_workflow_mixin import EDU_MANAGER, check_edu_group

SEAT_STATES = ("admitted", "enrolled", "on_leave", "graduated")
# state -> states it may move to (Open, Close and Reset to Draft buttons)
TRANSITIONS = {
    "draft": ("open",),
    "open": ("closed", "draft"),
    "closed": ("draft",),
}


class EduIntake(models.Model):
    _name = "edu.intake"
    _description = "Programme Intake"
    _inherit = ["mail.thread", "edu.workflow.mixin"]
    _order = "date_start desc, id desc"

    programme_id = fields.Many2one(
        "edu.programme", required=True, index=True, ondelete="cascade", tracking=True
    )
    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True)
    date_start = fields.Date(string="Start Date", required=True, tracking=True)
    date_end = fields.Date(string="End Date", required=True, tracking=True)
    seats = fields.Integer(
        compute="_compute_seats",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Seats offered. Defaults to the programme's capacity.",
    )
    seats_taken = fields.Integer(
        compute="_compute_seats_taken",
        store=True,
        help="Admitted, enrolled, on leave and graduated students of this intake.",
    )
    seats_available = fields.Integer(compute="_compute_seats_taken", store=True)
    state = fields.Selection(
        [("draft", "Draft"), ("open", "Open"), ("closed", "Closed")],
        default="draft",
        required=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        related="programme_id.company_id", store=True, index=True, precompute=True
    )
    enrollment_ids = fields.One2many("edu.enrollment", "intake_id", string="Enrolments")

    @api.depends("programme_id")
    def _compute_seats(self):
        for intake in self:
            if not intake.seats and intake.programme_id:
                intake.seats = intake.programme_id.capacity

    @api.depends("seats", "enrollment_ids.state")
    def _compute_seats_taken(self):
        taken = self._edu_seats_taken()
        for intake in self:
            intake.seats_taken = taken.get(intake._origin, 0)
            intake.seats_available = intake.seats - intake.seats_taken

    @api.depends("programme_id", "name")
    def _compute_display_name(self):
        for intake in self:
            intake.display_name = (
                f"{intake.programme_id.code} – {intake.name}"
                if intake.programme_id.code
                else intake.name
            )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for intake in self:
            if intake.date_end < intake.date_start:
                raise ValidationError(
                    self.env._(
                        "The intake %(intake)s cannot end (%(end)s) before it "
                        "starts (%(start)s).",
                        intake=intake.display_name,
                        end=intake.date_end,
                        start=intake.date_start,
                    )
                )

    @api.constrains("seats")
    def _check_seats(self):
        for intake in self:
            if intake.seats < 0:
                raise ValidationError(
                    self.env._(
                        "The number of seats of intake %s cannot be negative.",
                        intake.display_name,
                    )
                )

    def _edu_system_fields_refusal(self, fnames, creating):
        if creating:
            return self.env._(
                "A new intake starts as a draft; open it with its Open button."
            )
        return self.env._(
            "The status of an intake only changes through its Open, Close and "
            "Reset to Draft buttons."
        )

    def action_open(self):
        return self._edu_set_state("open")

    def action_close(self):
        return self._edu_set_state("closed")

    def action_draft(self):
        return self._edu_set_state("draft")

    def _edu_set_state(self, new_state):
        """Open, close or reset intakes: an Education Manager's decision."""
        check_edu_group(self.env, EDU_MANAGER)
        labels = dict(self._fields["state"]._description_selection(self.env))
        for intake in self:
            if new_state not in TRANSITIONS[intake.state]:
                raise UserError(
                    self.env._(
                        "The intake %(intake)s cannot go from %(old)s to %(new)s.",
                        intake=intake.display_name,
                        old=labels[intake.state],
                        new=labels[new_state],
                    )
                )
        self._edu_workflow_write({"state": new_state})
        return True

    def _edu_lock(self):
        """Lock the intake rows so that concurrent enrolments count seats one
        after another."""
        if self.ids:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM edu_intake WHERE id = ANY(%s) FOR UPDATE",
                    list(self.ids),
                )
            )

    def _edu_seats_taken(self):
        """``{intake: students}``: the seats of the intakes ``self`` taken by
        admitted, enrolled, on leave and graduated students (counted in the
        database, whoever may read them)."""
        return dict(
            self.env["edu.enrollment"]
            .sudo()
            ._read_group(
                [("intake_id", "in", self.ids), ("state", "in", SEAT_STATES)],
                ["intake_id"],
                ["__count"],
            )
        )

    def _edu_check_seats(self):
        """Raise if any intake of ``self`` has more students than seats."""
        self.flush_model(["seats"])
        taken = self._edu_seats_taken()
        for intake in self:
            if taken.get(intake, 0) > intake.seats:
                raise ValidationError(
                    self.env._(
                        "The intake %(intake)s is full: %(seats)s seats, "
                        "%(taken)s students.",
                        intake=intake.display_name,
                        seats=intake.seats,
                        taken=taken.get(intake, 0),
                    )
                )
