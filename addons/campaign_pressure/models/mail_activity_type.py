from odoo import api, fields, models


class MailActivityType(models.Model):
    _inherit = "mail.activity.type"

    pressure_marketing_call = fields.Boolean(
        string="Marketing call",
        help="Activities of this type are marketing phone calls: they are counted "
        "by the "
        "pressure rules and scheduling one for a saturated person warns or is blocked.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        types = super().create(vals_list)
        if types.filtered("pressure_marketing_call"):
            types._pressure_check_call_access()
        return types

    def write(self, vals):
        if "pressure_marketing_call" in vals:
            self._pressure_check_call_access()
        return super().write(vals)

    def _pressure_check_call_access(self):
        """Whether calls of a type are counted (and capped) is a pressure
        manager's decision, as marking a mailing transactional is."""
        self.env["campaign.pressure.engine"]._pressure_check_manager(
            self.env._(
                "Only a marketing pressure manager may decide which activity "
                "types are marketing calls."
            )
        )
