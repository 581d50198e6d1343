import importlib.util
from datetime import datetime
from pathlib import Path

from freezegun import freeze_time
from odoo.addons.mass_mailing.tests.common import MassMailCommon
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import format_datetime

from .common import CmrPortalDataMixin

QUIET_DAYS_MIGRATION = (
    Path(__file__).resolve().parent.parent
    / "migrations"
    / "18.0.1.3.0"
    / "post-migrate-quiet-days.py"
)


def load_quiet_days_migration():
    spec = importlib.util.spec_from_file_location(
        "cmr_portal_migration_quiet_days", QUIET_DAYS_MIGRATION
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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

    def test_quiet_weekdays_are_fields(self):
        # one boolean per week day (campaign_pressure's), no text to parse
        Partner = self.env["res.partner"]
        self.student.sudo().write(Partner._pressure_quiet_day_values({5, 6}))
        self.assertEqual(self.student._pressure_quiet_weekdays(), {5, 6})
        self.assertTrue(self.student.pressure_quiet_sat)
        self.assertFalse(self.student.pressure_quiet_fri)
        self.student.sudo().write(Partner._pressure_quiet_day_values([0]))
        self.assertEqual(self.student._pressure_quiet_weekdays(), {0})

    def test_migration_moves_quiet_days_to_the_week_day_fields(self):
        """18.0.1.2.0 stored quiet days as a text of week day numbers in
        cmr_portal's column; the migration copies them into
        campaign_pressure's week day fields and renames the log lines."""
        cr = self.env.cr
        self.env.flush_all()
        cr.execute("ALTER TABLE res_partner ADD COLUMN cmr_quiet_weekdays varchar")
        other = self.env["res.partner"].create({"name": "Nobody Quiet"})
        weekend = self.env["res.partner"].create(
            {"name": "Weekend", "pressure_quiet_mon": True}
        )
        for partner, text in (
            (self.student, "0,6"),
            (weekend, "5,6"),
            (other, ""),
        ):
            cr.execute(
                "UPDATE res_partner SET cmr_quiet_weekdays = %s WHERE id = %s",
                (text, partner.id),
            )
        cr.execute(
            """INSERT INTO cmr_consent_log
                   (partner_id, date, source, field_name, old_code, new_code)
               VALUES (%s, now(), 'portal', 'cmr_quiet_weekdays', '', '0,6')
               RETURNING id""",
            (self.student.id,),
        )
        log = self.env["cmr.consent.log"].browse(cr.fetchone()[0])
        load_quiet_days_migration().migrate(cr, "18.0.1.2.0")
        self.env.invalidate_all()
        self.assertEqual(self.student._pressure_quiet_weekdays(), {0, 6})
        self.assertEqual(weekend._pressure_quiet_weekdays(), {5, 6})  # Monday gone
        self.assertFalse(other._pressure_quiet_weekdays())
        self.assertEqual(
            (log.field_name, log.old_code, log.new_code),
            ("pressure_quiet_days", "", "0,6"),
        )
        self.assertEqual(
            (log.field_label, log.new_value), ("Quiet days", "Monday, Sunday")
        )

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
                "pressure_quiet_sat": True,
                "pressure_quiet_sun": True,
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
        partner.write({"pressure_quiet_sun": True})
        engine = self.env["campaign.pressure.engine"]
        requests = [{"ref": partner.id, "partner_id": partner.id}]
        sunday = datetime(2026, 11, 22, 12, 0)
        monday = datetime(2026, 11, 23, 12, 0)
        decision = engine._pressure_evaluate(requests, "email", lock=False, now=sunday)[
            partner.id
        ]
        self.assertFalse(decision["allowed"])
        # until when: Monday, the next day that is not quiet
        self.assertEqual(decision["reason_code"], "quiet_day")
        self.assertEqual(decision["reason_args"], {"until": "2026-11-23 00:00:00"})
        monday_start = format_datetime(
            self.env, monday.replace(hour=0), dt_format="short"
        )
        self.assertEqual(
            decision["reason"],
            f"Quiet day of the person: nothing until {monday_start}.",
        )
        decision = engine._pressure_evaluate(requests, "email", lock=False, now=monday)[
            partner.id
        ]
        self.assertTrue(decision["allowed"])
        # transactional messages are never held back
        decision = engine._pressure_evaluate(
            requests, "email", message={"exempt": True}, lock=False, now=sunday
        )[partner.id]
        self.assertTrue(decision["allowed"])
