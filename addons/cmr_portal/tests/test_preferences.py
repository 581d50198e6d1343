from datetime import datetime

from freezegun import freeze_time
from odoo.addons.mass_mailing.tests.common import MassMailCommon
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .common import CmrPortalDataMixin


@tagged("post_install", "-at_install")
class TestPreferences(MassMailCommon, CmrPortalDataMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._cmr_setup_data()

    def test_consent_log_on_change(self):
        # the portal's source is an argument of the private write, not a
        # context key (a client chooses its context)
        self.student.sudo()._cmr_write_logged(
            {"pressure_max_contacts": 2, "pressure_period": "week"}, "portal"
        )
        logs = self.student.cmr_consent_log_ids
        self.assertEqual(
            set(logs.mapped("field_name")), {"pressure_max_contacts", "pressure_period"}
        )
        cap = logs.filtered(lambda log: log.field_name == "pressure_max_contacts")
        self.assertEqual(
            (cap.old_value, cap.new_value, cap.source), ("0", "2", "portal")
        )
        # no change, no line; a backend change is logged as such
        self.student.sudo().write({"pressure_max_contacts": 2})
        self.assertEqual(len(self.student.cmr_consent_log_ids), 2)
        self.student.with_user(self.user_staff).sudo().write(
            {"cmr_sponsor_consent": True}
        )
        consent = self.student.cmr_consent_log_ids.filtered(
            lambda log: log.field_name == "cmr_sponsor_consent"
        )
        self.assertEqual(
            (consent.old_value, consent.new_value, consent.source),
            ("No", "Yes", "backend"),
        )
        self.assertEqual(consent.user_id, self.user_staff)

    def test_quiet_weekdays_validated(self):
        with self.assertRaises(ValidationError):
            self.student.sudo().write({"cmr_quiet_weekdays": "7,<b>"})
        self.student.sudo().write({"cmr_quiet_weekdays": "5,6"})
        self.assertEqual(self.student._cmr_quiet_weekday_set(), {5, 6})

    def test_apply_preferences_topics_and_blacklist(self):
        partner = self.student.sudo()
        partner._cmr_apply_preferences(
            {"pressure_blocked_channel_ids": [Command.set(self.channel_sms.ids)]},
            {self.mailing_list.id},
            False,
            "portal",
        )
        lists, optin = partner._cmr_topic_state()
        self.assertIn(self.mailing_list_2, lists)
        self.assertEqual(optin, self.mailing_list)
        self.assertEqual(partner.pressure_blocked_channel_ids, self.channel_sms)
        self.assertFalse(partner.is_blacklisted)
        # opt out of the topic one by one, then "nothing at all"
        partner._cmr_apply_preferences({}, set(), True, "portal")
        _lists, optin = partner._cmr_topic_state()
        self.assertFalse(optin)
        self.assertTrue(partner.is_blacklisted)
        labels = partner.cmr_consent_log_ids.mapped("field_label")
        self.assertIn("Topic: Open Days", labels)
        self.assertIn("Nothing at all (email blacklist)", labels)
        # and back
        partner._cmr_apply_preferences({}, set(), False, "portal")
        self.assertFalse(partner.is_blacklisted)

    def test_own_cap_enforced_and_explained(self):
        """The cap set by the person holds back the second mailing of the
        month; the communications page explains it in plain words."""
        partner = self.student.sudo()
        partner._cmr_apply_preferences(
            {"pressure_max_contacts": 1, "pressure_period": "month"},
            set(),
            False,
            "portal",
        )
        traces = self.env["mailing.trace"]
        for subject in ("First news", "Second news"):
            mailing = self.env["mailing.mailing"].create(
                {
                    "name": subject,
                    "subject": subject,
                    "body_html": "<p>Hello</p>",
                    "mailing_model_id": self.env["ir.model"]._get("res.partner").id,
                    "mailing_domain": repr([("id", "=", partner.id)]),
                }
            )
            with self.mock_mail_gateway(mail_unlink_sent=False):
                mailing.action_send_mail()
            traces |= mailing.mailing_trace_ids
        first, second = traces
        self.assertEqual(first.trace_status, "sent")
        self.assertEqual(
            (second.trace_status, second.failure_type), ("cancel", "pressure")
        )
        rows = self.env["mailing.trace"]._cmr_portal_rows(second, partner)
        self.assertEqual(
            rows[0]["explanation"], "Not sent: you asked for at most 1 message a month."
        )
        self.assertFalse(rows[0]["sent"])

    def test_quiet_hours_postpone_and_explained(self):
        """Quiet hours set in the portal: the marketing email waits in Odoo's
        queue until they end, and the communications page says when it goes
        out."""
        partner = self.student.sudo()
        partner.write({"tz": "Europe/Kyiv"})
        partner._cmr_apply_preferences(
            {"pressure_quiet_from": 21.0, "pressure_quiet_to": 8.0},
            set(),
            False,
            "portal",
        )
        mailing = self.env["mailing.mailing"].create(
            {
                "name": "Evening news",
                "subject": "Evening news",
                "body_html": "<p>Hello</p>",
                "mailing_model_id": self.env["ir.model"]._get("res.partner").id,
                "mailing_domain": repr([("id", "=", partner.id)]),
            }
        )
        with (
            freeze_time("2026-11-20 20:30:00"),  # 22:30 in Kyiv
            self.mock_mail_gateway(mail_unlink_sent=False),
        ):
            mailing.action_send_mail()
        trace = mailing.mailing_trace_ids
        self.assertEqual(trace.trace_status, "outgoing")
        # 08:00 in Kyiv the next morning
        self.assertEqual(trace.pressure_postponed_until, datetime(2026, 11, 21, 6, 0))
        rows = self.env["mailing.trace"]._cmr_portal_rows(trace, partner)
        self.assertIn("end of your quiet hours", rows[0]["explanation"])
        self.assertTrue(rows[0]["sent"])

    def test_quiet_day_postpones_email(self):
        """An email on a quiet day waits for the next day that is not quiet,
        after the quiet hours that begin it."""
        partner = self.student.sudo()
        partner.write(
            {
                "tz": "Europe/Kyiv",
                "cmr_quiet_weekdays": "5,6",  # Saturday and Sunday
                "pressure_quiet_from": 21.0,
                "pressure_quiet_to": 8.0,
            }
        )
        engine = self.env["campaign.pressure.engine"]
        requests = [{"ref": partner.id, "partner_id": partner.id}]
        saturday_noon = datetime(2026, 11, 21, 10, 0)  # 12:00 in Kyiv
        decision = engine._pressure_evaluate(
            requests,
            "email",
            message={"postpone_quiet": True},
            lock=False,
            now=saturday_noon,
        )[partner.id]
        self.assertTrue(decision["allowed"])
        # Monday 08:00 in Kyiv (UTC+2)
        self.assertEqual(decision["postpone_until"], datetime(2026, 11, 23, 6, 0))
        # SMS cannot wait: held back
        decision = engine._pressure_evaluate(
            requests, "sms", lock=False, now=saturday_noon
        )[partner.id]
        self.assertFalse(decision["allowed"])

    def test_quiet_day_holds_back(self):
        partner = self.student.sudo()
        partner.write({"cmr_quiet_weekdays": "6"})
        engine = self.env["campaign.pressure.engine"]
        requests = [{"ref": partner.id, "partner_id": partner.id}]
        sunday = datetime(2026, 11, 22, 12, 0)
        monday = datetime(2026, 11, 23, 12, 0)
        decision = engine._pressure_evaluate(requests, "email", lock=False, now=sunday)[
            partner.id
        ]
        self.assertFalse(decision["allowed"])
        self.assertEqual(decision["reason"], "Quiet day of the person.")
        decision = engine._pressure_evaluate(requests, "email", lock=False, now=monday)[
            partner.id
        ]
        self.assertTrue(decision["allowed"])
        # transactional messages are never held back
        decision = engine._pressure_evaluate(
            requests, "email", message={"exempt": True}, lock=False, now=sunday
        )[partner.id]
        self.assertTrue(decision["allowed"])
