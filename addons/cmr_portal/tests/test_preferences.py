from odoo.exceptions import ValidationError
from odoo.fields import Command

from .common import CmrPortalCommon


class TestPreferences(CmrPortalCommon):
    def test_consent_log_on_change(self):
        self.student.with_context(cmr_consent_source="portal").sudo().write(
            {"pressure_max_contacts": 2, "pressure_period": "week"}
        )
        logs = self.student.cmr_consent_log_ids
        self.assertEqual(set(logs.mapped("field_name")), {"pressure_max_contacts", "pressure_period"})
        cap = logs.filtered(lambda log: log.field_name == "pressure_max_contacts")
        self.assertEqual((cap.old_value, cap.new_value, cap.source), ("0", "2", "portal"))
        # no change, no line
        self.student.sudo().write({"pressure_max_contacts": 2})
        self.assertEqual(len(self.student.cmr_consent_log_ids), 2)

    def test_quiet_weekdays_validated(self):
        with self.assertRaises(ValidationError):
            self.student.sudo().write({"cmr_quiet_weekdays": "7,<b>"})
        self.student.sudo().write({"cmr_quiet_weekdays": "5,6"})
        self.assertEqual(self.student._cmr_quiet_weekday_set(), {5, 6})

    def test_apply_preferences_blacklist_and_channels(self):
        self.student.sudo()._cmr_apply_preferences(
            {"pressure_blocked_channel_ids": [Command.set(self.channel_sms.ids)]}, set(), True, "portal"
        )
        self.assertTrue(self.student.is_blacklisted)
        self.assertEqual(self.student.pressure_blocked_channel_ids, self.channel_sms)
        self.assertIn("is_blacklisted", self.student.cmr_consent_log_ids.mapped("field_name"))
