from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    edu_tuition_grace_days = fields.Integer(
        string="Tuition Grace (days)",
        default=14,
        help="A tuition contract activated after some of its due dates gives "
        "those instalments this many days from the activation.",
    )

    _sql_constraints = [
        (
            "edu_tuition_grace_days_positive",
            "CHECK(edu_tuition_grace_days >= 0)",
            "The tuition grace period cannot be negative.",
        ),
    ]


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    edu_tuition_grace_days = fields.Integer(
        related="company_id.edu_tuition_grace_days", readonly=False
    )

    edu_tuition_invoice_mode = fields.Selection(
        [
            ("cron", "Daily, some days before each due date"),
            ("activation", "All instalments when the contract is activated"),
        ],
        string="Invoice Tuition",
        default="cron",
        config_parameter="edu_crm.tuition_invoice_mode",
    )
    edu_tuition_invoice_days_before = fields.Integer(
        string="Days Before Due Date",
        default=14,
        config_parameter="edu_crm.tuition_invoice_days_before",
    )
    edu_forecast_default_probability = fields.Float(
        string="On-time Probability of New Payers",
        default=0.8,
        config_parameter="edu_crm.forecast_default_probability",
        help="Used by the cash-in forecast for payers without payment history.",
    )

    @api.constrains(
        "edu_tuition_invoice_days_before", "edu_forecast_default_probability"
    )
    def _check_edu_tuition_settings(self):
        for settings in self:
            if settings.edu_tuition_invoice_days_before < 0:
                raise ValidationError(
                    self.env._("The invoicing lead time cannot be negative.")
                )
            if not 0 <= settings.edu_forecast_default_probability <= 1:
                raise ValidationError(
                    self.env._("The default probability must be between 0 and 1.")
                )
