from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmStage(models.Model):
    _inherit = "crm.stage"

    edu_probability = fields.Float(
        string="Admission Probability (%)",
        aggregator=False,
        help="Share of the applications in this stage that the institution "
        "expects to enrol. Applications of admissions teams take it as their "
        "probability instead of CRM's predictive lead scoring (a won stage "
        "counts 100 %).",
    )
    edu_is_enrolment = fields.Boolean(
        string="Enrolment Stage",
        help="Applications reach this stage only by being enrolled (Enrol "
        "button) and stay in it while they have an enrolment. A won stage.",
    )

    _sql_constraints = [
        (
            "edu_probability_range",
            "CHECK(edu_probability >= 0 AND edu_probability <= 100)",
            "The admission probability of a stage is between 0 and 100 %.",
        ),
    ]

    @api.constrains("edu_is_enrolment", "is_won")
    def _check_edu_enrolment_won(self):
        for stage in self:
            if stage.edu_is_enrolment and not stage.is_won:
                raise ValidationError(
                    self.env._(
                        "The enrolment stage %s must be a won stage: enrolled "
                        "applications are won.",
                        stage.name,
                    )
                )

    def _edu_lead_probability(self):
        """Probability (%) of an admissions application in the stage ``self``."""
        self.ensure_one()
        return 100.0 if self.is_won else self.edu_probability
