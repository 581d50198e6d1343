"""A notice is sent when its email or SMS leaves Odoo's queue and reaches
the person: a message that fails there (the mail server refuses it, the SMS
provider rejects the number), and one that fails later (the email bounces,
the SMS delivery report says it was not delivered), turns its notice from
sent to failed, with the reason, so that the bursar's list and the person's
timeline do not say "sent" for a message that never arrived. Only failures
read anything: a message that leaves costs no query here.

Later failures come the way Odoo's mass mailing learns them: a bounce names
the email's Message-Id (kept on the notice, as ``mailing.trace.message_id``
is), a delivery report the SMS's uuid (an ``sms.tracker`` of the notice, as
``mass_mailing_sms`` ties one to each trace)."""

from odoo import api, fields, models
from odoo.tools import html2plaintext


class EduAccountNotice(models.Model):
    _inherit = "edu.account.notice"

    @api.model
    def _cmr_delivery_failed(self, domain, reason):
        """Fail the sent notices of ``domain``, for ``reason``."""
        notices = self.sudo().search([*domain, ("state", "=", "sent")])
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
                [("mail_id", "in", self.ids)],
                self.env._(
                    "The email could not be sent: %(reason)s",
                    reason=failure_reason or self[:1].failure_reason or failure_type,
                ),
            )
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        result = super()._routing_handle_bounce(email_message, message_dict)
        bounced_msg_ids = message_dict.get("bounced_msg_ids")
        if bounced_msg_ids:
            body = html2plaintext(message_dict.get("body") or "").strip()
            self.env["edu.account.notice"]._cmr_delivery_failed(
                [("message_id", "in", bounced_msg_ids)],
                self.env._(
                    "The email bounced: %(reason)s",
                    reason=body[:300] or message_dict.get("bounced_email") or "",
                ),
            )
        return result


class SmsTracker(models.Model):
    _inherit = "sms.tracker"

    account_notice_id = fields.Many2one(
        "edu.account.notice", ondelete="cascade", index="btree_not_null"
    )

    def _cmr_notice_failed(self, failure_type, failure_reason, delivered):
        notices = self.account_notice_id
        if not notices:  # no search for the other trackers
            return
        types = dict(
            self.env["sms.sms"]._fields["failure_type"]._description_selection(self.env)
        )
        reason = types.get(failure_type) or failure_reason or types["unknown"]
        if delivered:
            message = self.env._("The SMS was not delivered: %(reason)s", reason=reason)
        else:
            message = self.env._("The SMS could not be sent: %(reason)s", reason=reason)
        notices._cmr_delivery_failed([("id", "in", notices.ids)], message)

    def _action_update_from_provider_error(self, provider_error):
        """A delivery report that says the SMS did not arrive."""
        result = super()._action_update_from_provider_error(provider_error)
        _status, failure_type, failure_reason = result
        self._cmr_notice_failed(failure_type, failure_reason, delivered=True)
        return result

    def _action_update_from_sms_state(
        self, sms_state, failure_type=False, failure_reason=False
    ):
        """The provider's answer when the SMS is sent."""
        result = super()._action_update_from_sms_state(
            sms_state, failure_type=failure_type, failure_reason=failure_reason
        )
        if sms_state == "error":
            self._cmr_notice_failed(failure_type, failure_reason, delivered=False)
        return result
