from markupsafe import Markup
from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html


class CrmLead(models.Model):
    """Enquiries from the public web form: an Admissions lead in the
    Enquiry stage, on the person it comes from."""

    _inherit = "crm.lead"

    @api.model
    def _edu_enquiry_programmes(self):
        """The programmes an enquiry may be about: those of the catalogue
        (``edu.intake._edu_catalogue_domain``, the rule of ``/programmes``:
        an intake open for application today, of the company the form is
        served for)."""
        return self.env["edu.programme"].search(
            [("intake_ids", "any", self.env["edu.intake"]._edu_catalogue_domain())],
            order="name, id",
        )

    @api.model
    def _edu_create_enquiry(self, values, message, partner=None):
        """Create the enquiry (called by the portal's public form as the
        superuser, with values whose shape it checked).

        The duplicate check links the enquiry to the existing person with
        the same email, else to a new person; other persons with the same
        email or phone are noted for the admissions office to merge. The
        lead is created first with what was typed and linked afterwards, so
        that what a visitor types never overwrites the email or phone of an
        existing person (CRM writes a lead's contact back to its partner).
        UTM campaign, medium and source come from the browser's cookies
        (``utm.mixin.default_get``).

        A programme outside the catalogue (:meth:`_edu_enquiry_programmes`)
        is refused. ``partner``: the person logged in who sends the form;
        the enquiry is theirs, whatever email they typed.

        :param values: contact_name, email_from, phone, edu_programme_id
        :param message: the visitor's text (plain)
        :param partner: the logged-in person's partner, or None (a visitor)
        :return: the new lead
        """
        team = self.env.ref("edu_crm.crm_team_admissions")
        programme = self.env["edu.programme"].browse(values.get("edu_programme_id"))
        if programme and programme not in self._edu_enquiry_programmes():
            raise UserError(self.env._("Choose one of the programmes offered."))
        typed = Markup("<p>%s</p>") % self.env._(
            "Sent from the web enquiry form by %(name)s, %(email)s, %(phone)s; "
            "they agreed to be contacted about it.",
            name=values["contact_name"],
            email=values["email_from"],
            phone=values.get("phone") or "–",
        )
        lead = self.create(
            dict(
                values,
                name=self.env._(
                    "Enquiry: %(person)s – %(programme)s",
                    person=values["contact_name"],
                    programme=programme.name or self.env._("any programme"),
                ),
                type="opportunity",
                team_id=team.id,
                stage_id=self.env.ref("edu_crm.crm_stage_inquiry").id,
                user_id=False,
                company_id=programme.company_id.id or team.company_id.id,
                description=typed + plaintext2html(message or ""),
            )
        )
        lead._edu_link_person(partner)
        return lead

    def _edu_link_person(self, person=None):
        """The duplicate check of a lead that came from outside (the web
        enquiry form, an email to the Admissions alias): link it to
        ``person`` (the person logged in, whatever email they typed), else to
        the existing person with the same email, else to a new person; other
        persons with the same email or phone are noted for the admissions
        office to merge. Linked after the lead is made, so that what a
        visitor typed never overwrites the contact of an existing person."""
        self.ensure_one()
        if not person:
            same_email = self.env["res.partner"]._edu_find_duplicates(
                [{"email": self._edu_person_keys()["email"]}]
            )[0]
            person = same_email[:1] or self._create_customer()
        # CRM recomputes the company from the person: the lead's stays
        self.write({"partner_id": person.id, "company_id": self.company_id.id})
        self._edu_note_other_persons()

    def _edu_link_inbound_persons(self):
        """The duplicate check of admissions leads that another Odoo app
        made (a live chat's ``/lead``, an event's lead rule): a lead on a
        person already is that person's, other persons with the same email
        or phone are noted; a lead without a person goes to the existing
        person with the same email, else (no email given) to the one person
        with the same phone, else to a new person. A lead with neither email
        nor phone (an anonymous chat) stays as it is: there is nobody to
        find. One query finds the persons of the whole batch."""
        keys = [lead._edu_person_keys() for lead in self]
        found = self.env["res.partner"]._edu_find_duplicates(
            [{"email": key["email"]} for key in keys]
            + [{"phone": key["phone"]} for key in keys]
        )
        by_email, by_phone = found[: len(self)], found[len(self) :]
        for lead, key, emails, phones in zip(
            self, keys, by_email, by_phone, strict=True
        ):
            if lead.partner_id:
                lead._edu_note_other_persons()
            elif key["email"] or key["phone"]:
                phone_only = not key["email"] and len(phones) == 1
                person = emails[:1] or (phones if phone_only else None)
                lead._edu_link_person(person or lead._create_customer())
