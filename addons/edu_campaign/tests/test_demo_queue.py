"""The demo's statistics survive the demo server's first minutes."""

from unittest.mock import patch

from odoo.addons.sms.tools.sms_api import SmsApi
from odoo.tests import TransactionCase, tagged


def _refused(*args, **kwargs):
    raise ConnectionRefusedError(111, "Connection refused")


@tagged("post_install", "-at_install")
class TestDemoQueue(TransactionCase):
    def setUp(self):
        super().setUp()
        self.nurture = self.env.ref(
            "edu_campaign.journey_applicant_nurture_demo", raise_if_not_found=False
        )
        if not self.nurture:
            self.skipTest("installed without demo data")

    def _statistics(self):
        steps = self.env["campaign.journey.step"].search([])
        Trace = self.env["mailing.trace"]
        return {
            "steps": {
                step.id: (step.done_count, step.opened_count, step.clicked_count)
                for step in steps
            },
            "traces": dict(Trace._read_group([], ["trace_status"], ["__count"])),
        }

    def test_nothing_of_the_demo_is_left_to_send(self):
        """The demo's mailings and journey steps queued their emails and SMS
        in the installation; the queue's cron sent them once the demo server
        ran. Without a mail server (``make run``) each failed and its trace
        turned to error: the nurture journey's "Welcome" read "Opened: 2"
        in its step tree, and "Opened: 0" a minute later."""
        queued = self.env["mail.mail"].search(
            [("mailing_id", "!=", False), ("state", "=", "outgoing")]
        )
        self.assertFalse(queued, "demo emails left in the queue")
        queued_sms = self.env["sms.sms"].search(
            [("mailing_id", "!=", False), ("state", "=", "outgoing")]
        )
        self.assertFalse(queued_sms, "demo SMS left in the queue")
        welcome = self.nurture.step_ids.filtered(lambda s: s.name == "Welcome")
        self.assertGreater(welcome.opened_count, 0)
        before = self._statistics()
        # the demo server's queues, with no mail server and no SMS account
        with (
            patch.object(type(self.env["ir.mail_server"]), "connect", _refused),
            patch.object(SmsApi, "_send_sms_batch", _refused),
        ):
            self.env["mail.mail"].process_email_queue()
            self.env["sms.sms"]._process_queue()
        self.env.invalidate_all()
        self.assertEqual(self._statistics(), before)
