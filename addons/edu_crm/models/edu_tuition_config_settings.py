from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

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
