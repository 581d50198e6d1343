from odoo.addons.crm_livechat.tests.chatbot_common import CrmChatbotCase
from odoo.tests import tagged, users


@tagged("post_install", "-at_install")
class TestChatbotLead(CrmChatbotCase):
    """A chatbot's lead step for the Admissions team (Odoo's own chatbot
    test flow): the lead lands on the person with the email the visitor
    answered, and shows on their timeline as a live chat."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team = cls.env.ref("edu_crm.crm_team_admissions")
        cls.step_create_lead.crm_team_id = cls.team
        cls.person = cls.env["res.partner"].create(
            {"name": "Ada Applicant", "email": "test2@example.com"}
        )

    def _chatbot_lead(self, user):
        """The visitor (``user``) answers the bot: create a lead, their email,
        their phone; the lead the bot made."""
        data = self.make_jsonrpc_request(
            "/im_livechat/get_session",
            {
                "anonymous_name": "Test Visitor",
                "channel_id": self.livechat_channel.id,
                "chatbot_script_id": self.chatbot_script.id,
                "user_id": user.id,
            },
        )
        channel = (
            self.env["discuss.channel"].sudo().browse(data["discuss.channel"][0]["id"])
        )
        self._post_answer_and_trigger_next_step(
            channel,
            self.step_dispatch_create_lead.name,
            chatbot_script_answer=self.step_dispatch_create_lead,
        )
        self._post_answer_and_trigger_next_step(channel, "Test2@Example.com")
        self._post_answer_and_trigger_next_step(channel, "+32 456 12 34 56")
        self.assertEqual(channel.chatbot_current_step_id, self.step_create_lead)
        return (
            self.env["crm.lead"]
            .sudo()
            .search([("source_id", "=", self.chatbot_script.source_id.id)])
        )

    @users("user_public")
    def test_chatbot_lead_lands_on_the_person(self):
        partners_before = self.env["res.partner"].sudo().search_count([])
        lead = self._chatbot_lead(self.user_public)
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.partner_id, self.person)
        self.assertEqual(lead.team_id, self.team)
        self.assertEqual(
            self.env["res.partner"].sudo().search_count([]), partners_before
        )
        self.env.flush_all()
        row = (
            self.env["edu.timeline"]
            .sudo()
            .search([("res_id", "=", lead.id), ("kind", "=", "application")])
        )
        self.assertEqual((row.partner_id, row.channel), (self.person, "livechat"))
