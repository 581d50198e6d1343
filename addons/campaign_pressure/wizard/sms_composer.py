from odoo import models


class SmsComposer(models.TransientModel):
    _inherit = "sms.composer"

    def _prepare_mass_sms_values(self, records):
        """Hold back SMS recipients over a pressure rule (cancelled SMS and
        trace with the "Marketing pressure" failure type) and reserve the
        budget of the others."""
        result = super()._prepare_mass_sms_values(records)
        if (
            self.composition_mode != "mass"
            or not self.mailing_id
            or self.env["campaign.pressure.engine"]._pressure_disabled()
        ):
            return result
        requests = [
            {
                "ref": res_id,
                "partner_id": values.get("partner_id")
                or (res_id if self.res_model == "res.partner" else None),
                "phone": values.get("number"),
            }
            for res_id, values in result.items()
            if values.get("state") == "outgoing"
        ]
        if not requests:
            return result
        engine = self.env["campaign.pressure.engine"]
        decisions = engine._pressure_check_and_reserve(
            requests, "sms", "sms", mailing=self.mailing_id, res_model=self.res_model
        )
        for res_id, decision in decisions.items():
            if decision["allowed"]:
                continue
            values = result[res_id]
            values.update(state="canceled", failure_type="pressure")
            for command in values.get("mailing_trace_ids") or []:
                command[2].update(
                    engine._pressure_trace_reason(decision),
                    trace_status="cancel",
                    failure_type="pressure",
                    pressure_rule_id=decision["rule_id"],
                    pressure_count=decision["count"],
                    pressure_threshold=decision["threshold"],
                )
        return result
