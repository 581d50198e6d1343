from odoo.addons.crm.tests.common import INCOMING_EMAIL
from odoo.addons.mail.tests.common import MailCommon
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestAdmissionsAlias(MailCommon):
    """An email to the Admissions team's alias from a known person lands on
    their open admissions lead; anybody else's makes a lead linked to the
    person by the duplicate check."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.team = env.ref("edu_crm.crm_team_admissions")
        cls.team.alias_id.sudo().write(
            {"alias_name": "admissions", "alias_domain_id": cls.mail_alias_domain.id}
        )
        cls.person = env["res.partner"].create(
            {"name": "Petra Person", "email": "petra@example.com"}
        )
        cls.lead = env["crm.lead"].create(
            {
                "name": "Petra applies",
                "type": "opportunity",
                "team_id": cls.team.id,
                "partner_id": cls.person.id,
            }
        )

    def _receive(self, email_from, subject, to=None):
        """The leads named ``subject`` after the email went through the
        gateway (Odoo names a new lead after the subject)."""
        return self.format_and_process(
            INCOMING_EMAIL,
            email_from,
            to or self.team.alias_email,
            subject=subject,
            target_model="crm.lead",
        )

    def _leads_of(self, person):
        return (
            self.env["crm.lead"]
            .with_context(active_test=False)
            .search([("partner_id", "=", person.id)])
        )

    def test_known_person_lands_on_their_open_lead(self):
        self.assertTrue(self.team.alias_email)
        new = self._receive("Petra P. <Petra@Example.com>", "About my application")
        self.assertFalse(new, "no second lead")
        self.assertEqual(self._leads_of(self.person), self.lead)
        message = self.lead.message_ids.filtered(
            lambda m: m.subject == "About my application"
        )
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.person)
        self.assertEqual(message.message_type, "email")
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        # on the person's timeline, as their email in
        self.env.flush_all()
        row = self.env["edu.timeline"].search(
            [("partner_id", "=", self.person.id), ("kind", "=", "email")]
        )
        self.assertEqual(len(row), 1)
        self.assertEqual(
            (row.direction, row.res_model, row.res_id, row.summary),
            ("in", "crm.lead", self.lead.id, "About my application"),
        )

    def test_closed_lead_or_other_team_gives_a_new_lead(self):
        self.lead.action_set_lost()
        new = self._receive("petra@example.com", "Applying again")
        self.assertEqual(len(new), 1)
        self.assertEqual(
            (new.partner_id, new.team_id), (self.person, self.team), "on the person"
        )
        # another team's alias makes its own lead, as in Odoo
        sales = self.env["crm.team"].create(
            {"name": "Short courses", "alias_name": "edu-short-courses"}
        )
        sales.alias_id.sudo().alias_domain_id = self.mail_alias_domain
        other = self._receive("petra@example.com", "A quote", to=sales.alias_email)
        self.assertEqual((other.team_id, other.partner_id), (sales, self.person))
        self.assertNotIn("A quote", new.message_ids.mapped("subject"))

    def test_unknown_sender_makes_a_lead_on_a_new_person(self):
        new = self._receive("Nina New <nina@example.com>", "Is there a bachelor?")
        self.assertEqual(len(new), 1)
        self.assertEqual(new.team_id, self.team)
        self.assertEqual(new.partner_id.email_normalized, "nina@example.com")
        # her next email lands on that lead
        again = self._receive("nina@example.com", "And the fees?")
        self.assertFalse(again)
        self.assertIn("And the fees?", new.message_ids.mapped("subject"))
        self.assertEqual(self._leads_of(new.partner_id), new)

    def test_two_persons_with_the_email_are_not_guessed(self):
        twin = self.env["res.partner"].create(
            {"name": "Petra Twin", "email": "petra@example.com"}
        )
        new = self._receive("petra@example.com", "Which Petra?")
        self.assertEqual(len(new), 1, "a new lead rather than a guess")
        self.assertNotIn("Which Petra?", self.lead.message_ids.mapped("subject"))
        notes = new.message_ids.filtered(lambda m: "Merge them" in str(m.body))
        self.assertEqual(len(notes), 1)
        # the lead is on one of them (Odoo's author), the other is noted
        other = (self.person | twin) - new.partner_id
        self.assertEqual(len(other), 1)
        self.assertIn(other.display_name, str(notes.body))
