from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time
from odoo import Command
from odoo.addons.campaign_pressure.wizard import mail_compose_message as compose_module
from odoo.tests import tagged, users

from .common import PressureCommon


@tagged("post_install", "-at_install")
class TestPressureSend(PressureCommon):
    """Enforcement in Odoo's own send paths, with Odoo's mail/SMS mocks."""

    @users("user_marketing")
    def test_email_mailing_held_back(self):
        rule = self._create_rule(name="Two per month", max_contacts=2)
        self._log_contacts(self.partner_a, days_ago=3)
        self._log_contacts(self.partner_a, days_ago=4)
        partners = self.partners.with_env(self.env)
        mailing = self._create_partner_mailing(partners)
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        traces = self._traces(mailing)
        self.assertEqual(len(traces), 5)
        held = traces.filtered(lambda t: t.failure_type == "pressure")
        self.assertEqual(held.mapped("res_id"), [self.partner_a.id])
        self.assertEqual(held.trace_status, "cancel")
        self.assertEqual(held.pressure_rule_id, rule)
        self.assertEqual((held.pressure_count, held.pressure_threshold), (2, 2))
        # stored as a code with its arguments, not as English text
        self.assertEqual(held.pressure_reason, "rule")
        self.assertFalse(held.failure_reason)
        self.assertIn("Two per month", held.pressure_reason_text)
        self.assertEqual(set((traces - held).mapped("trace_status")), {"sent"})
        # nothing sent to the saturated person
        self.assertNotSentEmail([self.partner_a])
        self.assertSentEmail(self.env.user.partner_id, [self.partner_b])
        # statistics and drill-down
        self.assertEqual(mailing.pressure_held_count, 1)
        action = mailing.action_view_pressure_held()
        self.assertEqual(self.env["mailing.trace"].search(action["domain"]), held)
        # the others are logged and confirmed once sent
        logged = self.env["campaign.pressure.contact"].search(
            [("mailing_id", "=", mailing.id)]
        )
        self.assertEqual(logged.partner_id, partners - self.partner_a)
        self.assertEqual(set(logged.mapped("state")), {"confirmed"})
        self.assertEqual(set(logged.mapped("channel")), {"email"})
        # a mailing's log rows name no user: the sender is on the mailing
        self.assertFalse(logged.user_id)

    @users("user_marketing")
    def test_email_waits_for_the_end_of_quiet_hours(self):
        """A recipient in quiet hours gets the email when they end: Odoo's
        queue holds it (scheduled date), the trace says until when, and the
        budget is reserved."""
        self.partner_a.sudo().write(
            {"tz": "Europe/Kyiv", "pressure_quiet_from": 21.0, "pressure_quiet_to": 8.0}
        )
        partners = (self.partner_a | self.partner_b).with_env(self.env)
        mailing = self._create_partner_mailing(partners)
        with (
            freeze_time("2026-01-10 20:30:00"),  # 22:30 in Kyiv
            self.mock_mail_gateway(mail_unlink_sent=False),
        ):
            mailing.action_send_mail()
        traces = self._traces(mailing)
        trace_a = traces.filtered(lambda t: t.res_id == self.partner_a.id)
        self.assertEqual(trace_a.trace_status, "outgoing")
        self.assertEqual(trace_a.pressure_postponed_until, datetime(2026, 1, 11, 6, 0))
        self.assertEqual(
            trace_a.sudo().mail_mail_id.scheduled_date, datetime(2026, 1, 11, 6, 0)
        )
        self.assertNotSentEmail([self.partner_a])
        self.assertSentEmail(self.env.user.partner_id, [self.partner_b])
        logged = self.env["campaign.pressure.contact"].search(
            [("mailing_id", "=", mailing.id)]
        )
        self.assertEqual(logged.partner_id, partners)

    @users("user_marketing")
    def test_email_second_mailing_and_failure_release(self):
        self._create_rule(max_contacts=1)
        partners = (self.partner_a | self.partner_b).with_env(self.env)
        first = self._create_partner_mailing(partners)
        with self.mock_mail_gateway(mail_unlink_sent=False):
            first.action_send_mail()
        traces = self._traces(first)
        # the delivery fails afterwards (as mail.mail does on SMTP errors: the
        # mail queue runs as superuser, the composer's mails are sudo)
        traces.sudo().set_failed(failure_type="mail_smtp")
        self.assertEqual(set(traces.mapped("trace_status")), {"error"})
        logged = self.env["campaign.pressure.contact"].search(
            [("mailing_id", "=", first.id)]
        )
        self.assertEqual(
            set(logged.mapped("state")), {"released"}, "failed sends release the budget"
        )
        second = self._create_partner_mailing(partners)
        with self.mock_mail_gateway(mail_unlink_sent=False):
            second.action_send_mail()
        self.assertEqual(set(self._traces(second).mapped("trace_status")), {"sent"})
        third = self._create_partner_mailing(partners)
        with self.mock_mail_gateway(mail_unlink_sent=False):
            third.action_send_mail()
        self.assertEqual(set(self._traces(third).mapped("failure_type")), {"pressure"})

    @users("user_marketing")
    def test_mailing_contact_shares_partner_budget(self):
        """A list contact with the email of a partner uses the partner's budget."""
        self._create_rule(max_contacts=1)
        self._log_contacts(self.partner_a)
        mailing_list = self.env["mailing.list"].create(
            {
                "name": "Applicants",
                "contact_ids": [
                    Command.create(
                        {"name": "Same person", "email": self.partner_a.email}
                    ),
                    Command.create(
                        {"name": "Stranger", "email": "stranger@pressure.test"}
                    ),
                ],
            }
        )
        mailing = self.env["mailing.mailing"].create(
            {
                "name": "List mailing",
                "subject": "List mailing",
                "body_html": "<p>Hi</p>",
                "mailing_model_id": self.env["ir.model"]._get("mailing.list").id,
                "contact_list_ids": [Command.set(mailing_list.ids)],
            }
        )
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        traces = self._traces(mailing)
        held = traces.filtered(lambda t: t.failure_type == "pressure")
        self.assertEqual(held.email, self.partner_a.email_normalized)
        self.assertEqual(len(traces - held), 1)
        logged = self.env["campaign.pressure.contact"].search(
            [("mailing_id", "=", mailing.id)]
        )
        self.assertEqual(logged.person_key, "e:stranger@pressure.test")

    @users("pressure_manager")
    def test_transactional_mailing_exempt(self):
        """Marking a mailing transactional is a pressure manager's decision
        (a marketing user is refused: see test_guards)."""
        self._create_rule(max_contacts=1, scope="all")
        self._log_contacts(self.partner_a)
        mailing = self._create_partner_mailing(
            self.partner_a.with_env(self.env), pressure_exempt=True
        )
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        self.assertEqual(self._traces(mailing).trace_status, "sent")
        logged = self.env["campaign.pressure.contact"].search(
            [("mailing_id", "=", mailing.id)]
        )
        self.assertTrue(logged.is_transactional, "exempt messages are still counted")

    def test_composer_mass_mode(self):
        """The composer in mass mode with a mailing (as from a list view)."""
        self._create_rule(max_contacts=1)
        self._log_contacts(self.partner_a)
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.user_marketing)
            .with_context(
                active_ids=(self.partner_a | self.partner_b).ids,
                default_composition_mode="mass_mail",
            )
            .create(
                {
                    "body": "<p>Hi</p>",
                    "subject": "From the composer",
                    "composition_mode": "mass_mail",
                    "mass_mailing_name": "Composer mailing",
                    "model": "res.partner",
                }
            )
        )
        with self.mock_mail_gateway(mail_unlink_sent=False):
            composer._action_send_mail()
        mailing = composer.mass_mailing_id
        self.assertTrue(mailing)
        traces = self._traces(mailing)
        self.assertEqual(
            traces.filtered(lambda t: t.failure_type == "pressure").res_id,
            self.partner_a.id,
        )
        self.assertEqual(mailing.pressure_held_count, 1)

    def test_queue_cron_path(self):
        self._create_rule(max_contacts=1)
        self._log_contacts(self.partner_b)
        mailing = self._create_partner_mailing(self.partner_a | self.partner_b)
        mailing.action_put_in_queue()
        with self.mock_mail_gateway(mail_unlink_sent=False):
            self.env["mailing.mailing"]._process_mass_mailing_queue()
        self.assertEqual(mailing.state, "done")
        traces = self._traces(mailing)
        self.assertEqual(
            traces.filtered(lambda t: t.failure_type == "pressure").res_id,
            self.partner_b.id,
        )

    @users("user_marketing")
    def test_sms_mailing_held_back(self):
        rule = self._create_rule(
            name="One SMS a week",
            max_contacts=1,
            window_days=7,
            channel_ids=[Command.set(self.channel_sms.ids)],
        )
        self._log_contacts(self.partner_a, channel="sms", days_ago=2)
        self._log_contacts(self.partner_b, channel="email", days_ago=2)
        self.partner_c.sudo().pressure_blocked_channel_ids = [
            Command.set(self.channel_sms.ids)
        ]
        partners = self.partners.with_env(self.env)
        mailing = self._create_partner_mailing(
            partners, mailing_type="sms", sms_force_send=True
        )
        with self.mockSMSGateway():
            mailing.action_send_sms()
        traces = self._traces(mailing)
        held = traces.filtered(lambda t: t.failure_type == "pressure")
        self.assertEqual(
            set(held.mapped("res_id")), {self.partner_a.id, self.partner_c.id}
        )
        self.assertEqual(set(held.mapped("trace_status")), {"cancel"})
        held_a = held.filtered(lambda t: t.res_id == self.partner_a.id)
        self.assertEqual(held_a.pressure_rule_id, rule)
        held_c = held.filtered(lambda t: t.res_id == self.partner_c.id)
        self.assertEqual(held_c.pressure_reason, "blocked_channel")
        self.assertIn("blocked", held_c.pressure_reason_text)
        sent_numbers = {sms["number"] for sms in self._sms}
        self.assertNotIn(self.partner_a.phone_sanitized, sent_numbers)
        self.assertIn(self.partner_b.phone_sanitized, sent_numbers)
        self.assertEqual(len(sent_numbers), 3)
        self.assertEqual(mailing.pressure_held_count, 2)
        logged = self.env["campaign.pressure.contact"].search(
            [("mailing_id", "=", mailing.id)]
        )
        self.assertEqual(len(logged), 3)
        self.assertEqual(set(logged.mapped("channel")), {"sms"})


@tagged("post_install", "-at_install")
class TestPressureReserveAhead(PressureCommon):
    """A mass email send reserves its recipients a chunk at a time, ahead of
    Odoo's batches of 50."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("mail.batch_size", 50)
        cls.crowd = cls.env["res.partner"].create(
            [
                {"name": f"Crowd {i}", "email": f"crowd{i}@pressure.test"}
                for i in range(150)
            ]
        )

    def test_one_counting_statement_for_three_batches(self):
        """150 recipients, 3 batches of 50: one counting statement, for all
        of them; the log has one reservation per recipient."""
        self._create_rule(max_contacts=5)
        self._log_contacts(self.crowd[:10], days_ago=1, weight=5)  # saturated
        engine_cls = type(self.env["campaign.pressure.engine"])
        real_query = engine_cls._pressure_query
        statements = []

        def counted(engine, requests, *args, **kwargs):
            statements.append(len(requests))
            return real_query(engine, requests, *args, **kwargs)

        mailing = self._create_partner_mailing(self.crowd)
        with (
            patch.object(engine_cls, "_pressure_query", counted),
            self.mock_mail_gateway(mail_unlink_sent=False),
        ):
            mailing.action_send_mail()
        self.assertEqual(statements, [150])
        traces = self._traces(mailing)
        self.assertEqual(len(traces), 150)
        held = traces.filtered(lambda t: t.failure_type == "pressure")
        self.assertEqual(sorted(held.mapped("res_id")), sorted(self.crowd[:10].ids))
        logged = self.env["campaign.pressure.contact"].search(
            [("mailing_id", "=", mailing.id)]
        )
        self.assertEqual(logged.partner_id, self.crowd[10:])
        self.assertEqual(len(logged), 140)

    def test_odoo_cancellations_release_the_reservation(self):
        """A recipient Odoo itself cancels (blacklisted) was reserved ahead:
        the reservation is released with its batch."""
        self._create_rule(max_contacts=5)
        self.env["mail.blacklist"].sudo()._add(self.partner_b.email)
        mailing = self._create_partner_mailing(self.partners)
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        trace_b = self._traces(mailing).filtered(
            lambda t: t.res_id == self.partner_b.id
        )
        self.assertEqual(trace_b.failure_type, "mail_bl")
        logged = self.env["campaign.pressure.contact"].search(
            [("mailing_id", "=", mailing.id)]
        )
        by_partner = {c.partner_id: c.state for c in logged}
        self.assertEqual(by_partner.pop(self.partner_b), "released")
        self.assertEqual(set(by_partner.values()), {"confirmed"})

    def test_interrupted_send_leaves_no_stale_reservation(self):
        """Reservations of a send interrupted before its mails were created
        do not count against the same people when the send resumes: the
        resumed send reuses them (more in test_send_leftovers.py)."""
        self._create_rule(max_contacts=1)
        mailing = self._create_partner_mailing(self.partner_a | self.partner_b)
        stale = self._log_contacts(
            self.partner_a,
            days_ago=0,
            state="reserved",
            mailing_id=mailing.id,
            res_model="res.partner",
            res_id=self.partner_a.id,
        )
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        self.assertEqual(stale.state, "confirmed")
        traces = self._traces(mailing)
        self.assertEqual(set(traces.mapped("trace_status")), {"sent"})
        self.assertEqual(len(traces), 2)
        logged = self.env["campaign.pressure.contact"].search(
            [("mailing_id", "=", mailing.id), ("partner_id", "=", self.partner_a.id)]
        )
        self.assertEqual(logged, stale, "one reservation per recipient")

    def test_recipient_other_than_record_checked_in_batch(self):
        """When the mail goes to someone else than the record named when
        reserving ahead, the batch checks the actual person and releases the
        reservation made for the other one."""
        self._create_rule(max_contacts=1)
        self._log_contacts(self.partner_a)
        engine_cls = type(self.env["campaign.pressure.engine"])
        real_requests = engine_cls._pressure_requests

        def misnamed(engine, model, res_ids, channel):
            requests = real_requests(engine, model, res_ids, channel)
            for request in requests:
                if request["ref"] == self.partner_a.id:
                    request["partner_id"] = self.partner_c.id
            return requests

        mailing = self._create_partner_mailing(self.partner_a | self.partner_b)
        with (
            patch.object(engine_cls, "_pressure_requests", misnamed),
            self.mock_mail_gateway(mail_unlink_sent=False),
        ):
            mailing.action_send_mail()
        held = self._traces(mailing).filtered(lambda t: t.failure_type == "pressure")
        self.assertEqual(held.res_id, self.partner_a.id)
        logged = self.env["campaign.pressure.contact"].search(
            [("mailing_id", "=", mailing.id)]
        )
        self.assertEqual(
            {(c.partner_id, c.state) for c in logged},
            {(self.partner_c, "released"), (self.partner_b, "confirmed")},
        )

    def test_batches_out_of_order_reserve_each_record_once(self):
        """Batches that do not follow the send's order are screened on their
        own; a later chunk skips what was screened already."""
        self._create_rule(max_contacts=5)
        crowd = self.crowd[:120]
        mailing = self._create_partner_mailing(crowd)
        composer = self.env["mail.compose.message"].create(
            {
                "body": "<p>Hi</p>",
                "composition_mode": "mass_mail",
                "mass_mailing_id": mailing.id,
                "model": "res.partner",
                "subject": "Out of order",
            }
        )
        ids = crowd.ids
        sending = self.env["campaign.pressure.engine"]._pressure_sending()
        sending[mailing.id] = {
            "ahead": {"res_ids": ids, "pos": 0, "seen": set(), "decisions": {}}
        }
        try:
            with patch.object(compose_module, "AHEAD_CHUNK", 50):
                for batch in (ids[60:110], ids[0:50], ids[50:100], ids[100:120]):
                    decisions = composer._pressure_ahead(batch)
                    self.assertTrue(set(batch) <= set(decisions))
        finally:
            sending.pop(mailing.id, None)
        logged = self.env["campaign.pressure.contact"].search(
            [("mailing_id", "=", mailing.id)]
        )
        self.assertEqual(len(logged), 120)
        self.assertEqual(logged.partner_id, crowd)
