from odoo import models, tools


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _pressure_enabled(self):
        return (
            self.composition_mode == "mass_mail"
            and self.mass_mailing_id
            and self.model_is_thread
            and not self.env.context.get("campaign_pressure_disable")
        )

    def _process_mail_values_state(self, mail_values_dict):
        """Hold back recipients over a pressure rule, like Odoo cancels
        blacklisted or opted-out ones, and reserve the others' budget."""
        mail_values_dict = super()._process_mail_values_state(mail_values_dict)
        if not self._pressure_enabled():
            return mail_values_dict
        requests = []
        # read once: a field read costs more than the loop's own work
        partner_model = self.model == "res.partner"
        for res_id, mail_values in mail_values_dict.items():
            if mail_values.get("state") == "cancel":
                continue
            partner_id = next(
                (cmd[1] for cmd in mail_values.get("recipient_ids") or [] if cmd[1]),
                None,
            )
            if not partner_id and partner_model:
                partner_id = res_id
            email = None
            if not partner_id:
                # the person is the partner when there is one: the email
                # only identifies recipients without a partner
                emails = tools.email_split(mail_values.get("email_to") or "")
                email = tools.email_normalize(emails[0]) if emails else None
            requests.append({"ref": res_id, "partner_id": partner_id, "email": email})
        if not requests:
            return mail_values_dict
        decisions = self.env["campaign.pressure.engine"]._pressure_check_and_reserve(
            requests,
            "email",
            "mailing",
            mailing=self.mass_mailing_id,
            res_model=self.model,
        )
        for res_id, decision in decisions.items():
            if decision["allowed"]:
                continue
            mail_values = mail_values_dict[res_id]
            mail_values.update(
                state="cancel",
                failure_type="pressure",
                failure_reason=decision["reason"],
                is_notification=False,
                _pressure=decision,
            )
        return mail_values_dict

    def _prepare_mail_values_mailing_traces(self, mail_values_all):
        trace_values_all = super()._prepare_mail_values_mailing_traces(mail_values_all)
        for res_id, mail_values in mail_values_all.items():
            decision = mail_values.get("_pressure")
            if decision and trace_values_all.get(res_id):
                trace_values_all[res_id].update(
                    failure_reason=decision["reason"],
                    pressure_rule_id=decision["rule_id"],
                    pressure_count=decision["count"],
                    pressure_threshold=decision["threshold"],
                )
        return trace_values_all

    def _prepare_mail_values(self, res_ids):
        mail_values_all = super()._prepare_mail_values(res_ids)
        for mail_values in mail_values_all.values():
            mail_values.pop("_pressure", None)
        return mail_values_all
