from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoChat(TransactionCase):
    """The demo's live chat: a visitor who left their email in a chat with
    the registrar, and the admissions lead the registrar made of it."""

    def test_demo_chat_lead_is_on_its_person(self):
        livechat = self.env.ref(
            "edu_crm_livechat.livechat_channel_admissions_demo",
            raise_if_not_found=False,
        )
        if not livechat:
            self.skipTest("installed without demo data")
        registrar = self.env.ref("edu_crm.user_registrar_demo")
        chat = self.env["discuss.channel"].search(
            [("livechat_channel_id", "=", livechat.id)]
        )
        self.assertEqual(len(chat), 1)
        self.assertEqual(chat.livechat_operator_id, registrar.partner_id)
        lead = self.env["crm.lead"].search(
            [("name", "=", "MBA evening programme, autumn")]
        )
        self.assertEqual(len(lead), 1)
        self.assertEqual(
            (lead.team_id, lead.type, lead.source_id),
            (
                self.env.ref("edu_crm.crm_team_admissions"),
                "opportunity",
                self.env.ref("crm_livechat.utm_source_livechat"),
            ),
        )
        self.assertFalse(lead.stage_id.fold)
        self.assertEqual(lead.partner_id.email, "taras.melnyk@example.com")
        self.env.flush_all()
        row = self.env["edu.timeline"].search(
            [
                ("partner_id", "=", lead.partner_id.id),
                ("kind", "=", "application"),
                ("res_id", "=", lead.id),
            ]
        )
        self.assertEqual((row.channel, row.direction), ("livechat", "in"))
