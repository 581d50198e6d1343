from odoo import fields, models


class MailActivityType(models.Model):
    _inherit = "mail.activity.type"

    pressure_marketing_call = fields.Boolean(
        string="Marketing call",
        help="Activities of this type are marketing phone calls: they are counted "
        "by the "
        "pressure rules and scheduling one for a saturated person warns or is blocked.",
    )
