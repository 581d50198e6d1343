import re

from odoo.tests import tagged

from .common import PressureCommon

OUR_TABLES = re.compile(r"\bcampaign_pressure_\w+")


@tagged("post_install", "-at_install")
class TestTraceSyncPerBatch(PressureCommon):
    """Odoo marks the traces of a send batch sent one mail at a time: the
    reservations are confirmed for the batch, so that what the pressure
    engine adds to a send does not grow with the number of mails (issue 18:
    Odoo's own query budgets of a 50-mail send)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("mail.batch_size", 50)
        cls.crowd = cls.env["res.partner"].create(
            [
                {"name": f"Crowd {i}", "email": f"crowd{i}@pressure.test"}
                for i in range(50)
            ]
        )

    def _send_counting(self, partners):
        """Send a mailing to ``partners``: (all the statements of the send,
        the statements on the engine's tables), the log rows."""
        mailing = self._create_partner_mailing(partners)
        total, ours = self._send_counting_queries(mailing, OUR_TABLES)
        logged = self.env["campaign.pressure.contact"].search(
            [("mailing_id", "=", mailing.id)]
        )
        return total, ours, logged

    def test_engine_statements_flat_for_5_and_50_mails(self):
        self._create_rule(max_contacts=5)
        # warm-up: the caches a first send fills (rules, channels, costs)
        self._send_counting(self.partner_a)
        total_5, ours_5, logged_5 = self._send_counting(self.crowd[:5])
        total_50, ours_50, logged_50 = self._send_counting(self.crowd)
        # a delivered trace confirms its reservation, in both sends
        self.assertEqual(len(logged_5), 5)
        self.assertEqual(len(logged_50), 50)
        self.assertEqual(set((logged_5 | logged_50).mapped("state")), {"confirmed"})
        # the same statements on the engine's tables for 5 and for 50 mails,
        # a handful for the whole send (not one per mail)
        self.assertEqual(len(ours_50), len(ours_5), "\n\n".join(ours_50))
        self.assertLessEqual(len(ours_50), 10)
        confirming = [q for q in ours_50 if "SET state = %s" in q]
        self.assertEqual(len(confirming), 1, "one confirmation for the batch")
        self.assertGreater(total_50, total_5)

    def test_batch_confirms_and_releases_at_its_end(self):
        """Inside a batch the writes wait for its end; a trace released
        after (or before) being confirmed ends released, as with one
        statement per write."""
        mailing = self._create_partner_mailing(self.crowd[:3])
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        traces = self._traces(mailing).sorted("res_id")
        logged = self.env["campaign.pressure.contact"].search(
            [("mailing_id", "=", mailing.id)]
        )
        state_of = {c.res_id: c for c in logged}
        logged.sudo().write({"state": "reserved"})
        self.env.flush_all()
        engine = self.env["campaign.pressure.engine"]
        sent, failed, failed_first = traces
        with engine._pressure_trace_sync_batch():
            (sent | failed).sudo().set_sent()
            failed.sudo().set_failed(failure_type="mail_smtp")
            failed_first.sudo().set_failed(failure_type="mail_smtp")
            failed_first.sudo().set_sent()
            logged.invalidate_recordset(["state"])
            self.assertEqual(
                set(logged.mapped("state")), {"reserved"}, "pending until the end"
            )
        self.assertEqual(state_of[sent.res_id].state, "confirmed")
        self.assertEqual(state_of[failed.res_id].state, "released")
        self.assertEqual(state_of[failed_first.res_id].state, "released")

    def test_commit_inside_a_batch_applies_what_is_pending(self):
        """``auto_commit`` sends commit after each mail: the precommit hook
        confirms the reservations of what is committed."""
        mailing = self._create_partner_mailing(self.crowd[:2])
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        traces = self._traces(mailing)
        logged = self.env["campaign.pressure.contact"].search(
            [("mailing_id", "=", mailing.id)]
        )
        logged.sudo().write({"state": "reserved"})
        self.env.flush_all()
        with self.env["campaign.pressure.engine"]._pressure_trace_sync_batch():
            traces.sudo().set_sent()
            logged.invalidate_recordset(["state"])
            self.assertEqual(set(logged.mapped("state")), {"reserved"})
            self.env.cr.precommit.run()  # what cr.commit() runs first
            self.assertEqual(set(logged.mapped("state")), {"confirmed"})

    def test_outside_a_batch_at_once(self):
        mailing = self._create_partner_mailing(self.crowd[:1])
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        logged = self.env["campaign.pressure.contact"].search(
            [("mailing_id", "=", mailing.id)]
        )
        self._traces(mailing).sudo().set_failed(failure_type="mail_smtp")
        self.assertEqual(logged.state, "released")
