import re
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PressureCommon

DELETES = re.compile(r'DELETE FROM "mail_(mail|message)"')
# the deletions, and a mail's message read in full: once per mail when each
# deletion invalidates the cache (account's audit-trail check reads it again)
WATCHED = re.compile(
    DELETES.pattern + r'|SELECT "mail_message"\."id", "mail_message"\."subject"'
)


@tagged("post_install", "-at_install")
class TestSendDeletesOncePerBatch(PressureCommon):
    """A plain mailing's sent mails are auto-deleted once per send batch, not
    one at a time (issue 18: Odoo's 50-mail query budget in test_mass_mailing
    paid ~12 queries a mail for the deletions and the reads each deletion's
    cache invalidation caused, one of them account's audit-trail check)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.crowd = cls._create_crowd(50, "delete.test")

    def _send(self, partners, **values):
        """Send a mailing to ``partners`` as Odoo does, sent mails deleted:
        (the mailing, queries of the send, the deletions, the message reads)."""
        mailing = self._create_partner_mailing(partners, **values)
        count, matched = self._send_counting_queries(
            mailing, WATCHED, mail_unlink_sent=True
        )
        deletes = [q for q in matched if DELETES.search(q)]
        return mailing, count, deletes, [q for q in matched if q not in deletes]

    def _mailing_mails(self, mailing):
        return self.env["mail.mail"].sudo().search([("mailing_id", "=", mailing.id)])

    def test_deletion_is_one_statement_per_batch(self):
        self._send(self.partner_a)  # warm-up: the caches a first send fills
        counts = {}
        for size in (5, 50):
            mailing, counts[size], deletes, reads = self._send(self.crowd[:size])
            self.assertEqual(mailing.sent, size)
            self.assertFalse(
                self._mailing_mails(mailing), "sent mails are auto-deleted"
            )
            traces = self._traces(mailing)
            self.assertEqual(len(traces), size)
            self.assertFalse(
                traces.mail_mail_id, "the traces outlive their deleted mails"
            )
            self.assertEqual(set(traces.mapped("trace_status")), {"sent"})
            # one DELETE of the mails and one of their messages, whatever the size
            self.assertEqual(len(deletes), 2, deletes)
            self.assertLessEqual(len(reads), 2, size)
        # what a mail more costs: its own writes, not a deletion with the
        # reads its invalidation caused (measured: 2 a mail; 25 when each
        # mail was deleted alone)
        per_mail = (counts[50] - counts[5]) / 45
        self.assertLessEqual(per_mail, 3, counts)

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_kept_archives_and_failed_mails_stay(self):
        mailing, _count, deletes, _reads = self._send(
            self.crowd[:3], keep_archives=True
        )
        self.assertEqual(
            len(self._mailing_mails(mailing)), 3, "keep archives: not deleted"
        )
        self.assertFalse(deletes)
        # a mail the server refused stays, as Odoo keeps it to retry
        refused = self.crowd[3]
        server = type(self.env["ir.mail_server"])
        real_send = server.send_email

        def send_email(model, message, *args, **kwargs):
            if refused.email in message["To"]:
                raise ConnectionError("refused")
            return real_send(model, message, *args, **kwargs)

        mailing = self._create_partner_mailing(self.crowd[3:6])
        with (
            self.mock_mail_gateway(mail_unlink_sent=True),
            patch.object(server, "send_email", send_email),
        ):
            mailing.action_send_mail()
        kept = self._mailing_mails(mailing)
        self.assertEqual(kept.recipient_ids, refused, kept)
        self.assertEqual(kept.state, "exception")
        self.assertEqual(
            sorted(self._traces(mailing).mapped("trace_status")),
            ["error", "sent", "sent"],
        )

    def test_a_mail_of_no_mailing_is_deleted_at_once(self):
        """Odoo's other mails (notifications, a user's email) keep Odoo's
        order: each deleted right after it is sent; a mailing's mails go
        together at the end of their batch."""
        mailing = self._create_partner_mailing(self.crowd[:2])
        Mail = self.env["mail.mail"].sudo()
        values = {"subject": "Delete", "body_html": "<p>Hi</p>", "auto_delete": True}
        of_mailing = Mail.create(
            [
                dict(values, email_to=partner.email, mailing_id=mailing.id)
                for partner in self.crowd[:2]
            ]
        )
        plain = Mail.create(dict(values, email_to="plain@delete.test"))
        calls = []
        mail_model = type(Mail)
        real_unlink = mail_model.unlink

        def unlink(records):
            result = real_unlink(records)
            calls.append((set(records.ids), bool(Mail.browse(records.ids).exists())))
            return result

        with (
            self.mock_mail_gateway(mail_unlink_sent=True),
            patch.object(mail_model, "unlink", unlink),
        ):
            (of_mailing | plain).send()
        self.assertFalse((of_mailing | plain).exists())
        self.assertIn(({plain.id}, False), calls, "deleted when sent")
        self.assertIn((set(of_mailing.ids), False), calls, "deleted together")
