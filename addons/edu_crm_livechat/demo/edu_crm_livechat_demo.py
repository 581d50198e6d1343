"""Demo data only: a visitor's live chat with the admissions office, turned
into an admissions lead by the officer's ``/lead`` command, through Odoo's
own command and this module's hooks (the lead lands on the visitor's
person, in the Admissions pipeline, and on their timeline).

Nothing but the demo file (``<function>``) calls this model; its method is
private (not callable over RPC)."""

from odoo import Command, api, models

VISITOR_LINES = (
    "Hello! Is there still a place in the MBA evening programme this autumn?",
    "I work full time, so evenings suit me. You can write to me at "
    "taras.melnyk@example.com",
)
OPERATOR_LINE = (
    "Good evening! Yes, the autumn intake is open. I will send you the "
    "programme and the tuition plan by email."
)


class EduCrmLivechatDemo(models.AbstractModel):
    _name = "edu.crm.livechat.demo"
    _description = "Live chat demo data"

    @api.model
    def _edu_demo_chat(self, livechat, operator):
        """The chat of an anonymous visitor on ``livechat`` (its id) with
        ``operator`` (a user id, made a member of the Admissions team), and
        the lead the operator makes from it."""
        env = self.env
        operator = env["res.users"].browse(operator)
        team = env.ref("edu_crm.crm_team_admissions")
        if operator not in team.member_ids:
            team.member_ids = [Command.link(operator.id)]
        guest = env["mail.guest"].create({"name": "Visitor"})
        channel = env["discuss.channel"].create(
            {
                "name": "Visitor chat",
                "channel_type": "livechat",
                "livechat_active": False,
                "livechat_channel_id": livechat,
                "livechat_operator_id": operator.partner_id.id,
                "anonymous_name": "Visitor",
                "channel_member_ids": [
                    Command.create({"partner_id": operator.partner_id.id}),
                    Command.create({"guest_id": guest.id}),
                ],
            }
        )
        visitor = {"author_id": False, "author_guest_id": guest.id}
        env["mail.message"].create(
            [
                {
                    "model": "discuss.channel",
                    "res_id": channel.id,
                    "message_type": "comment",
                    "body": line,
                    **author,
                }
                for line, author in (
                    (VISITOR_LINES[0], visitor),
                    (OPERATOR_LINE, {"author_id": operator.partner_id.id}),
                    (VISITOR_LINES[1], visitor),
                )
            ]
        )
        channel.with_user(operator).execute_command_lead(
            body="/lead MBA evening programme, autumn"
        )
