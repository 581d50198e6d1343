import re

from .common import PressureCommon

CONTACT_LOG = re.compile(r"\bcampaign_pressure_contact\b")


class TestSendLeftovers(PressureCommon):
    """Reservations left by an interrupted send of the same mailing (rows
    ``reserved`` for a record that has no mail of it yet): the counting
    statement reuses those of the recipients it allows, releases the others
    and counts none of them, in the one statement (issue 18: no release
    statement before the check)."""

    def _stale(self, partner, mailing, person=None):
        """A reservation of ``mailing`` for the record ``partner`` left by an
        interrupted send (made for ``person``, by default the partner)."""
        person = person or partner
        return self._log_contacts(
            person,
            days_ago=0,
            state="reserved",
            mailing_id=mailing.id,
            res_model="res.partner",
            res_id=partner.id,
        )

    def _logged(self, mailing):
        return self.env["campaign.pressure.contact"].search(
            [("mailing_id", "=", mailing.id)]
        )

    def test_interrupted_send_reuses_its_reservation(self):
        # at most one contact: the leftover must not count against the person
        self._create_rule(max_contacts=1)
        mailing = self._create_partner_mailing(self.partner_a | self.partner_b)
        stale = self._stale(self.partner_a, mailing)
        stale_date = stale.contact_date
        count, statements = self._send_counting_queries(mailing, CONTACT_LOG)
        self.assertTrue(count)
        traces = self._traces(mailing)
        self.assertEqual(set(traces.mapped("trace_status")), {"sent"})
        self.assertEqual(len(traces), 2)
        logged = self._logged(mailing)
        self.assertEqual(
            {(c.partner_id, c.state) for c in logged},
            {(self.partner_a, "confirmed"), (self.partner_b, "confirmed")},
        )
        # the leftover row itself is the reservation of this send, dated now
        self.assertIn(stale, logged)
        self.assertEqual(len(logged), 2)
        self.assertGreaterEqual(stale.contact_date, stale_date)
        # one count-and-reserve statement, one confirmation: no release first
        self.assertEqual(len(statements), 2, "\n\n".join(statements))

    def test_leftover_of_a_held_person_is_released(self):
        self._create_rule(max_contacts=1)
        self._log_contacts(self.partner_a)  # at the cap already
        mailing = self._create_partner_mailing(self.partner_a | self.partner_b)
        stale = self._stale(self.partner_a, mailing)
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        held = self._traces(mailing).filtered(lambda t: t.failure_type == "pressure")
        self.assertEqual(held.res_id, self.partner_a.id)
        self.assertEqual(held.pressure_count, 1, "the leftover is not counted")
        self.assertEqual(stale.state, "released")
        self.assertEqual(
            {(c.partner_id, c.state) for c in self._logged(mailing)},
            {(self.partner_a, "released"), (self.partner_b, "confirmed")},
        )

    def test_leftover_made_for_another_person_is_released(self):
        # the record's person changed since the interrupted send: the
        # leftover counted against someone else, it is given back
        self._create_rule(max_contacts=1)
        mailing = self._create_partner_mailing(self.partner_a)
        stale = self._stale(self.partner_a, mailing, person=self.partner_c)
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        self.assertEqual(stale.state, "released")
        self.assertEqual(
            {(c.partner_id, c.state) for c in self._logged(mailing)},
            {(self.partner_c, "released"), (self.partner_a, "confirmed")},
        )

    def test_leftover_of_a_person_decided_in_python_is_released(self):
        # quiet hours set: the person is decided in Python and logged by the
        # caller; the statement released the leftover (never two rows live)
        self._create_rule(max_contacts=1)
        self.partner_a.sudo().write(
            {"pressure_quiet_from": 12.0, "pressure_quiet_to": 12.01}
        )
        mailing = self._create_partner_mailing(self.partner_a)
        stale = self._stale(self.partner_a, mailing)
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        self.assertEqual(stale.state, "released")
        live = self._logged(mailing).filtered(lambda c: c.state != "released")
        self.assertEqual(len(live), 1)
        self.assertEqual(live.partner_id, self.partner_a)

    def test_reservation_with_a_mail_is_not_a_leftover(self):
        """A reservation whose record has a mail of the mailing (queued, or
        sent) belongs to that mail: a second check of the same record does
        not reuse nor release it."""
        self._create_rule(max_contacts=5)
        mailing = self._create_partner_mailing(self.partner_a)
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        sent = self._logged(mailing)
        self.assertEqual(sent.state, "confirmed")
        sent.sudo().write({"state": "reserved"})
        decisions = self.engine._pressure_check_and_reserve(
            [{"ref": self.partner_a.id, "partner_id": self.partner_a.id}],
            "email",
            "mailing",
            mailing=mailing,
            res_model="res.partner",
            leftovers=True,
        )
        self.assertTrue(decisions[self.partner_a.id]["allowed"])
        self.assertEqual(sent.state, "reserved")
        self.assertEqual(len(self._logged(mailing)), 2)
