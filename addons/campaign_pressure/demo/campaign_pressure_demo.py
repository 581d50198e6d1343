"""Demo data only: sends the demo mailings inside the installation.

Nothing but the demo file calls this model; its method is private (not
callable over RPC)."""

from odoo import api, fields, models


class CampaignPressureDemo(models.AbstractModel):
    _name = "campaign.pressure.demo"
    _description = "Marketing pressure demo data"

    @api.model
    def _send_mailings(self, mailing_ids):
        """Send demo mailings in the install transaction (no intermediate
        commit, no real delivery: mails and SMS stay queued)."""
        for mailing in self.env["mailing.mailing"].browse(mailing_ids):
            res_ids = mailing._get_remaining_recipients()
            if mailing.mailing_type == "sms":
                composer = (
                    self.env["sms.composer"]
                    .with_context(active_id=False)
                    .create(
                        dict(
                            mailing._send_sms_get_composer_values(res_ids),
                            mass_force_send=False,
                        )
                    )
                )
                composer._action_send_sms()
            else:
                composer = (
                    self.env["mail.compose.message"]
                    .with_context(
                        active_ids=res_ids, default_composition_mode="mass_mail"
                    )
                    .create(
                        {
                            "body": mailing.body_html,
                            "composition_mode": "mass_mail",
                            "mass_mailing_id": mailing.id,
                            "model": mailing.mailing_model_real,
                            "subject": mailing.subject,
                            "email_from": mailing.email_from,
                            "force_send": False,
                        }
                    )
                )
                composer._action_send_mail(auto_commit=False)
            mailing.write({"state": "done", "sent_date": fields.Datetime.now()})
        return True
