from datetime import datetime, time, timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .notice_common import NoticeCommon

DUE_SETTINGS = {"cmr_notice_payment": False, "cmr_notice_document": False}


@tagged("post_install", "-at_install")
class TestAccountNotice(NoticeCommon):
    """Account notices: to the right payer on their channel, once per event,
    counted but never capped, postponed by quiet hours, on the timeline."""

    def test_due_notice_once_to_each_payer_on_their_channel(self):
        notices = self._run(**DUE_SETTINGS)
        self.assertEqual(notices.mapped("kind"), ["due", "due"])
        by_partner = {n.partner_id: n for n in notices}
        self.assertEqual(set(by_partner), {self.student, self.sponsor})
        self.assertEqual(by_partner[self.student].channel, "email")
        self.assertEqual(by_partner[self.student].res_id, self.invoice_student.id)
        self.assertEqual(by_partner[self.sponsor].channel, "sms")
        self.assertEqual(by_partner[self.sponsor].res_id, self.invoice_sponsor.id)
        self.assertEqual(set(notices.mapped("state")), {"sent"})
        mail = self._mails_to(self.student)
        self.assertEqual(len(mail), 1)
        self.assertIn(self.invoice_student.name, mail.subject)
        self.assertIn("is due on", mail.body_html)
        self.assertFalse(self._mails_to(self.sponsor))
        sms = self._sms_to(self.sponsor)
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.number, self.sponsor.phone_sanitized)
        self.assertIn(self.invoice_sponsor.name, sms.body)
        self.assertFalse(self._sms_to(self.student))
        # a rerun, the next day too, notifies nothing again
        self.assertFalse(self._run())
        self.assertFalse(self._run(now=self.noon + timedelta(days=1)))
        self.assertEqual(len(self._mails_to(self.student)), 1)
        self.assertEqual(len(self._sms_to(self.sponsor)), 1)

    def test_due_days_setting(self):
        second = self.contract.instalment_ids.sorted("sequence")[1]
        self.env["ir.config_parameter"].sudo().set_param(
            "edu_crm.tuition_invoice_days_before", "40"
        )
        self.env["edu.tuition.instalment"]._cron_create_invoices()
        self.assertTrue(second.invoice_ids, "the second instalment is invoiced")
        days = (second.due_date - self.today).days
        notices = self._run(cmr_notice_due_days=days - 1, **DUE_SETTINGS)
        self.assertFalse(
            notices.filtered(lambda n: n.res_id in second.invoice_ids.ids),
            "an instalment due later than N days is not told yet",
        )
        notices = self._run(cmr_notice_due_days=days)
        self.assertEqual(
            set(notices.mapped("res_id")), set(second.invoice_ids.ids), notices
        )

    def test_bad_settings_refused(self):
        for days in (0, -3, 61):
            with self.subTest(days=days), self.assertRaises(ValidationError):
                self.company.cmr_notice_due_days = days
        self.company.cmr_notice_due_days = 60
        self.assertEqual(self.company.cmr_notice_due_days, 60)

    def test_kind_turned_off(self):
        self.assertFalse(self._run(cmr_notice_due=False, **DUE_SETTINGS))
        self.assertFalse(self._mails_to(self.student))

    def test_payment_received_with_receipt(self):
        self._run(**DUE_SETTINGS)  # the due notices, out of the way
        payment = (
            self.env["account.payment.register"]
            .with_context(
                active_model="account.move", active_ids=self.invoice_student.ids
            )
            .create({"amount": self.invoice_student.amount_total})
            ._create_payments()
        )
        notices = self._run(cmr_notice_payment=True)
        self.assertEqual(len(notices), 1)
        self.assertEqual(
            (notices.kind, notices.partner_id, notices.channel, notices.res_id),
            ("payment", self.student, "email", payment.id),
        )
        mail = self._mails_to(self.student).filtered(
            lambda m: m.model == "account.payment"
        )
        self.assertEqual(len(mail), 1)
        self.assertIn("Payment Receipt", mail.subject)
        self.assertIn("bursar@school.example.com", mail.email_from)
        self.assertTrue(mail.attachment_ids, "the receipt is attached")
        self.assertFalse(self._run())

    def test_quiet_hours_postpone_then_send(self):
        self.student.write({"pressure_quiet_from": 22.0, "pressure_quiet_to": 7.0})
        late = datetime.combine(self.today, time(23, 0))
        notices = self._run(now=late, **DUE_SETTINGS)
        mine = notices.filtered(lambda n: n.partner_id == self.student)
        self.assertEqual(mine.state, "postponed")
        morning = datetime.combine(self.today + timedelta(days=1), time(7, 0))
        self.assertEqual(mine.scheduled_date, morning)
        self.assertFalse(self._mails_to(self.student))
        # the sponsor has no quiet hours: their SMS left at once
        self.assertEqual(
            notices.filtered(lambda n: n.partner_id == self.sponsor).state, "sent"
        )
        self._run(now=morning - timedelta(hours=1))
        self.assertEqual(mine.state, "postponed")
        self.assertFalse(self._mails_to(self.student))
        self._run(now=morning + timedelta(minutes=5))
        self.assertEqual(mine.state, "sent")
        self.assertEqual(len(self._mails_to(self.student)), 1)
        self._run(now=morning + timedelta(hours=1))
        self.assertEqual(len(self._mails_to(self.student)), 1)

    def test_counted_not_capped(self):
        self.env["campaign.pressure.rule"].sudo().create(
            {
                "name": "No email at all",
                "channel_ids": [
                    (6, 0, self.env.ref("campaign_pressure.channel_email").ids)
                ],
                "window_type": "rolling",
                "window_days": 30,
                "max_contacts": 0,
                "scope": "all",
            }
        )
        notices = self._run(**DUE_SETTINGS)
        mine = notices.filtered(lambda n: n.partner_id == self.student)
        self.assertEqual(mine.state, "sent", "a cap of 0 does not hold a notice")
        self.assertEqual(len(self._mails_to(self.student)), 1)
        Contact = self.env["campaign.pressure.contact"].sudo()
        logged = Contact.search(
            [("res_model", "=", "edu.account.notice"), ("res_id", "in", notices.ids)]
        )
        self.assertEqual(len(logged), 2)
        row = logged.filtered(lambda c: c.partner_id == self.student)
        self.assertEqual(
            (row.channel, row.source, row.is_transactional, row.state, row.res_id),
            ("email", "notice", True, "confirmed", mine.id),
        )
        self.assertEqual(
            logged.filtered(lambda c: c.partner_id == self.sponsor).channel, "sms"
        )

    def test_no_address_fails_with_reason(self):
        self.student.email = False
        notices = self._run(**DUE_SETTINGS)
        mine = notices.filtered(lambda n: n.partner_id == self.student)
        self.assertEqual(mine.state, "failed")
        self.assertIn("no email address", mine.failure_reason)
        self.assertFalse(self._run())
