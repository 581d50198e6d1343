from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    pressure_cooldown_days = fields.Integer(
        string="Pressure cool-down (days)",
        default=30,
        help="After a negative response, the person's thresholds are lowered for "
        "this many days.",
    )
    pressure_cooldown_factor = fields.Float(
        string="Pressure cool-down factor",
        default=0.5,
        help="During a cool-down every threshold of the person is multiplied by "
        "this factor "
        "(rounded down).",
    )

    @api.constrains("pressure_cooldown_days", "pressure_cooldown_factor")
    def _check_pressure_cooldown(self):
        for company in self:
            if company.pressure_cooldown_days < 0:
                raise ValidationError(
                    self.env._("The cool-down cannot last a negative number of days.")
                )
            if not 0 <= company.pressure_cooldown_factor <= 1:
                raise ValidationError(
                    self.env._("The cool-down factor must be between 0 and 1.")
                )

    def write(self, vals):
        res = super().write(vals)
        if {"pressure_cooldown_days", "pressure_cooldown_factor"} & set(vals):
            self.env.registry.clear_cache()
        return res
