from odoo import models


class ChatbotScriptStep(models.Model):
    _inherit = "chatbot.script.step"

    def _process_step_create_lead(self, discuss_channel):
        """A chatbot's lead step for an Admissions team: Odoo's lead (with
        the email and phone the visitor answered, or the visitor's login),
        then onto the person by the duplicate check of inbound leads. Odoo
        returns no lead: it is this script's lead made in this transaction
        (``create_date`` is the transaction's time)."""
        super()._process_step_create_lead(discuss_channel)
        if not self.crm_team_id.edu_is_admissions:
            return
        lead = self.env["crm.lead"].search(
            [
                ("source_id", "=", self.chatbot_script_id.source_id.id),
                ("team_id", "=", self.crm_team_id.id),
                ("create_date", "=", self.env.cr.now()),
            ],
            order="id desc",
            limit=1,
        )
        lead._edu_link_inbound_persons()
