from odoo import fields, models


class EventRegistration(models.Model):
    _inherit = "event.registration"

    # the person's timeline reads their registrations by partner
    partner_id = fields.Many2one(index="btree_not_null")

    def _get_lead_values(self, rule):
        """The lead of a rule (``event_crm``) for registrations to an event
        about a programme or an intake: an admissions lead for them, on the
        Admissions team when the rule names no team (an opportunity, as
        the web enquiries). Its UTM source is the registration's (a tracked
        link to the registration form), else "Event"."""
        values = super()._get_lead_values(rule)
        event = self.event_id[:1].sudo()
        if event.edu_programme_id:
            values.update(
                edu_programme_id=event.edu_programme_id.id,
                edu_intake_id=event.edu_intake_id.id,
                company_id=event.edu_programme_id.company_id.id or event.company_id.id,
            )
            if not values.get("team_id"):
                team = self.env.ref("edu_crm.crm_team_admissions")
                values.update(team_id=team.id, type="opportunity")
        if not values.get("source_id"):
            values["source_id"] = self.env.ref("edu_crm_event.utm_source_event").id
        return values

    def _update_leads(self, new_vals, lead_tracked_vals):
        """Odoo rewrites a lead's contact when its registration's contact
        changes, and leaves it on nobody when the registration's email no
        longer matches the lead's person: an admissions lead then goes
        through the duplicate check again (the person of the new email, else
        a new one), so that no application is left without its person."""
        result = super()._update_leads(new_vals, lead_tracked_vals)
        orphans = self.lead_ids.filtered(
            lambda lead: lead.edu_is_admissions and not lead.partner_id
        )
        orphans._edu_link_inbound_persons()
        orphans._edu_link_registrations()
        return result
