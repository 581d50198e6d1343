"""Failures that arrive after the message left: an email bounce read by
Odoo's mail gateway, an SMS delivery report posted by the provider to
``/sms/status``. Both turn the sent notice to failed, with the reason, as
Odoo's mass mailing turns its traces (the servers outside are mocked)."""

from unittest.mock import patch

from odoo.addons.base.models.ir_mail_server import IrMailServer
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .notice_common import NoticeCommon
from .test_account_notice import DUE_SETTINGS
from .test_account_notice_delivery import _provider_answers

BOUNCE = """\
From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
To: {bounce}
Subject: Undelivered Mail Returned to Sender
Message-Id: <bounce-1@mx.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain; charset=us-ascii

The mail system: <{email}>: host mx.example.com said: 550 5.1.1 User unknown

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; {email}
Action: failed
Status: 5.1.1

--b1
Content-Type: text/rfc822-headers

Message-Id: {message_id}
From: bursar@school.example.com
To: {email}
Subject: Payment due

--b1--
"""


@tagged("post_install", "-at_install")
class TestAccountNoticeLaterFailure(NoticeCommon, HttpCase):
    def _due_notices(self):
        notices = self._run(**DUE_SETTINGS)
        by_partner = {n.partner_id: n for n in notices}
        return by_partner[self.student], by_partner[self.sponsor]

    def test_email_that_bounces_later_fails_its_notice(self):
        email_notice, _sms_notice = self._due_notices()
        mail = self._mails_to(self.student)
        message_id = mail.message_id
        self.assertEqual(email_notice.message_id, message_id)
        with patch.object(IrMailServer, "send_email", return_value=message_id):
            mail._send()
        self.assertFalse(mail.exists())  # Odoo deleted what it sent
        self.assertEqual(email_notice.state, "sent")

        alias_domain = self.env["mail.alias.domain"].create(
            {"name": "school.example.com", "bounce_alias": "bounce"}
        )
        raw = BOUNCE.format(
            bounce=alias_domain.bounce_email,
            email=self.student.email_normalized,
            message_id=message_id,
        )
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            self.env["mail.thread"].message_process(False, raw)
        self.assertEqual(email_notice.state, "failed")
        self.assertIn("The email bounced", email_notice.failure_reason)
        self.assertIn("550 5.1.1 User unknown", email_notice.failure_reason)
        entry = self.env["edu.timeline"].search(
            [("kind", "=", "notice"), ("res_id", "=", email_notice.id)]
        )
        self.assertEqual(entry.state, "failed")

    def test_a_bounce_of_another_email_leaves_notices_alone(self):
        email_notice, _sms_notice = self._due_notices()
        with patch.object(IrMailServer, "send_email", return_value="<x@test>"):
            self._mails_to(self.student)._send()
        alias_domain = self.env["mail.alias.domain"].create(
            {"name": "school.example.com", "bounce_alias": "bounce"}
        )
        raw = BOUNCE.format(
            bounce=alias_domain.bounce_email,
            email=self.student.email_normalized,
            message_id="<something-else@school.example.com>",
        )
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            self.env["mail.thread"].message_process(False, raw)
        self.assertEqual(email_notice.state, "sent")

    def test_sms_delivery_report_not_delivered_fails_its_notice(self):
        _email_notice, sms_notice = self._due_notices()
        sms = self._sms_to(self.sponsor)
        uuid = sms.uuid
        with _provider_answers("success"):
            sms._send()
        self.assertEqual(sms_notice.state, "sent")
        self.env.flush_all()

        # the provider's delivery report, after the SMS row is gone
        self.env["sms.sms"].sudo().search([("uuid", "=", uuid)]).unlink()
        statuses = [{"sms_status": "not_delivered", "uuids": [uuid]}]
        self.make_jsonrpc_request("/sms/status", {"message_statuses": statuses})
        sms_notice.invalidate_recordset()
        self.assertEqual(sms_notice.state, "failed")
        self.assertIn("The SMS was not delivered", sms_notice.failure_reason)

    def test_sms_delivery_report_delivered_keeps_it_sent(self):
        _email_notice, sms_notice = self._due_notices()
        sms = self._sms_to(self.sponsor)
        uuid = sms.uuid
        with _provider_answers("success"):
            sms._send()
        statuses = [{"sms_status": "delivered", "uuids": [uuid]}]
        self.make_jsonrpc_request("/sms/status", {"message_statuses": statuses})
        sms_notice.invalidate_recordset()
        self.assertEqual(sms_notice.state, "sent")
