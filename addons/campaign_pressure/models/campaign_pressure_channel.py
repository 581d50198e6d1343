from odoo import fields, models

CHANNELS = [
    ("email", "Email"),
    ("sms", "SMS"),
    ("phone", "Phone call"),
    ("letter", "Letter"),
]


class CampaignPressureChannel(models.Model):
    _name = "campaign.pressure.channel"
    _description = "Marketing Pressure Channel"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(CHANNELS, required=True)
    sequence = fields.Integer(default=10)

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "A channel code can only be used once."),
    ]
