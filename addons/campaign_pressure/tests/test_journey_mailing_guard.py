import json
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged, users
from odoo.tools import mute_logger

from .test_journey_common import JourneyCommon

REFUSED = "only the journey sends it"
# the context key the runner sent its steps' mailings with before
# 18.0.1.3.0: any caller can set it, so it must change nothing
FORGED = {"campaign_journey_send": None}


@tagged("post_install", "-at_install")
class TestJourneyMailingGuard(JourneyCommon):
    """A step's mailing is sent by the journey runner alone: every send
    entry point of Odoo's refuses it to a marketing user (it would go to the
    mailing's domain or to records the caller names, not to the journey's
    participants), whatever the context says."""

    def setUp(self):
        super().setUp()
        _journey, (self.email, self.sms) = self._journey(
            [self._email_step(), {"kind": "sms", "body_plaintext": "Hi"}]
        )
        # what a marketing user could do to reach everyone
        (self.email.mailing_id | self.sms.mailing_id).with_user(
            self.user_marketing
        ).write({"mailing_domain": repr([("id", "in", self.partners.ids)])})

    def _mailing(self, step, **context):
        return step.mailing_id.with_user(self.user_marketing).with_context(**context)

    def _assert_refused(self, call, step):
        with self.mock_mail_gateway(mail_unlink_sent=False), self.mockSMSGateway():
            with self.assertRaisesRegex(Exception, REFUSED) as caught:
                call()
        self.assertEqual(type(caught.exception).__name__, "UserError")
        self.assertFalse(self._traces(step.mailing_id))
        self.assertFalse(self._mails)
        self.assertFalse(self._sms)
        self.assertEqual(step.mailing_id.state, "draft")

    def test_send_now_is_refused(self):
        for step in (self.email, self.sms):
            with self.subTest(kind=step.kind):
                self._assert_refused(self._mailing(step).action_send_mail, step)
                self._assert_refused(
                    lambda s=step: self._mailing(s).action_send_mail(self.partners.ids),
                    step,
                )

    def test_best_channel_send_is_refused(self):
        # a best-channel send plans calls and letters past Odoo's send
        self.email.mailing_id.write(
            {
                "best_channel": True,
                "best_channel_ids": [
                    (6, 0, (self.channel_email | self.channel_phone).ids)
                ],
            }
        )
        self._assert_refused(self._mailing(self.email).action_send_mail, self.email)
        self.assertFalse(
            self.env["mail.activity"].search(
                [("res_model", "=", "res.partner"), ("res_id", "in", self.partners.ids)]
            )
        )

    def _best_channel_calls_and_letters(self):
        self.partners.write({"street": "1 Main St", "city": "Kyiv"})
        self.email.mailing_id.write(
            {
                "best_channel": True,
                "best_channel_ids": [
                    (6, 0, (self.channel_phone | self.channel_letter).ids)
                ],
            }
        )

    def _assert_nothing_planned(self):
        self.assertFalse(
            self.env["mail.activity"].search(
                [("res_model", "=", "res.partner"), ("res_id", "in", self.partners.ids)]
            )
        )
        self.assertFalse(
            self.env["campaign.pressure.contact"].search(
                [("mailing_id", "=", self.email.mailing_id.id)]
            )
        )

    def test_queue_send_refuses_a_best_channel_step_first(self):
        # the send of Odoo's queue cron (_action_send_mail): refused before
        # the plan makes its calls and logs its letters (a plan of calls and
        # letters alone never reaches Odoo's email send)
        self._best_channel_calls_and_letters()
        self._assert_refused(self.email.mailing_id._action_send_mail, self.email)
        self._assert_nothing_planned()

    def test_queue_cron_refuses_a_best_channel_step(self):
        self._best_channel_calls_and_letters()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mailing_mailing SET state = 'in_queue' WHERE id = %s",
            [self.email.mailing_id.id],
        )
        self.env.invalidate_all()
        with self.mock_mail_gateway(mail_unlink_sent=False):
            with self.assertRaisesRegex(Exception, REFUSED):
                self.env["mailing.mailing"]._process_mass_mailing_queue()
        self._assert_nothing_planned()

    def test_send_sms_is_refused(self):
        self._assert_refused(self._mailing(self.sms).action_send_sms, self.sms)

    def test_queue_launch_and_retry_are_refused(self):
        for step in (self.email, self.sms):
            mailing = self._mailing(step)
            for method in ("action_put_in_queue", "action_launch"):
                with self.subTest(kind=step.kind, method=method):
                    self._assert_refused(getattr(mailing, method), step)
            with self.subTest(kind=step.kind, method="action_retry_failed"):
                self._assert_refused(mailing.action_retry_failed, step)
            with self.subTest(kind=step.kind, method="write"):
                for state in ("in_queue", "sending"):
                    self._assert_refused(
                        lambda m=mailing, s=state: m.write({"state": s}), step
                    )

    def test_schedule_is_refused(self):
        mailing = self._mailing(self.email)
        # no date yet: Odoo opens its date wizard, which queues the mailing
        self._assert_refused(mailing.action_schedule, self.email)
        wizard = self.env["mailing.mailing.schedule.date"].with_user(
            self.user_marketing
        )
        wizard = wizard.create(
            {
                "mass_mailing_id": mailing.id,
                "schedule_date": fields.Datetime.now() + timedelta(days=1),
            }
        )
        self._assert_refused(wizard.action_schedule_date, self.email)
        mailing.schedule_date = fields.Datetime.now() + timedelta(days=1)
        self._assert_refused(mailing.action_schedule, self.email)

    def test_test_sends_are_refused(self):
        for step in (self.email, self.sms):
            with self.subTest(kind=step.kind):
                self._assert_refused(self._mailing(step).action_test, step)
        email_test = (
            self.env["mailing.mailing.test"]
            .with_user(self.user_marketing)
            .create(
                {"mass_mailing_id": self.email.mailing_id.id, "email_to": "t@x.test"}
            )
        )
        self._assert_refused(email_test.send_mail_test, self.email)
        sms_test = (
            self.env["mailing.sms.test"]
            .with_user(self.user_marketing)
            .create({"mailing_id": self.sms.mailing_id.id, "numbers": "+32470112233"})
        )
        self._assert_refused(sms_test.action_send_sms, self.sms)

    def test_composers_made_by_hand_are_refused(self):
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.user_marketing)
            .with_context(active_ids=self.partners.ids)
            .create(
                {
                    "composition_mode": "mass_mail",
                    "model": "res.partner",
                    "mass_mailing_id": self.email.mailing_id.id,
                    "subject": "Hi",
                    "body": "<p>Hi</p>",
                }
            )
        )
        self._assert_refused(composer.action_send_mail, self.email)
        sms_composer = (
            self.env["sms.composer"]
            .with_user(self.user_marketing)
            .with_context(active_ids=self.partners.ids, active_model="res.partner")
            .create(
                {
                    "composition_mode": "mass",
                    "res_model": "res.partner",
                    "mailing_id": self.sms.mailing_id.id,
                    "body": "Hi",
                }
            )
        )
        self._assert_refused(sms_composer.action_send_sms, self.sms)

    def test_queue_cron_does_not_send_a_step_mailing(self):
        # queued by hand before the guard (the upgrade puts them back to draft)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mailing_mailing SET state = 'in_queue' WHERE id = %s",
            [self.email.mailing_id.id],
        )
        self.env.invalidate_all()
        with self.mock_mail_gateway(mail_unlink_sent=False):
            with self.assertRaisesRegex(Exception, REFUSED):
                self.env["mailing.mailing"]._process_mass_mailing_queue()
        self.assertFalse(self._traces(self.email.mailing_id))
        self.assertFalse(self._mails)

    def test_forged_runner_context_is_refused(self):
        for step in (self.email, self.sms):
            forged = {key: step.mailing_id.id for key in FORGED}
            with self.subTest(kind=step.kind):
                self._assert_refused(
                    self._mailing(step, **forged).action_send_mail, step
                )
                self._assert_refused(
                    lambda s=step, f=forged: self._mailing(s, **f)
                    .sudo()
                    .action_send_mail(self.partners.ids),
                    step,
                )

    def test_plain_mailing_is_not_refused(self):
        mailing = self._create_partner_mailing(self.partners).with_user(
            self.user_marketing
        )
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        self.assertEqual(len(self._traces(mailing)), len(self.partners))

    @users("user_marketing")
    def test_users_cannot_link_a_mailing_to_a_step(self):
        plain = self._create_partner_mailing(self.partner_a)
        with self.assertRaisesRegex(Exception, "keeps its own mailing"):
            plain.journey_step_id = self.email.id
        with self.assertRaisesRegex(Exception, "keeps its own mailing"):
            self._create_partner_mailing(self.partner_a, journey_step_id=self.email.id)
        with self.assertRaisesRegex(Exception, "keeps its own mailing"):
            self.email.mailing_id.with_env(self.env).journey_step_id = False
        copy = self.email.mailing_id.with_env(self.env).copy()
        self.assertFalse(copy.journey_step_id)

    def test_the_runner_still_sends_to_its_participants_only(self):
        journey = self.email.journey_id
        self.email.mailing_id.mailing_domain = repr([("id", "in", self.partners.ids)])
        journey.domain = repr([("id", "=", self.partner_a.id)])
        self.sms.active = False
        journey.action_launch()
        self._tick()
        traces = self._traces(self.email.mailing_id)
        self.assertEqual(traces.mapped("res_id"), self.partner_a.ids)
        self.assertEqual(self._items(journey, self.email).state, "done")
        # the runner's mark ends with its send
        with self.assertRaisesRegex(Exception, REFUSED):
            self._mailing(self.email).action_send_mail(self.partners.ids)


@tagged("post_install", "-at_install")
class TestJourneyMailingGuardRpc(HttpCase):
    """The same refusal over a real ``/web/dataset/call_kw``, the runner's
    old context key sent along."""

    def test_send_over_json_rpc_is_refused(self):
        new_test_user(
            self.env,
            login="journey_rpc_marketing",
            groups="base.group_user,mass_mailing.group_mass_mailing_user",
        )
        partner = self.env["res.partner"].create(
            {"name": "Rpc Person", "email": "rpc@journey.test"}
        )
        journey = self.env["campaign.journey"].create(
            {
                "name": "Rpc journey",
                "model_id": self.env["ir.model"]._get("res.partner").id,
                "domain": repr([("id", "=", partner.id)]),
            }
        )
        step = self.env["campaign.journey.step"].create(
            {
                "name": "Welcome",
                "journey_id": journey.id,
                "kind": "email",
                "subject": "Welcome",
                "body_html": "<p>Welcome</p>",
            }
        )
        mailing = step.mailing_id
        # a domain that reaches the person: sent, it would go out
        mailing.mailing_domain = repr([("id", "=", partner.id)])
        self.authenticate("journey_rpc_marketing", "journey_rpc_marketing")
        forged = {key: mailing.id for key in FORGED}
        for method in ("action_send_mail", "action_put_in_queue", "action_launch"):
            with self.subTest(method=method), mute_logger("odoo.http"):
                response = self.url_open(
                    f"/web/dataset/call_kw/mailing.mailing/{method}",
                    data=json.dumps(
                        {
                            "jsonrpc": "2.0",
                            "method": "call",
                            "params": {
                                "model": "mailing.mailing",
                                "method": method,
                                "args": [mailing.ids],
                                "kwargs": {"context": forged},
                            },
                        }
                    ),
                    headers={"Content-Type": "application/json"},
                )
                error = response.json()["error"]["data"]
                self.assertEqual(error["name"], "odoo.exceptions.UserError")
                self.assertIn(REFUSED, error["message"])
        self.env.invalidate_all()
        self.assertEqual(mailing.state, "draft")
        self.assertFalse(
            self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
        )
