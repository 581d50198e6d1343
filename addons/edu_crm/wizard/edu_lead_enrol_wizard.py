from odoo import api, fields, models


class EduLeadEnrolWizard(models.TransientModel):
    _name = "edu.lead.enrol.wizard"
    _description = "Enrol Won Applications"

    lead_ids = fields.Many2many("crm.lead", string="Applications")
    lead_count = fields.Integer(compute="_compute_lead_count")

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if (
            "lead_ids" in fields_list
            and self.env.context.get("active_model") == "crm.lead"
            and self.env.context.get("active_ids")
        ):
            res["lead_ids"] = [fields.Command.set(self.env.context["active_ids"])]
        return res

    @api.depends("lead_ids")
    def _compute_lead_count(self):
        for wizard in self:
            wizard.lead_count = len(wizard.lead_ids)

    def action_enrol(self):
        self.ensure_one()
        enrollments = self.lead_ids._edu_enrol()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "edu_crm.edu_enrollment_action"
        )
        action["domain"] = [("id", "in", enrollments.ids)]
        return action
