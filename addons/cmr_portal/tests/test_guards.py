"""The models refuse what only a button, a view or a controller used to
refuse: each test replays an attack of the trust review (issue 11) as the
least-privileged user who could try it, through the ORM the way an RPC call
reaches it."""

import importlib.util
from datetime import datetime
from pathlib import Path
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError
from odoo.modules.module import get_manifest, get_module_path
from odoo.modules.registry import Registry
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import convert_file

from .common import CmrPortalDataMixin

CHANGED_RULES = (
    "mailing_trace_rule_portal",
    "campaign_pressure_contact_rule_portal",
    "edu_tuition_contract_rule_portal",
    "edu_tuition_instalment_rule_portal",
)


@tagged("post_install", "-at_install")
class TestCmrGuards(TransactionCase, CmrPortalDataMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._cmr_setup_data()
        cls.user_employee = new_test_user(
            cls.env,
            login="cmr_employee",
            groups="base.group_user,base.group_partner_manager",
            name="Erin Employee",
        )
        cls.user_marketing = new_test_user(
            cls.env,
            login="cmr_marketing",
            groups="mass_mailing.group_mass_mailing_user",
            name="Mona Marketing",
        )

    def _logs(self, partner):
        return self.env["cmr.consent.log"].search(
            [("partner_id", "=", partner.id)], order="id desc"
        )

    # ------------------------------------------------------------------
    # Finding 1: no production dependency on payment_demo
    # ------------------------------------------------------------------
    def test_manifest_does_not_depend_on_payment_demo(self):
        self.assertNotIn("payment_demo", get_manifest("cmr_portal")["depends"])
        module = self.env["ir.module.module"].search([("name", "=", "cmr_portal")])
        self.assertNotIn(
            "payment_demo", module.dependencies_id.mapped("name"), "in the database"
        )

    # ------------------------------------------------------------------
    # Finding 5: context keys from the client
    # ------------------------------------------------------------------
    def test_context_cannot_skip_or_forge_a_consent_line(self):
        """The keys the review found honoured from RPC change nothing: the
        change is logged, as made in the backend, by the caller."""
        attack = {"cmr_consent_skip_log": True, "cmr_consent_source": "portal"}
        self.other.with_user(self.user_staff).with_context(**attack).write(
            {"cmr_sponsor_consent": True}
        )
        log = self._logs(self.other)
        self.assertEqual(len(log), 1)
        self.assertEqual(
            (log.field_name, log.source, log.user_id),
            ("cmr_sponsor_consent", "backend", self.user_staff),
        )
        # a portal user's own language goes through res.users.write, which
        # writes the partner in sudo with the client's context: still logged
        self.env["res.lang"]._activate_lang("fr_FR")
        self.user_student.with_user(self.user_student).with_context(**attack).write(
            {"lang": "fr_FR"}
        )
        log = self._logs(self.student)
        self.assertEqual(len(log), 1)
        self.assertEqual((log.field_name, log.source), ("lang", "backend"))

    def test_consent_log_source_is_an_argument(self):
        changes = [
            {
                "partner_id": self.student.id,
                "field_name": "lang",
                "old_code": "",
                "new_code": "en_US",
            }
        ]
        with self.assertRaises(ValueError):
            self.env["cmr.consent.log"]._cmr_log(changes, "anything")
        log = (
            self.env["cmr.consent.log"]
            .with_context(cmr_consent_source="mailing")
            ._cmr_log(changes, "portal")
        )
        self.assertEqual(log.source, "portal")
        self.student.sudo()._cmr_write_logged({"pressure_max_contacts": 3}, "mailing")
        self.assertEqual(self._logs(self.student)[0].source, "mailing")

    def test_sponsor_consent_only_by_the_person_or_education_staff(self):
        with self.assertRaises(AccessError):
            self.student.with_user(self.user_employee).write(
                {"cmr_sponsor_consent": True}
            )
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.user_employee).create(
                {"name": "Consenting", "cmr_sponsor_consent": True}
            )
        self.assertFalse(self.student.cmr_sponsor_consent)
        # the same value written again is no change of the consent
        self.student.with_user(self.user_employee).write({"cmr_sponsor_consent": False})
        self.student.with_user(self.user_staff).write({"cmr_sponsor_consent": True})
        self.assertTrue(self.student.cmr_sponsor_consent)
        # a copy is another person: no consent of theirs yet
        copy = self.student.with_user(self.user_staff).copy({"name": "Stella Copy"})
        self.assertFalse(copy.cmr_sponsor_consent)

    # ------------------------------------------------------------------
    # Finding 9: caches, consent log readers, system fields
    # ------------------------------------------------------------------
    def test_preferences_never_flush_the_registry(self):
        partner = self.student.sudo()
        with patch.object(
            Registry, "clear_cache", autospec=True, side_effect=Registry.clear_cache
        ) as clear_cache:
            partner._cmr_apply_preferences(
                {
                    "pressure_quiet_sat": True,
                    "pressure_quiet_sun": True,
                    "pressure_max_contacts": 2,
                },
                set(),
                False,
                "portal",
            )
            partner.write({"pressure_quiet_sat": False})
            self.env["res.partner"].create({"name": "Q", "pressure_quiet_mon": True})
        self.assertEqual(clear_cache.call_count, 0)

    def test_quiet_days_follow_the_data(self):
        """Quiet days are columns the counting statement reads: a change is
        enforced at once, in this transaction, with no cache to forget."""
        Partner = self.env["res.partner"]
        engine = self.env["campaign.pressure.engine"]
        sunday = datetime(2026, 11, 22, 12, 0)

        def allowed(partner):
            requests = [{"ref": partner.id, "partner_id": partner.id}]
            return engine._pressure_evaluate(requests, "email", lock=False, now=sunday)[
                partner.id
            ]["allowed"]

        self.assertTrue(allowed(self.student))
        self.student.sudo()._cmr_apply_preferences(
            {"pressure_quiet_sun": True}, set(), False, "portal"
        )
        self.assertFalse(allowed(self.student))
        partner = Partner.create(
            {"name": "Quiet", "pressure_quiet_sun": True, "pressure_quiet_mon": True}
        )
        self.assertFalse(allowed(partner))
        self.student.write({"pressure_quiet_sun": False})
        self.assertTrue(allowed(self.student))

    def test_consent_log_readers(self):
        """IP addresses and browsers: education and marketing staff of the
        person's companies, and the person; no other employee."""
        company_b = self.env["res.company"].create({"name": "Other Campus"})
        person_b = self.env["res.partner"].create(
            {"name": "Bea", "company_id": company_b.id}
        )
        for partner in (self.student.sudo(), person_b):
            partner._cmr_apply_preferences(
                {"pressure_max_contacts": 2}, set(), False, "portal"
            )
        own = self._logs(self.student)
        Log = self.env["cmr.consent.log"]
        with self.assertRaises(AccessError):
            Log.with_user(self.user_employee).search([])
        with self.assertRaises(AccessError):
            self.student.with_user(self.user_employee).read(["cmr_consent_log_ids"])
        for user in (self.user_staff, self.user_marketing):
            with self.subTest(user=user.login):
                self.assertEqual(
                    Log.with_user(user).search(
                        [("partner_id", "in", (self.student | person_b).ids)]
                    ),
                    own,
                )
        self.assertEqual(Log.with_user(self.user_student).search([]), own)
        self.assertFalse(Log.with_user(self.user_other).search([]))

    def test_request_system_fields_refused(self):
        Request = self.env["cmr.request"].with_user(self.user_staff)
        request = self.request_other.with_user(self.user_staff)
        for vals in (
            {"state": "done"},
            {"document_id": self.document.id},
            {"partner_id": self.student.id},
            {"description": "Rewritten"},
            {"name": "REQ/FAKE"},
            {"refuse_reason": "No"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                request.write(vals)
        for vals in ({"state": "done"}, {"document_id": self.document.id}):
            with self.subTest(create=vals), self.assertRaises(AccessError):
                Request.create(
                    dict(
                        {
                            "partner_id": self.other.id,
                            "request_type": "other",
                            "description": "Q",
                        },
                        **vals,
                    )
                )
        self.assertEqual(
            (self.request_other.state, self.request_other.document_id.id),
            ("new", False),
        )
        # what staff do edit, and the transitions of the buttons
        request.write({"user_id": self.user_staff.id})
        request.action_start()
        self.assertEqual(self.request_other.state, "in_progress")
        with self.assertRaises(AccessError):
            request.action_approve()  # bursar only

    def test_request_transitions_refused_to_portal(self):
        """A portal user reads their own request: its buttons are no way to
        move it."""
        request = self.request.with_user(self.user_student)
        for action in ("action_start", "action_done", "action_refuse"):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(request, action)()
        with self.assertRaises(AccessError):
            request.action_issue_document()
        self.assertEqual(self.request.state, "new")

    def test_feedback_is_not_edited(self):
        feedback = self.env["cmr.feedback"].create(
            {"partner_id": self.student.id, "rating": "1", "comment": "Too much"}
        )
        staff_feedback = feedback.with_user(self.user_staff)
        for vals in ({"comment": "All good"}, {"rating": "5"}, {"state": "done"}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                staff_feedback.write(vals)
        self.assertEqual((feedback.rating, feedback.comment), ("1", "Too much"))
        with self.assertRaises(AccessError):
            feedback.with_user(self.user_student).action_done()
        with self.assertRaises(AccessError):
            feedback.with_user(self.user_employee).action_done()
        staff_feedback.action_done()
        self.assertEqual(feedback.state, "done")

    # ------------------------------------------------------------------
    # Findings 2 and 8: portal rules key on records, show what pages show
    # ------------------------------------------------------------------
    def test_trace_rule_keys_on_the_recipient(self):
        mailing = self.env["mailing.mailing"].create(
            {"name": "News", "subject": "News", "body_html": "<p>x</p>"}
        )
        contact = self.env["mailing.contact"].create(
            {"name": "Stella", "email": "stella@example.com"}
        )

        def trace(model, res_id, email):
            return self.env["mailing.trace"].create(
                {
                    "model": model,
                    "res_id": res_id,
                    "email": email,
                    "mass_mailing_id": mailing.id,
                    "trace_status": "sent",
                }
            )

        own = trace("res.partner", self.student.id, "old-address@example.com")
        trace("res.partner", self.other.id, "stella@example.com")  # the same email
        trace("mailing.contact", contact.id, "stella@example.com")
        self.student.sudo().phone = "+32 2 222 22 22"
        self.assertTrue(self.student.phone_sanitized)
        sms = trace("res.partner", self.other.id, False)
        sms.write({"trace_type": "sms", "sms_number": self.student.phone_sanitized})
        visible = self.env["mailing.trace"].with_user(self.user_student).search([])
        self.assertEqual(visible, own)

    def test_contact_log_rule_shows_calls_and_letters(self):
        rows = self.env["campaign.pressure.contact"].create(
            [
                {
                    "person_key": f"p:{self.student.id}",
                    "partner_id": self.student.id,
                    "channel": channel,
                    "source": source,
                    "state": "confirmed",
                }
                for channel, source in (("letter", "letter"), ("email", "mailing"))
            ]
        )
        visible = (
            self.env["campaign.pressure.contact"]
            .with_user(self.user_student)
            .search([])
        )
        self.assertEqual(visible, rows[0])

    def test_changed_rules_reach_existing_databases(self):
        """The rules live in a noupdate file: the migration of 18.0.1.1.0 makes
        an update rewrite them (here on rules holding the 18.0.1.0.0 domain)."""
        rules = {name: self.env.ref(f"cmr_portal.{name}") for name in CHANGED_RULES}
        expected = {name: rule.domain_force for name, rule in rules.items()}
        for rule in rules.values():
            rule.domain_force = "[('id', '!=', 0)]"  # any old domain
        path = (
            Path(get_module_path("cmr_portal"))
            / "migrations"
            / "18.0.1.1.0"
            / "pre-migrate.py"
        )
        spec = importlib.util.spec_from_file_location("cmr_portal_pre_1_1", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        self.assertEqual(set(migration.CHANGED_RULES), set(CHANGED_RULES))
        migration.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        convert_file(
            self.env,
            "cmr_portal",
            "security/cmr_portal_security.xml",
            {},
            mode="update",
            noupdate=True,
        )
        for name in CHANGED_RULES:
            with self.subTest(rule=name):
                rule = self.env.ref(f"cmr_portal.{name}")
                self.assertEqual(rule.domain_force, expected[name])
                self.assertEqual(rule.groups, self.env.ref("base.group_portal"))

    def test_consent_log_field_is_staff_only(self):
        field = self.env["res.partner"]._fields["cmr_consent_log_ids"]
        self.assertEqual(
            set(field.groups.split(",")),
            {"edu_crm.group_edu_user", "mass_mailing.group_mass_mailing_user"},
        )
        self.student.with_user(self.user_staff).write(
            {"pressure_blocked_channel_ids": [Command.set(self.channel_sms.ids)]}
        )
        self.assertTrue(self.student.with_user(self.user_staff).cmr_consent_log_ids)
