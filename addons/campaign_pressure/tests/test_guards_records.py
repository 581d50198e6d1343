"""The model is the boundary (continued from ``test_guards.py``): rules, the
contact log, the traces, internal scoring and the public methods."""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.models import MetaModel
from odoo.tests import tagged, users

from .guards_common import PressureGuardsCommon
from .pressure_surface import PUBLIC_METHODS


@tagged("post_install", "-at_install")
class TestPressureGuardsRecords(PressureGuardsCommon):
    # ------------------------------------------------------------------
    # Finding 3: rules, the contact log and the traces
    # ------------------------------------------------------------------

    def test_contact_log_is_append_only(self):
        contact = self._log_contacts(self.partner_a)
        Contact = self.env["campaign.pressure.contact"]
        for user in (self.user_marketing, self.user_pressure_manager):
            as_user = contact.with_user(user)
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    Contact.with_user(user).create(
                        {
                            "person_key": f"p:{self.partner_b.id}",
                            "partner_id": self.partner_b.id,
                            "channel": "email",
                            "source": "mailing",
                        }
                    )
                with self.assertRaises(AccessError):
                    as_user.write({"state": "released"})
                with self.assertRaises(AccessError):
                    as_user.unlink()
        contact.invalidate_recordset()
        self.assertEqual((contact.exists(), contact.state), (contact, "confirmed"))
        self.assertFalse(Contact.search([("partner_id", "=", self.partner_b.id)]))

    def test_rules_are_pressure_managers_only(self):
        """The model refuses, whatever access another module grants."""
        rule = self._create_rule(name="Kept", max_contacts=2)
        self.env["ir.model.access"].create(
            {
                "name": "too generous",
                "model_id": self.env["ir.model"]._get_id("campaign.pressure.rule"),
                "group_id": self.env.ref("base.group_user").id,
                "perm_read": True,
                "perm_write": True,
                "perm_create": True,
                "perm_unlink": True,
            }
        )
        vals = {"name": "Forged", "channel_ids": [Command.set(self.channel_email.ids)]}
        for user in (self.user_marketing, self.user_employee):
            Rule = self.env["campaign.pressure.rule"].with_user(user)
            with self.subTest(user=user.login):
                with self._refused(AccessError, "pressure manager"):
                    Rule.create(vals)
                for change in ({"max_contacts": 100}, {"active": False}):
                    with self._refused(AccessError, "pressure manager"):
                        Rule.browse(rule.id).write(change)
                with self._refused(AccessError, "pressure manager"):
                    Rule.browse(rule.id).unlink()
        rule.invalidate_recordset()
        self.assertEqual((rule.max_contacts, rule.active), (2, True))
        self.assertFalse(
            self.env["campaign.pressure.rule"].search([("name", "=", "Forged")])
        )
        as_manager = rule.with_user(self.user_pressure_manager)
        as_manager.max_contacts = 3
        as_manager.active = False
        self.assertEqual((rule.max_contacts, rule.active), (3, False))

    @users("user_marketing")
    def test_trace_status_does_not_give_budget_back(self):
        """Marking sent traces failed (Odoo's ``set_failed`` or a write) does
        not release the contacts: failed deliveries are reported by the
        server, as sudo."""
        self._create_rule(max_contacts=1)
        mailing = self._create_partner_mailing(self.partner_a.with_env(self.env))
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        traces = self._traces(mailing).with_env(self.env)
        traces.set_failed(failure_type="mail_smtp")
        traces.write({"trace_status": "cancel"})
        self.assertEqual(self._contacts(mailing).state, "confirmed")
        second = self._create_partner_mailing(self.partner_a.with_env(self.env))
        with self.mock_mail_gateway(mail_unlink_sent=False):
            second.action_send_mail()
        self.assertEqual(self._traces(second).failure_type, "pressure")

    @users("user_marketing")
    def test_trace_pressure_fields_are_the_engines(self):
        rule = self._create_rule(max_contacts=1)
        mailing = self._create_partner_mailing(self.partner_a.with_env(self.env))
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        trace = self._traces(mailing).with_env(self.env)
        for vals in (
            {"pressure_rule_id": rule.id},
            {"pressure_count": 9, "pressure_threshold": 1},
            {"pressure_postponed_until": fields.Datetime.now()},
            {"failure_type": "pressure"},
            {"pressure_reason": "quiet_hours"},
            {"pressure_reason_args": {"count": 9}},
        ):
            with (
                self.subTest(vals=vals),
                self._refused(AccessError, "pressure engine"),
            ):
                trace.write(vals)
        with self._refused(AccessError, "pressure engine"):
            self.env["mailing.trace"].create(
                {
                    "mass_mailing_id": mailing.id,
                    "model": "res.partner",
                    "res_id": self.partner_b.id,
                    "trace_status": "cancel",
                    "failure_type": "pressure",
                    "pressure_rule_id": rule.id,
                }
            )
        trace.invalidate_recordset()
        self.assertFalse(trace.pressure_rule_id or trace.failure_type)
        self.assertEqual(len(self._traces(mailing)), 1)

    @users("user_marketing")
    def test_retyped_or_moved_call_is_checked(self):
        """A to-do turned into a marketing call, or a call moved to another
        person, is checked and reserved as a new call."""
        self._create_rule(max_contacts=1, phone_action="block")
        self._log_contacts(self.partner_a)
        partner_a, partner_b, partner_c = self.partners[:3].with_env(self.env)
        todo = self._activity(partner_a, self.todo_type)
        with self._refused(UserError, "cannot be scheduled"):
            todo.activity_type_id = self.call_type
        todo.invalidate_recordset()
        self.assertEqual(todo.activity_type_id, self.todo_type)
        self.assertFalse(self._call_contacts(todo))
        call = self._activity(partner_b, self.call_type)
        with self._refused(UserError, "cannot be scheduled"):
            call.res_id = partner_a.id
        call.invalidate_recordset()
        self.assertEqual(call.res_id, partner_b.id)
        self.assertEqual(self._call_contacts(call).partner_id, partner_b)
        call.res_id = partner_c.id
        logged = self._call_contacts(call)
        self.assertEqual(
            {(c.partner_id, c.state) for c in logged},
            {(partner_b, "released"), (partner_c, "reserved")},
        )

    @users("user_marketing")
    def test_letter_wizard_result_not_forgeable(self):
        Letter = self.env["campaign.pressure.letter"]
        partner_a = self.partner_a.with_env(self.env)
        for vals in (
            {"state": "done"},
            {"logged_count": 40},
            {"held_partner_ids": [Command.set(partner_a.ids)]},
        ):
            with (
                self.subTest(vals=vals),
                self._refused(AccessError, "written by the log"),
            ):
                Letter.create(dict(vals, partner_ids=[Command.set(partner_a.ids)]))
        wizard = Letter.create({"partner_ids": [Command.set(partner_a.ids)]})
        with self._refused(AccessError, "written by the log"):
            wizard.write({"logged_count": 40})
        wizard.action_log()
        self.assertEqual((wizard.state, wizard.logged_count), ("done", 1))
        with self._refused(UserError, "already logged"):
            wizard.action_log()
        logged = self.env["campaign.pressure.contact"].search(
            [("partner_id", "=", partner_a.id), ("source", "=", "letter")]
        )
        self.assertEqual(len(logged), 1)

    @users("user_marketing")
    def test_check_figures_not_forgeable(self):
        """The figures of a pressure check (and of the Send confirmation)
        are the check's: a client cannot write them, nor add lines."""
        mailing = self._create_partner_mailing(self.partners.with_env(self.env))
        Simulation = self.env["campaign.pressure.simulation"]
        for vals in ({"held_count": 0}, {"send_count": 99}, {"exempt_count": 3}):
            with (
                self.subTest(vals=vals),
                self._refused(AccessError, "written by the check"),
            ):
                Simulation.create(dict(vals, mailing_id=mailing.id))
        simulation = Simulation.browse(mailing.action_confirm_send()["res_id"])
        with self._refused(AccessError, "written by the check"):
            simulation.write({"held_count": 0})
        with self._refused(AccessError, "written by the check"):
            simulation.write({"rule_line_ids": [Command.create({"held_count": 7})]})
        for model in (
            "campaign.pressure.simulation.rule",
            "campaign.pressure.simulation.recipient",
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].create({"simulation_id": simulation.id})
        # the confirmation sends what Odoo's Send button sends, once
        simulation.action_send()
        self.assertEqual(mailing.state, "in_queue")
        with self._refused(UserError, "already sent or queued"):
            simulation.action_send()
        with self._refused(UserError, "already sent or queued"):
            mailing.action_confirm_send()

    # ------------------------------------------------------------------
    # Finding 8: internal scoring is staff-only
    # ------------------------------------------------------------------

    def test_internal_scoring_not_readable_by_portal_nor_staff(self):
        self.user_portal.partner_id._pressure_cooldown("feedback")
        scoring = [
            "pressure_cooldown_until",
            "pressure_cooldown_reason",
            "pressure_contact_count",
        ]
        for user in (self.user_portal, self.user_employee):
            partner = user.partner_id.with_user(user)
            for fname in scoring:
                with self.subTest(user=user.login, field=fname):
                    with self.assertRaises(AccessError):
                        partner.read([fname])
            for fname in scoring[:2]:  # stored: an oracle through search
                with self.subTest(user=user.login, field=fname):
                    with self.assertRaises(AccessError):
                        partner.search([(fname, "!=", False)])
            self.assertNotIn(
                "pressure_cooldown_reason", partner.fields_get(attributes=["string"])
            )
            # what the portal shows the person stays theirs to read
            self.assertEqual(
                partner.read(["pressure_max_contacts"])[0]["pressure_max_contacts"], 0
            )
        marketing = self.user_portal.partner_id.with_user(self.user_marketing)
        self.assertEqual(marketing.pressure_cooldown_reason, "feedback")

    @users("user_marketing")
    def test_cooldown_ends_by_a_manager_only(self):
        partner = self.partner_a.with_env(self.env)
        partner._pressure_cooldown("complaint")
        until = partner.pressure_cooldown_until
        for value in (False, fields.Datetime.now()):
            with (
                self.subTest(value=value),
                self._refused(AccessError, "pressure manager"),
            ):
                partner.write({"pressure_cooldown_until": value})
        partner.invalidate_recordset()
        self.assertEqual(partner.pressure_cooldown_until, until)
        # extending it lowers the room: anyone who may edit the person
        partner.pressure_cooldown_until = until + timedelta(days=1)
        partner.with_user(self.user_pressure_manager).pressure_cooldown_until = False
        self.assertFalse(partner.pressure_cooldown_until)

    # ------------------------------------------------------------------
    # Public methods
    # ------------------------------------------------------------------

    def test_buttons_check_their_caller(self):
        mailing = self._create_partner_mailing(self.partner_a)
        for user in (self.user_portal, self.user_employee):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    user.partner_id.with_user(user).action_view_pressure_contacts()
                with self.assertRaises(AccessError):
                    mailing.with_user(user).action_view_pressure_held()
                with self.assertRaises(AccessError):
                    mailing.with_user(user).action_check_pressure()
                with self.assertRaises(AccessError):
                    mailing.with_user(user).action_confirm_send()
        action = self.partner_a.with_user(
            self.user_marketing
        ).action_view_pressure_contacts()
        self.assertEqual(action["domain"], [("partner_id", "=", self.partner_a.id)])

    def test_public_surface_is_reviewed(self):
        """Every public method campaign_pressure defines (on its own models
        and the models it extends) is in the reviewed table, and nothing
        else."""
        found = set()
        for cls in MetaModel.module_to_models["campaign_pressure"]:
            model_name = cls._name or cls._inherit
            for name, member in vars(cls).items():
                if not name.startswith("_") and callable(member):
                    found.add((model_name, name))
        self.assertTrue(found)
        self.assertEqual(sorted(found - set(PUBLIC_METHODS)), [], "not reviewed")
        self.assertEqual(sorted(set(PUBLIC_METHODS) - found), [], "gone: update")
