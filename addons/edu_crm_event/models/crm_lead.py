from collections import defaultdict

from odoo import models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _edu_link_registrations(self):
        """The registration of each of these leads made per attendee that
        Odoo left on nobody (a visitor, or the public partner) is the lead's
        person's, as the duplicate check found them; a lead per order keeps
        its registrations as they are (they are other people's too). One
        write per person; Odoo's lead update is not run again for it
        (``event_lead_rule_skip``)."""
        public = self.env.ref("base.public_partner")
        by_person = defaultdict(lambda: self.env["event.registration"])
        for lead in self.filtered(
            lambda lead: lead.partner_id
            and lead.event_lead_rule_id.lead_creation_basis == "attendee"
        ):
            by_person[lead.partner_id.id] |= lead.registration_ids.filtered(
                lambda reg: not reg.partner_id or reg.partner_id == public
            )
        for person_id, registrations in by_person.items():
            registrations.with_context(event_lead_rule_skip=True).write(
                {"partner_id": person_id}
            )
