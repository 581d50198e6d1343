from odoo import api, fields, models
from odoo.exceptions import ValidationError


class EventEvent(models.Model):
    """An event about a programme or one of its intakes (an open day): the
    leads its registrations make (``event.lead.rule``) are admissions leads
    for that programme and intake."""

    _inherit = "event.event"

    edu_programme_id = fields.Many2one(
        "edu.programme",
        string="Programme",
        compute="_compute_edu_programme_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        check_company=True,
        groups="edu_crm.group_edu_user",
        help="The programme the event presents: the leads of its registrations "
        "are admissions leads for it.",
    )
    edu_intake_id = fields.Many2one(
        "edu.intake",
        string="Intake",
        index="btree_not_null",
        check_company=True,
        groups="edu_crm.group_edu_user",
        domain="[('programme_id', '=?', edu_programme_id), ('state', '=', 'open')]",
        help="The intake the event recruits for: the leads of its registrations "
        "are admissions leads for it.",
    )

    @api.depends("edu_intake_id")
    def _compute_edu_programme_id(self):
        for event in self.filtered("edu_intake_id"):
            event.edu_programme_id = event.edu_intake_id.programme_id

    @api.constrains("edu_programme_id", "edu_intake_id")
    def _check_edu_intake_programme(self):
        for event in self.sudo():
            intake = event.edu_intake_id
            if intake and intake.programme_id != event.edu_programme_id:
                raise ValidationError(
                    self.env._(
                        "The intake %(intake)s does not belong to the programme "
                        "%(programme)s.",
                        intake=intake.display_name,
                        programme=event.edu_programme_id.display_name or "-",
                    )
                )
