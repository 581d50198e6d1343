from odoo import Command
from odoo.addons.edu_crm.tests.common import EduRecordsCommon
from odoo.exceptions import AccessError
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestChatLead(EduRecordsCommon):
    """``/lead`` in a live chat, typed by an admissions officer: an
    admissions lead on the visitor's person, found by the email or phone
    they typed (or their login), shown on their timeline as a live chat."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer = cls.edu_user
        cls.team.member_ids = [Command.link(cls.officer.id)]
        cls.livechat = cls.env["im_livechat.channel"].create(
            {"name": "Admissions chat", "user_ids": [Command.link(cls.officer.id)]}
        )
        cls.person = cls.env["res.partner"].create(
            {"name": "Iryna Bondar", "email": "iryna.bondar@example.com"}
        )
        cls.phone_person = cls.env["res.partner"].create(
            {"name": "Marko Horvat", "phone": "+385 91 555 0101"}
        )
        cls.source = cls.env.ref("crm_livechat.utm_source_livechat")

    def _chat(self, operator, *visitor_lines, visitor_partner=None):
        """A live chat of ``operator`` (a user) with an anonymous visitor (a
        guest) or ``visitor_partner`` (logged in), who wrote the lines."""
        guest = self.env["mail.guest"].create({"name": "Visitor"})
        members = [Command.create({"partner_id": operator.partner_id.id})]
        members.append(
            Command.create({"partner_id": visitor_partner.id})
            if visitor_partner
            else Command.create({"guest_id": guest.id})
        )
        channel = self.env["discuss.channel"].create(
            {
                "name": "Visitor chat",
                "channel_type": "livechat",
                "livechat_active": True,
                "livechat_channel_id": self.livechat.id,
                "livechat_operator_id": operator.partner_id.id,
                "anonymous_name": False if visitor_partner else "Visitor",
                "channel_member_ids": members,
            }
        )
        author = (
            {"author_id": visitor_partner.id}
            if visitor_partner
            else {"author_id": False, "author_guest_id": guest.id}
        )
        self.env["mail.message"].create(
            [
                {
                    "model": "discuss.channel",
                    "res_id": channel.id,
                    "message_type": "comment",
                    "body": line,
                    **author,
                }
                for line in visitor_lines
            ]
        )
        return channel

    def _lead_command(self, channel, user, title):
        """The operator types ``/lead <title>`` (the chat command, as the
        web client sends it); the new lead."""
        before = self.env["crm.lead"].search([]).ids
        channel.with_user(user).execute_command_lead(body=f"/lead {title}")
        return self.env["crm.lead"].search([("id", "not in", before)])

    def _timeline_row(self, person, lead):
        self.env.flush_all()
        return self.env["edu.timeline"].search(
            [
                ("partner_id", "=", person.id),
                ("kind", "=", "application"),
                ("res_id", "=", lead.id),
            ]
        )

    def test_anonymous_visitor_lands_on_the_person_of_their_email(self):
        channel = self._chat(
            self.officer,
            "Hello, is there still room in Computer Science?",
            "Sure: Iryna.Bondar@Example.com, or call me",
        )
        partners_before = self.env["res.partner"].search_count([])
        lead = self._lead_command(channel, self.officer, "Computer Science")
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.partner_id, self.person, "on the existing person")
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)
        self.assertEqual(
            (lead.team_id, lead.type, lead.stage_id),
            (self.team, "opportunity", self.stage_inquiry),
        )
        self.assertEqual(lead.source_id, self.source)
        self.assertEqual(self.person.email, "iryna.bondar@example.com", "untouched")
        row = self._timeline_row(self.person, lead)
        self.assertEqual(len(row), 1)
        self.assertEqual((row.channel, row.direction), ("livechat", "in"))
        channels = dict(row._fields["channel"]._description_selection(self.env))
        self.assertEqual(channels[row.channel], "Live chat")

    def test_phone_only_finds_the_one_person_with_that_phone(self):
        channel = self._chat(self.officer, "My number is +385 91 555-0101")
        lead = self._lead_command(channel, self.officer, "Law evening course")
        self.assertEqual(lead.partner_id, self.phone_person)
        self.assertEqual(lead.team_id, self.team)

    def test_unknown_visitor_becomes_a_new_person(self):
        channel = self._chat(self.officer, "write to nina.new@example.com please")
        lead = self._lead_command(channel, self.officer, "Any programme")
        self.assertTrue(lead.partner_id)
        self.assertNotIn(lead.partner_id, self.person | self.phone_person)
        self.assertEqual(lead.partner_id.email, "nina.new@example.com")
        self.assertEqual(self._timeline_row(lead.partner_id, lead).channel, "livechat")

    def test_logged_in_visitor_is_their_own_person(self):
        """A visitor logged in (portal) is the lead's person whatever email
        they type: an email typed in the chat never moves the lead to the
        person who has it."""
        visitor = self.portal_user.partner_id
        channel = self._chat(
            self.officer,
            "you may write to iryna.bondar@example.com",
            visitor_partner=visitor,
        )
        lead = self._lead_command(channel, self.officer, "Computer Science")
        self.assertEqual(lead.partner_id, visitor)
        self.assertEqual(lead.team_id, self.team)
        self.assertEqual(lead.email_from, visitor.email)
        self.assertEqual(self._timeline_row(visitor, lead).channel, "livechat")

    def test_anonymous_visitor_without_contact_stays_unlinked(self):
        channel = self._chat(self.officer, "just looking around")
        partners_before = self.env["res.partner"].search_count([])
        lead = self._lead_command(channel, self.officer, "Browsing")
        self.assertFalse(lead.partner_id)
        self.assertEqual(lead.team_id, self.team)
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)

    def test_operator_outside_admissions_keeps_odoos_lead(self):
        """A salesman's lead from a chat is Odoo's: no team, no person."""
        self.livechat.user_ids = [Command.link(self.salesman.id)]
        channel = self._chat(self.salesman, "iryna.bondar@example.com")
        lead = self._lead_command(channel, self.salesman, "Corporate training")
        self.assertFalse(lead.team_id.edu_is_admissions)
        self.assertFalse(lead.partner_id)

    def test_portal_visitor_cannot_make_a_lead(self):
        """The command is the operator's: a portal visitor who sends it
        over RPC is refused (no lead, nobody linked)."""
        visitor = self.portal_user.partner_id
        channel = self._chat(
            self.officer, "iryna.bondar@example.com", visitor_partner=visitor
        )
        before = self.env["crm.lead"].search_count([])
        with self.assertRaises(AccessError):
            channel.with_user(self.portal_user).execute_command_lead(
                body="/lead Iryna Bondar"
            )
        self.assertEqual(self.env["crm.lead"].search_count([]), before)
