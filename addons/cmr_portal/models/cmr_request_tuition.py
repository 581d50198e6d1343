from typing import NamedTuple

from markupsafe import Markup
from odoo import api, models
from odoo.addons.edu_crm.models.edu_tuition_contract_schedule import (
    DEFERRABLE_STATES,
)
from odoo.exceptions import UserError, ValidationError

from .cmr_request import BURSAR_GROUP

MAX_RESCHEDULE_COUNT = 24
MAX_DEFERRAL_DAYS = 366
TUITION_TYPES = ("deferral", "reschedule")


class ScheduleChangeOptions(NamedTuple):
    """What a person may ask about one tuition contract: the instalments a
    deferral may move, and whether a new schedule can replace the
    instalments not invoiced yet."""

    deferrable: models.BaseModel  # edu.tuition.instalment
    reschedule: bool


class CmrRequestTuition(models.Model):
    """Requests about tuition: a deferral of an instalment or a new
    schedule, checked against the contract and approved by a bursar through
    the services of edu_crm (``_edu_defer``, ``_edu_reschedule``)."""

    _inherit = "cmr.request"

    @api.constrains(
        "request_type",
        "contract_id",
        "instalment_id",
        "requested_date",
        "requested_count",
    )
    def _check_tuition_request(self):
        for request in self.filtered(lambda r: r.request_type in TUITION_TYPES):
            options = request._cmr_check_tuition_contract()
            if not request.requested_date:
                raise ValidationError(self.env._("Give the date you ask for."))
            if request.request_type == "deferral":
                request._cmr_check_deferral(options)
            else:
                request._cmr_check_reschedule(options)
            if not request.description or not request.description.strip():
                raise ValidationError(self.env._("Tell us the reason of your request."))

    def _cmr_check_tuition_contract(self):
        """The contract of the tuition request ``self`` is the person's own,
        active, with instalments that can still move: its options."""
        self.ensure_one()
        if not self.contract_id or self.contract_id.student_id != self.partner_id:
            raise ValidationError(self.env._("Choose one of your tuition contracts."))
        contract = self.contract_id
        if contract.state != "active":
            states = dict(contract._fields["state"]._description_selection(self.env))
            raise ValidationError(
                self.env._(
                    "Contract %(contract)s is %(state)s: only the schedule of "
                    "an active contract can change.",
                    contract=contract.name,
                    state=states[contract.state].lower(),
                )
            )
        options = self._cmr_schedule_change_options(contract).get(contract)
        if not options:
            raise ValidationError(
                self.env._(
                    "Every instalment of contract %(contract)s is paid or "
                    "cancelled: there is nothing to defer or reschedule.",
                    contract=contract.name,
                )
            )
        return options

    def _cmr_check_deferral(self, options):
        """The deferral ``self`` moves one of the deferrable instalments of
        its contract (``options``) to a later date, within the limit."""
        self.ensure_one()
        instalment = self.instalment_id
        if not instalment or instalment.contract_id != self.contract_id:
            raise ValidationError(self.env._("Choose the instalment to defer."))
        if instalment not in options.deferrable:
            raise ValidationError(
                self.env._(
                    "This instalment is paid or cancelled and cannot be deferred."
                )
            )
        delay = (self.requested_date - instalment.due_date).days
        if not 0 < delay <= MAX_DEFERRAL_DAYS:
            raise ValidationError(
                self.env._(
                    "The new date must be after the current due date "
                    "and at most %(days)s days later.",
                    days=MAX_DEFERRAL_DAYS,
                )
            )

    def _cmr_check_reschedule(self, options):
        """The new schedule ``self`` asks for a sensible count of instalments
        on a contract with instalments not invoiced yet (``options``)."""
        self.ensure_one()
        if not 1 <= self.requested_count <= MAX_RESCHEDULE_COUNT:
            raise ValidationError(
                self.env._(
                    "A new schedule has from 1 to %(max)s instalments.",
                    max=MAX_RESCHEDULE_COUNT,
                )
            )
        if not options.reschedule:
            raise ValidationError(
                self.env._("Every instalment of this contract is already invoiced.")
            )

    def action_approve(self):
        """Approve a deferral or reschedule: the schedule of the contract is
        regenerated (bursar only)."""
        self._cmr_check_transition(BURSAR_GROUP, ("new", "in_progress"))
        for request in self:
            if request.request_type not in TUITION_TYPES:
                raise UserError(
                    self.env._(
                        "Request %(name)s is not a schedule change.", name=request.name
                    )
                )
            request._check_tuition_request()
            request._cmr_regenerate_schedule()
            request.sudo().write({"state": "done", "user_id": self.env.uid})
            request._cmr_notify(
                self.env._(
                    "Your request %(name)s was approved: the new schedule "
                    "of %(contract)s is in your portal.",
                    name=request.name,
                    contract=request.contract_id.name,
                )
            )
        return True

    def _cmr_regenerate_schedule(self):
        """Apply the approved schedule through edu_crm's services: a deferral
        moves the chosen instalment and the later unpaid ones (with their open
        invoices); a reschedule replaces the instalments not invoiced yet."""
        self.ensure_one()
        contract = self.contract_id
        if self.request_type == "deferral":
            contract._edu_defer(self.instalment_id, self.requested_date)
        else:
            contract._edu_reschedule(self.requested_date, self.requested_count)
        contract.message_post(
            body=Markup("<p>%s</p>")
            % self.env._(
                "Schedule changed by the approved request %(name)s.", name=self.name
            )
        )

    @api.model
    def _cmr_schedule_change_options(self, contracts):
        """``{contract: ScheduleChangeOptions}`` for those of ``contracts``
        on which a deferral or a new schedule can be granted: an active
        contract with instalments that can still move (not paid, not
        cancelled). The one rule for both sides: the portal offers the
        request form for these contracts only, _check_tuition_request
        refuses the others, at creation and again at approval."""
        options = {}
        for contract in contracts.filtered(lambda c: c.state == "active"):
            deferrable = contract.instalment_ids.filtered(
                lambda i: i.payment_state in DEFERRABLE_STATES
            ).sorted(lambda i: (i.sequence, i.id))
            if deferrable:
                options[contract] = ScheduleChangeOptions(
                    deferrable,
                    any(i.payment_state == "to_invoice" for i in deferrable),
                )
        return options
