from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# written by action_log only: what was logged, once
RESULT_FIELDS = {"state", "logged_count", "held_partner_ids"}


class CampaignPressureLetter(models.TransientModel):
    _name = "campaign.pressure.letter"
    _description = "Log Marketing Letters"

    partner_ids = fields.Many2many("res.partner", string="Recipients")
    campaign_id = fields.Many2one("utm.campaign", string="UTM campaign")
    weight = fields.Integer(default=1)
    skip_saturated = fields.Boolean(
        string="Skip saturated people",
        default=True,
        help="Do not log (nor send) letters to people over a pressure rule.",
    )
    held_partner_ids = fields.Many2many(
        "res.partner",
        "campaign_pressure_letter_held_rel",
        string="Held back",
        readonly=True,
    )
    logged_count = fields.Integer(readonly=True)
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Done")], default="draft", readonly=True
    )

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if (
            self.env.context.get("active_model") == "res.partner"
            and "partner_ids" in fields_list
        ):
            res["partner_ids"] = [
                fields.Command.set(self.env.context.get("active_ids") or [])
            ]
        return res

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        # on the records: a result may come from vals or from a default
        if wizards.filtered(
            lambda w: w.state != "draft" or w.logged_count or w.held_partner_ids
        ):
            self._pressure_refuse_result()
        return wizards

    def write(self, vals):
        if RESULT_FIELDS & set(vals) and not self.env.su:
            self._pressure_refuse_result()
        return super().write(vals)

    @api.model
    def _pressure_refuse_result(self):
        raise AccessError(
            self.env._("The result of logging letters is written by the log itself.")
        )

    def action_log(self):
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("These letters are already logged."))
        if not self.partner_ids:
            raise UserError(self.env._("Select at least one recipient."))
        if self.weight < 1:
            raise UserError(self.env._("The weight of a letter must be at least 1."))
        engine = self.env["campaign.pressure.engine"]
        requests = [{"ref": pid, "partner_id": pid} for pid in self.partner_ids.ids]
        message = {
            "weight": self.weight,
            "campaign_id": self.campaign_id.id or None,
            "campaign_tag_ids": tuple(self.campaign_id.tag_ids.ids),
        }
        decisions = engine._pressure_evaluate(
            requests, "letter", message=message, lock=True
        )
        if not self.skip_saturated:
            decisions = {ref: dict(d, allowed=True) for ref, d in decisions.items()}
        logged = engine._pressure_log(
            decisions,
            "letter",
            "letter",
            {
                "campaign_id": self.campaign_id.id,
                "res_model": "res.partner",
                "weight": self.weight,
                "user_id": self.env.uid,
            },
            state="confirmed",
        )
        held = [ref for ref, d in decisions.items() if not d["allowed"]]
        self.sudo().write(
            {
                "state": "done",
                "logged_count": logged,
                "held_partner_ids": [fields.Command.set(held)],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
