from odoo import models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _edu_link_registrations(self):
        """The registrations of these leads (one per attendee) that Odoo
        left on nobody (a visitor, or the public partner) are the lead's
        person's, as the duplicate check found them; Odoo's lead update is
        not run again for it (``event_lead_rule_skip``)."""
        public = self.env.ref("base.public_partner")
        for lead in self.filtered("partner_id"):
            lead.registration_ids.filtered(
                lambda reg: not reg.partner_id or reg.partner_id == public
            ).with_context(event_lead_rule_skip=True).write(
                {"partner_id": lead.partner_id.id}
            )
