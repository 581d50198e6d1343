from odoo import api, models
from odoo.tools import email_normalize


class CrmLead(models.Model):
    """Emails to the Admissions team's alias, onto the person.

    Odoo's mail gateway makes a new lead of every email to a team's alias
    (``message_new``). For the Admissions teams, an email from a known
    person (the one person with the sender's email, by the duplicate check)
    who has an open admissions lead is routed to that lead instead: it is
    posted there as their message, as a reply would be, and shows on their
    timeline. An email from somebody else still makes a lead, which the
    duplicate check links to the person with that email (or a new one), as
    the web enquiry form does."""

    _inherit = "crm.lead"

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        lead = super().message_new(msg_dict, custom_values=custom_values)
        if lead.team_id.edu_is_admissions:
            if lead.partner_id:
                lead._edu_note_other_persons()
            else:
                lead._edu_link_person()
        return lead

    @api.model
    def _edu_alias_routes(self, routes, message_dict):
        """``routes`` of an incoming email (Odoo's ``message_route``), with a
        new lead of an Admissions team's alias turned into a reply on the
        sender's open admissions lead when there is one (the message's
        author is then that person)."""
        email = email_normalize(message_dict.get("email_from") or "")
        if not email or not any(self._edu_is_admissions_new(r) for r in routes):
            return routes
        persons = self.env["res.partner"]._edu_find_duplicates([{"email": email}])[0]
        if len(persons) != 1:
            # nobody, or several persons to merge: a new lead, noted for them
            return routes
        result = []
        for route in routes:
            lead = self._edu_is_admissions_new(route) and self._edu_open_lead(
                persons, route[4]
            )
            if lead:
                message_dict["author_id"] = persons.id
                route = (route[0], lead.id, *route[2:])
            result.append(route)
        return result

    @api.model
    def _edu_is_admissions_new(self, route):
        """Whether ``route`` makes a new lead of an Admissions team's alias."""
        model, thread_id, _values, _user_id, alias = route
        return bool(
            model == self._name
            and not thread_id
            and alias
            and alias.alias_parent_model_id.model == "crm.team"
            and self.env["crm.team"]
            .browse(alias.alias_parent_thread_id)
            .exists()
            .edu_is_admissions
        )

    @api.model
    def _edu_open_lead(self, person, alias):
        """The latest open lead of ``person`` (not won, not lost) in an
        Admissions team of the alias team's company."""
        team = self.env["crm.team"].browse(alias.alias_parent_thread_id)
        company = (
            [("company_id", "in", [team.company_id.id, False])]
            if team.company_id
            else []
        )
        return self.search(
            [
                ("partner_id", "=", person.id),
                ("team_id.edu_is_admissions", "=", True),
                ("stage_id.is_won", "=", False),
                *company,
            ],
            order="create_date desc, id desc",
            limit=1,
        )
