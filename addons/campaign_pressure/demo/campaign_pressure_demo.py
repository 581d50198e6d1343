"""Demo data only: sends the demo mailings inside the installation.

Nothing but the demo files call this model; its methods are private (not
callable over RPC)."""

from odoo import api, fields, models


class CampaignPressureDemo(models.AbstractModel):
    _name = "campaign.pressure.demo"
    _description = "Marketing pressure demo data"

    @api.model
    def _send_mailings(self, mailing_ids):
        """Send demo mailings in the install transaction (no intermediate
        commit, no real delivery: what they queue is taken as delivered)."""
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
        self._deliver_queue()
        return True

    @api.model
    def _deliver_queue(self):
        """The mailings' emails and SMS the demo queued, taken as delivered
        the way Odoo's own send records a success (the traces sent, the
        mails post-processed and auto-deleted, the SMS trackers updated),
        with nothing leaving the database. Left queued, they were sent by
        the queue's cron as soon as the demo server ran: on a server
        without a mail server each failed, its trace turned to error and
        the demo's opened and clicked emails read as errors (a journey
        step's "Opened: 2" became 0); on a server with one, the demo's
        messages went out to its made-up addresses."""
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search([("mailing_id", "!=", False), ("state", "=", "outgoing")])
        )
        if mails:
            # as mail.mail._send() writes a sent mail before post-processing
            mails.write({"state": "sent", "failure_reason": False})
            mails._postprocess_sent_message(success_pids=mails.recipient_ids)
        sms = (
            self.env["sms.sms"]
            .sudo()
            .search([("mailing_id", "!=", False), ("state", "=", "outgoing")])
        )
        if sms:
            sms._update_sms_state_and_trackers("sent")
