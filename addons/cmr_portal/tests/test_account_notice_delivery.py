from unittest.mock import patch

from odoo.addons.base.models.ir_mail_server import IrMailServer, MailDeliveryException
from odoo.addons.sms.tools.sms_api import SmsApi
from odoo.tests import tagged
from odoo.tools import mute_logger

from .notice_common import NoticeCommon
from .test_account_notice import DUE_SETTINGS


def _provider_answers(state):
    """The SMS provider (mocked: it is outside the machine) answers
    ``state`` for every number it is sent."""

    def answer(_api, messages, delivery_reports_url=False):
        return [
            {"uuid": number["uuid"], "state": state}
            for message in messages
            for number in message["numbers"]
        ]

    return patch.object(SmsApi, "_send_sms_batch", autospec=True, side_effect=answer)


@tagged("post_install", "-at_install")
class TestAccountNoticeDelivery(NoticeCommon):
    """A notice says sent only for a message that left: its email refused by
    the mail server, or its SMS rejected by the provider, fails it with the
    reason (the servers outside are mocked, as Odoo's own tests do)."""

    def _due_notices(self):
        notices = self._run(**DUE_SETTINGS)
        by_partner = {n.partner_id: n for n in notices}
        return by_partner[self.student], by_partner[self.sponsor]

    def test_email_refused_by_the_mail_server(self):
        email_notice, _sms_notice = self._due_notices()
        self.assertEqual(email_notice.state, "sent")
        mail = self._mails_to(self.student)
        self.assertEqual(email_notice.mail_id, mail)
        refused = MailDeliveryException("550 Mailbox unavailable")
        with (
            patch.object(IrMailServer, "send_email", side_effect=refused),
            mute_logger("odoo.addons.mail.models.mail_mail"),
        ):
            mail._send()
        self.assertEqual(mail.state, "exception")
        self.assertEqual(email_notice.state, "failed")
        self.assertIn("The email could not be sent", email_notice.failure_reason)
        self.assertIn("550 Mailbox unavailable", email_notice.failure_reason)
        entry = self.env["edu.timeline"].search(
            [("kind", "=", "notice"), ("res_id", "=", email_notice.id)]
        )
        self.assertEqual(entry.state, "failed")
        self.assertIn("550 Mailbox unavailable", entry.description)

    def test_email_that_leaves_stays_sent(self):
        email_notice, _sms_notice = self._due_notices()
        mail = self._mails_to(self.student)
        with patch.object(IrMailServer, "send_email", return_value="<id@test>"):
            mail._send()
        self.assertFalse(mail.exists())  # Odoo deletes what it sent
        self.assertEqual(email_notice.state, "sent")
        self.assertFalse(email_notice.mail_id)

    def test_sms_rejected_by_the_provider(self):
        _email_notice, sms_notice = self._due_notices()
        sms = self._sms_to(self.sponsor)
        self.assertEqual(sms_notice.sms_id, sms)

        with _provider_answers("wrong_number_format"):
            sms._send(unlink_failed=False)
        self.assertEqual(sms.state, "error")
        self.assertEqual(sms_notice.state, "failed")
        self.assertIn("The SMS could not be sent", sms_notice.failure_reason)
        self.assertIn("Wrong Number Format", sms_notice.failure_reason)

    def test_sms_that_leaves_stays_sent(self):
        _email_notice, sms_notice = self._due_notices()
        sms = self._sms_to(self.sponsor)

        with _provider_answers("success"):
            sms._send()
        self.assertEqual(sms_notice.state, "sent")
