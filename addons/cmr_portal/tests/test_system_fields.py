"""The one guard of the system fields (``edu.system.fields.mixin``) on the
portal's requests: what a new request would store is checked, the defaults a
client sends in its context and the user's own ``ir.default`` included."""

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from .common import CmrPortalDataMixin


@tagged("post_install", "-at_install")
class TestRequestSystemFields(TransactionCase, CmrPortalDataMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._cmr_setup_data()

    def _values(self):
        return {
            "partner_id": self.other.id,
            "request_type": "other",
            "description": "Q",
        }

    def test_plain_request_gets_its_number_and_state(self):
        request = (
            self.env["cmr.request"].with_user(self.user_staff).create(self._values())
        )
        self.assertEqual(request.state, "new")
        self.assertNotIn(request.name, (False, "/"))

    def test_context_defaults_of_system_fields_refused(self):
        Request = self.env["cmr.request"].with_user(self.user_staff)
        for key, value in (
            ("default_state", "done"),
            ("default_name", "REQ/FAKE"),
            ("default_refuse_reason", "No"),
        ):
            with (
                self.subTest(key=key),
                self.assertRaisesRegex(AccessError, "set by the system"),
            ):
                Request.with_context(**{key: value}).create(self._values())
        self.assertFalse(
            self.env["cmr.request"].search(
                ["|", ("name", "=", "REQ/FAKE"), ("refuse_reason", "=", "No")]
            )
        )

    def test_personal_default_of_a_system_field_refused(self):
        self.env["ir.default"].set(
            "cmr.request", "state", "done", user_id=self.user_staff.id
        )
        with self.assertRaisesRegex(AccessError, "set by the system"):
            self.env["cmr.request"].with_user(self.user_staff).create(self._values())
        # the same create as the superuser (the system) is not refused
        request = (
            self.env["cmr.request"]
            .with_user(self.user_staff)
            .sudo()
            .create(self._values())
        )
        self.assertEqual(request.state, "done")
