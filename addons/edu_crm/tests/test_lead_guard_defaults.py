import json

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import EduRecordsCommon


@tagged("post_install", "-at_install")
class TestLeadGuardDefaults(EduRecordsCommon):
    """The guards of an application's offer and online mark read what
    ``create`` would store as the system fields' mixin reads it: a default
    the user keeps for themselves (``ir.default``) sets a field as surely
    as a value or a context default (review finding: they read only the
    values and the context)."""

    def _lead_values(self):
        return {
            "name": "Application by hand",
            "type": "opportunity",
            "team_id": self.team.id,
        }

    def _with_personal_default(self, user, fname, value):
        """A default ``user`` keeps for themselves (ir.default is writable
        by every employee for their own user)."""
        field = self.env["ir.model.fields"]._get("crm.lead", fname)
        return (
            self.env["ir.default"]
            .with_user(user)
            .create(
                {
                    "field_id": field.id,
                    "json_value": json.dumps(value),
                    "user_id": user.id,
                }
            )
        )

    def test_personal_default_sets_no_offer_nor_online_mark(self):
        cases = (
            ("edu_offer_state", "accepted", "offer's buttons"),
            ("edu_is_online", True, "online application"),
            ("edu_checklist_state", "complete", "online application"),
        )
        Lead = self.env["crm.lead"]
        for user in (self.edu_user, self.salesman):
            for fname, value, words in cases:
                with self.subTest(user=user.login, field=fname):
                    default = self._with_personal_default(user, fname, value)
                    with self.assertRaisesRegex(AccessError, words):
                        Lead.with_user(user).create(self._lead_values())
                    default.unlink()
            # without such a default, the user's application is made as usual
            lead = Lead.with_user(user).create(
                dict(self._lead_values(), edu_is_online=False)
            )
            self.assertRecordValues(
                lead,
                [{"edu_offer_state": False, "edu_is_online": False}],
            )
