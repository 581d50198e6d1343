import re

from odoo import models
from odoo.addons.edu_crm.models.res_partner import normalize_phone
from odoo.tools import email_normalize, html2plaintext
from odoo.tools.mail import email_re

# a phone number typed in a chat: a leading + or digit, then at least 7 more
# digits, spaces, dots, dashes or brackets, ending on a digit
PHONE_RE = re.compile(r"\+?\d[\d\s().-]{6,}\d")


class DiscussChannel(models.Model):
    _inherit = "discuss.channel"

    def _convert_visitor_to_lead(self, partner, key):
        """The ``/lead`` command of an operator (``partner``): Odoo's lead,
        then onto the visitor's person when an admissions officer made it
        (``crm.lead._edu_chat_admissions``)."""
        lead = super()._convert_visitor_to_lead(partner, key)
        lead._edu_chat_admissions(self, partner)
        return lead

    def _edu_visitor_contact(self, operator):
        """``{email_from, phone}`` the visitor typed in this chat (the last
        ones they gave), for a lead without a person. The visitor's messages
        are those not written by ``operator`` nor by another staff member
        (an anonymous visitor writes as a guest)."""
        self.ensure_one()
        contact = {}
        messages = self.message_ids.filtered(
            lambda m: m.author_guest_id
            or (m.author_id != operator and m.author_id.partner_share)
        ).sorted("id")
        for message in messages:
            text = html2plaintext(message.body or "")
            emails = [e for e in email_re.findall(text) if email_normalize(e)]
            if emails:
                contact["email_from"] = emails[-1]
            text = email_re.sub(" ", text)
            phones = [
                p for p in PHONE_RE.findall(text) if len(normalize_phone(p) or "") >= 8
            ]
            if phones:
                contact["phone"] = phones[-1].strip()
        return contact
