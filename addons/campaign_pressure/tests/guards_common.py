"""The users and helpers of the guard tests (``test_guards*.py``)."""

from contextlib import contextmanager

from odoo.tests import new_test_user

from .common import PressureCommon


class PressureGuardsCommon(PressureCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_portal_user()
        cls.call_type = cls.env.ref(
            "campaign_pressure.mail_activity_type_marketing_call"
        )
        cls.todo_type = cls.env.ref("mail.mail_activity_data_todo")
        # an administrator who is not a pressure manager
        cls.user_settings_admin = new_test_user(
            cls.env,
            login="settings_admin",
            groups="base.group_user,base.group_system",
            name="Sam Settings",
        )

    @contextmanager
    def _refused(self, exception, regex):
        """assertRaisesRegex, rolled back to a savepoint as Odoo's
        assertRaises (what the refused call wrote is undone, as the RPC
        request's transaction would be)."""
        with self.assertRaises(exception) as refusal:
            yield refusal
        self.assertRegex(str(refusal.exception), regex)

    def _contacts(self, mailing):
        return (
            self.env["campaign.pressure.contact"]
            .sudo()
            .search([("mailing_id", "=", mailing.id)])
        )

    def _activity(self, partner, activity_type):
        return self.env["mail.activity"].create(
            {
                "activity_type_id": activity_type.id,
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": partner.id,
            }
        )

    def _call_contacts(self, activity):
        return (
            self.env["campaign.pressure.contact"]
            .sudo()
            .search([("res_model", "=", "mail.activity"), ("res_id", "=", activity.id)])
        )
