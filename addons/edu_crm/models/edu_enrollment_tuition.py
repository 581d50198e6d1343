from odoo import Command, api, fields, models


class EduEnrollment(models.Model):
    _inherit = "edu.enrollment"

    tuition_contract_ids = fields.One2many(
        "edu.tuition.contract", "enrollment_id", string="Tuition Contracts"
    )
    tuition_contract_count = fields.Integer(compute="_compute_tuition_contract_count")

    @api.depends("tuition_contract_ids")
    def _compute_tuition_contract_count(self):
        for enrollment in self:
            enrollment.tuition_contract_count = len(enrollment.tuition_contract_ids)

    def _edu_handover_tuition(self):
        res = super()._edu_handover_tuition()
        self._edu_propose_tuition_contracts()
        return res

    def _edu_propose_tuition_contracts(self):
        """Propose a draft tuition contract, with its schedule from the default
        payment plan, for each enrolment of ``self`` that has none yet."""
        todo = self.filtered(
            lambda e: not e.tuition_contract_ids.filtered(
                lambda c: c.state != "cancelled"
            )
        )
        if not todo:
            return self.env["edu.tuition.contract"]
        plans = self.env["edu.payment.plan"]._edu_default_plans(todo.company_id)
        vals_list = []
        for enrollment in todo:
            plan = plans[enrollment.company_id]
            payer = enrollment.sponsor_id or enrollment.partner_id
            vals_list.append(
                {
                    "enrollment_id": enrollment.id,
                    "company_id": enrollment.company_id.id,
                    "plan_id": plan.id,
                    "date_start": enrollment.intake_id.date_start
                    or fields.Date.context_today(self),
                    "payer_ids": [
                        Command.create({"partner_id": payer.id, "share": 100.0})
                    ],
                }
            )
        contracts = self.env["edu.tuition.contract"].create(vals_list)
        for contract in contracts.filtered(
            lambda c: c.plan_id and c.product_id and c.amount_price
        ):
            contract._edu_generate_schedule()
        return contracts

    def action_view_tuition_contracts(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "edu_crm.edu_tuition_contract_action"
        )
        action["domain"] = [("enrollment_id", "=", self.id)]
        action["context"] = {
            "default_enrollment_id": self.id,
            "default_company_id": self.company_id.id,
        }
        return action
