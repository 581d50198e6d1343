from odoo import models


class EventLeadRule(models.Model):
    """The leads of event registrations, onto the person: Odoo's rule links
    a lead to the registration's partner when the email and phone typed
    match it, and to nobody otherwise (a visitor who registered on the
    website); an admissions lead then goes through the duplicate check of
    inbound leads (``crm.lead._edu_link_inbound_persons``): onto the person
    with the same email (or phone), else a new one. The registration of a
    lead per attendee is then that person's too (their timeline shows it,
    and editing it later keeps the lead on them)."""

    _inherit = "event.lead.rule"

    def _run_on_registrations(self, registrations):
        leads = super()._run_on_registrations(registrations)
        admissions = leads.filtered("edu_is_admissions")
        admissions._edu_link_inbound_persons()
        admissions._edu_link_registrations()
        return leads
