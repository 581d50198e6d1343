from odoo import api, fields, models


class EduIntake(models.Model):
    """Online applications for an intake: until its deadline, while it is
    open and has seats left."""

    _inherit = "edu.intake"

    application_deadline = fields.Date(
        tracking=True,
        help="Last day of online applications (by default the day before the "
        "intake starts).",
    )

    @api.model
    def _edu_open_for_application_domain(self, today):
        """Intakes open for application on ``today`` (one domain for the
        catalogue and the check of a submitted application)."""
        return [
            ("state", "=", "open"),
            ("date_start", ">", today),
            "|",
            ("application_deadline", "=", False),
            ("application_deadline", ">=", today),
        ]

    @api.model
    def _edu_catalogue_domain(self):
        """The intakes of the public catalogue today: open for application,
        of the company the page is served for (``env.company``: the
        website's with Odoo's ``website``, else the visitor's). One rule for
        ``/programmes``, the application form and the programmes of the
        enquiry form (``crm.lead._edu_enquiry_programmes``)."""
        return [
            ("company_id", "=", self.env.company.id),
            *self._edu_open_for_application_domain(fields.Date.context_today(self)),
        ]

    def _edu_application_refusal(self, today):
        """Why the intake ``self`` takes no application on ``today``, or None."""
        self.ensure_one()
        if not self.filtered_domain(self._edu_open_for_application_domain(today)):
            return self.env._(
                "Applications for %s are closed: choose another intake.",
                self.display_name,
            )
        if self.seats_available <= 0:
            return self.env._(
                "The intake %s is full: choose another intake.", self.display_name
            )
        return None
