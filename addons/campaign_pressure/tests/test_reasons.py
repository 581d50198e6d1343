from odoo import Command
from odoo.modules.migration import load_script
from odoo.tests import tagged, users
from odoo.tools import SQL

from .common import PressureCommon

MIGRATION = "campaign_pressure/migrations/18.0.1.2.0/post-migrate.py"


@tagged("post_install", "-at_install")
class TestPressureReasons(PressureCommon):
    """Issue 12 (pressure part): why a message was held back is stored as a
    code and its arguments, and read in the reader's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("uk_UA")
        cls.env["ir.module.module"]._load_module_terms(["campaign_pressure"], ["uk_UA"])
        cls.rule = cls._create_rule(name="Two a month", max_contacts=2)
        cls.rule.with_context(lang="uk_UA").name = "Два на місяць"

    def _held_trace(self):
        self._log_contacts(self.partner_a, days_ago=3)
        self._log_contacts(self.partner_a, days_ago=4)
        mailing = self._create_partner_mailing(self.partner_a.with_env(self.env))
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        return self._traces(mailing)

    @users("user_marketing")
    def test_trace_reason_read_in_the_readers_language(self):
        trace = self._held_trace()
        self.assertEqual(trace.pressure_reason, "rule")
        self.assertEqual(
            trace.pressure_reason_args,
            {"count": 2, "threshold": 2, "rule_id": self.rule.id},
        )
        self.assertFalse(trace.failure_reason, "no sentence stored")
        english = trace.pressure_reason_text
        ukrainian = trace.with_context(lang="uk_UA").pressure_reason_text
        self.assertIn("Two a month", english)
        self.assertIn("Два на місяць", ukrainian)
        self.assertIn("Досягнуто правило", ukrainian)
        self.assertNotEqual(english, ukrainian)

    @users("user_marketing")
    def test_check_reason_read_in_the_readers_language(self):
        self._log_contacts(self.partner_a, days_ago=3)
        self._log_contacts(self.partner_a, days_ago=4)
        mailing = self._create_partner_mailing(self.partners.with_env(self.env))
        action = mailing.action_check_pressure()
        line = self.env[action["res_model"]].browse(action["res_id"]).recipient_line_ids
        self.assertEqual(line.reason_code, "rule")
        self.assertIn("Two a month", line.reason)
        self.assertIn("Два на місяць", line.with_context(lang="uk_UA").reason)

    def test_migration_reads_old_sentences_into_codes(self):
        """18.0.1.1.0 stored sentences in the sender's language: the
        migration reads each of them back into its code; a text that is not
        ours stays."""
        mailing = self._create_partner_mailing(self.partners)
        texts, traces = self._traces_of_old_sentences(mailing)
        simulation = self._simulation_of_old_version(mailing)
        cr = self.env.cr
        load_script(MIGRATION, "campaign_pressure_migration").migrate(cr, "18.0.1.1.0")
        self.env.invalidate_all()
        self._check_traces_read_back(texts, traces)
        self._check_lines_read_back(simulation)

    def _traces_of_old_sentences(self, mailing):
        """Cancelled traces with the sentences 18.0.1.1.0 stored."""
        texts = {
            self.partners[0]: "Rule 'Two a month': 2 contact(s) in the window,"
            " threshold 2.",
            self.partners[1]: "Правило 'Два на місяць': контактів у вікні — 1,"
            " поріг — 1. Триває період охолодження.",
            self.partners[2]: "The person's own cap: 3 contact(s) this week,"
            " threshold 3.",
            self.partners[3]: "Лицето е блокирало канала Имейл.",
            self.partners[4]: "Quiet day of the person.",  # an extension's
        }
        traces = (
            self.env["mailing.trace"]
            .sudo()
            .create(
                [
                    {
                        "mass_mailing_id": mailing.id,
                        "model": "res.partner",
                        "res_id": partner.id,
                        "email": partner.email,
                        "trace_status": "cancel",
                        "failure_type": "pressure",
                        "failure_reason": text,
                        "pressure_rule_id": self.rule.id
                        if partner in self.partners[:2]
                        else False,
                    }
                    for partner, text in texts.items()
                ]
            )
        )
        return texts, traces

    def _simulation_of_old_version(self, mailing):
        # a check saved by 18.0.1.1.0: its reason column
        simulation = self.env["campaign.pressure.simulation"].create(
            {"mailing_id": mailing.id}
        )
        simulation.sudo().write(
            {
                "rule_line_ids": [Command.create({"rule_id": self.rule.id})],
                "recipient_line_ids": [
                    Command.create({"name": "Old", "rule_id": self.rule.id})
                ],
            }
        )
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            SQL(
                "ALTER TABLE campaign_pressure_simulation_recipient"
                " ADD COLUMN IF NOT EXISTS reason varchar"
            )
        )
        cr.execute(
            SQL(
                "UPDATE campaign_pressure_simulation_recipient SET reason = %s"
                " WHERE id = %s",
                "Правило 'X': контактов в окне — 4, порог — 4.",
                simulation.recipient_line_ids.id,
            )
        )
        cr.execute(
            SQL(
                "UPDATE campaign_pressure_simulation_rule SET reason = NULL"
                " WHERE id = %s",
                simulation.rule_line_ids.id,
            )
        )
        return simulation

    def _check_traces_read_back(self, texts, traces):
        by_partner = {t.res_id: t for t in traces}
        expected = {
            self.partners[0]: (
                "rule",
                {
                    "count": 2,
                    "threshold": 2,
                    "rule_name": "Two a month",
                    "rule_id": self.rule.id,
                },
            ),
            self.partners[1]: (
                "cooldown",
                {
                    "count": 1,
                    "threshold": 1,
                    "rule_name": "Два на місяць",
                    "rule_id": self.rule.id,
                },
            ),
            self.partners[2]: (
                "own_cap",
                {"count": 3, "threshold": 3, "period": "week"},
            ),
            self.partners[3]: ("blocked_channel", {"channel": "email"}),
        }
        for partner, (code, args) in expected.items():
            trace = by_partner[partner.id]
            with self.subTest(text=texts[partner]):
                self.assertEqual(
                    (trace.pressure_reason, trace.pressure_reason_args), (code, args)
                )
                self.assertFalse(trace.failure_reason)
                self.assertTrue(trace.pressure_reason_text)
        kept = by_partner[self.partners[4].id]
        self.assertFalse(kept.pressure_reason)
        self.assertEqual(kept.failure_reason, "Quiet day of the person.")
        self.assertEqual(kept.pressure_reason_text, "Quiet day of the person.")
        self.assertIn(
            "Cool-down after a negative response",
            by_partner[self.partners[1].id].pressure_reason_text,
        )

    def _check_lines_read_back(self, simulation):
        cr = self.env.cr
        # the check's lines
        line = simulation.recipient_line_ids
        self.assertEqual(line.reason_code, "rule")
        self.assertEqual(line.reason_args["count"], 4)
        self.assertIn("Two a month", line.reason, "the rule's name now")
        self.assertEqual(simulation.rule_line_ids.reason, "rule")
        cr.execute(
            SQL(
                "SELECT 1 FROM information_schema.columns WHERE table_name = %s"
                " AND column_name = 'reason'",
                "campaign_pressure_simulation_recipient",
            )
        )
        self.assertFalse(cr.fetchall(), "the old column is dropped")

    def test_migration_parses_every_old_translation(self):
        module = load_script(MIGRATION, "campaign_pressure_migration")
        for lang, (rule, own, cooldown, blocked, quiet) in module.OLD_SENTENCES.items():
            with self.subTest(lang=lang):
                self.assertEqual(
                    module.parse_reason(
                        rule % {"rule": "R", "count": 5, "threshold": 4}, "sms"
                    ),
                    ("rule", {"count": 5, "threshold": 4, "rule_name": "R"}),
                )
                self.assertEqual(
                    module.parse_reason(
                        own % {"count": 2, "period": "month", "threshold": 2}
                        + " "
                        + cooldown,
                        "sms",
                    ),
                    ("cooldown", {"count": 2, "threshold": 2, "period": "month"}),
                )
                self.assertEqual(
                    module.parse_reason(blocked % "SMS", "sms"),
                    ("blocked_channel", {"channel": "sms"}),
                )
                self.assertEqual(module.parse_reason(quiet, "sms"), ("quiet_hours", {}))
        self.assertIsNone(module.parse_reason("Something else.", "email"))
