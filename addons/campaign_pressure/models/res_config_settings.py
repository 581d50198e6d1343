from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    pressure_cooldown_days = fields.Integer(
        related="company_id.pressure_cooldown_days", readonly=False
    )
    pressure_cooldown_factor = fields.Float(
        related="company_id.pressure_cooldown_factor", readonly=False
    )
