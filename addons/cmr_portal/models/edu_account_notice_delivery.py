"""A notice is sent when its email or SMS leaves Odoo's queue: a message
that fails there (the mail server refuses it, the SMS provider rejects the
number) turns its notice from sent to failed, with the reason, so that the
bursar's list and the person's timeline do not say "sent" for a message
that never left. Only failures read anything: a message that leaves costs
no query here."""

from odoo import api, models


class EduAccountNotice(models.Model):
    _inherit = "edu.account.notice"

    @api.model
    def _cmr_delivery_failed(self, field, message_ids, reason):
        """Fail the sent notices whose ``field`` (``mail_id`` or ``sms_id``)
        is one of ``message_ids``, for ``reason``."""
        notices = self.sudo().search(
            [(field, "in", message_ids), ("state", "=", "sent")]
        )
        if notices:
            notices.write({"state": "failed", "failure_reason": reason})
            notices.flush_recordset()


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, failure_reason=False, failure_type=None
    ):
        if failure_type:
            self.env["edu.account.notice"]._cmr_delivery_failed(
                "mail_id",
                self.ids,
                self.env._(
                    "The email could not be sent: %(reason)s",
                    reason=failure_reason or self[:1].failure_reason or failure_type,
                ),
            )
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") == "error":
            types = dict(self._fields["failure_type"]._description_selection(self.env))
            self.env["edu.account.notice"]._cmr_delivery_failed(
                "sms_id",
                self.ids,
                self.env._(
                    "The SMS could not be sent: %(reason)s",
                    reason=types.get(vals.get("failure_type"), types["unknown"]),
                ),
            )
        return result
