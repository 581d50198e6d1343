from odoo import Command, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import clean_context

from .edu_workflow_mixin import EDU_USER, check_edu_group
from .res_partner import normalize_national_id, normalize_phone


class CrmLeadEnrol(models.Model):
    """Enrolling won applications: the checks (stage, programme, seats),
    the person of each applicant (found or created) and the enrolments."""

    _inherit = "crm.lead"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _edu_person_keys(self):
        self.ensure_one()
        return {
            "email": self.email_normalized,
            "phone": normalize_phone(self.phone_sanitized),
            "national_id": normalize_national_id(self.sudo().edu_national_id),
            "company_id": self.company_id.id,
        }

    def _edu_check_enrolment_stage(self, new_stage=None):
        """An application is in an enrolment stage exactly when it is enrolled:
        refuse to move ``self`` to ``new_stage`` (None: ``self`` were just
        created in their stage) without an enrolment, or an enrolled
        application out of its enrolment stage."""
        Lead = self.browse()
        if new_stage is None:
            entering = self.filtered(lambda lead: lead.stage_id.edu_is_enrolment)
            leaving = Lead
        else:
            entering = self if new_stage.edu_is_enrolment else Lead
            leaving = (
                self.filtered(lambda lead: lead.stage_id.edu_is_enrolment) - entering
            )
        if not (entering or leaving):
            return
        enrolled = {
            lead
            for [lead] in self.env["edu.enrollment"]
            .sudo()
            ._read_group([("lead_id", "in", self.ids)], ["lead_id"])
        }
        not_enrolled = entering.filtered(lambda lead: lead not in enrolled)
        if not_enrolled:
            raise UserError(
                self.env._(
                    "%(leads)s: an application enters the stage %(stage)s only "
                    "by being enrolled. Mark it won when the offer is accepted, "
                    "then use its Enrol button.",
                    leads=", ".join(not_enrolled.mapped("name")),
                    stage=(new_stage or not_enrolled.stage_id[:1]).name,
                )
            )
        stay = leaving.filtered(lambda lead: lead in enrolled)
        if stay:
            raise UserError(
                self.env._(
                    "%(leads)s: an enrolled application stays in the stage %(stage)s.",
                    leads=", ".join(stay.mapped("name")),
                    stage=stay.stage_id[:1].name,
                )
            )

    def _edu_move_to_enrolment_stage(self):
        """Move the enrolled applications ``self`` to the enrolment stage of
        their team: one search per team, one write and one batch of chatter
        notes whatever the number of applications (the notes replace the
        stage tracking, which posts a message per application)."""
        for team in self.team_id:
            stage = self.env["crm.stage"].search(
                [("team_id", "=", team.id), ("edu_is_enrolment", "=", True)],
                order="sequence, id",
                limit=1,
            )
            leads = self.filtered(
                lambda lead, team=team, stage=stage: lead.team_id == team
                and lead.stage_id != stage
            )
            if not (stage and leads):
                continue
            bodies = {
                lead.id: self.env._(
                    "Enrolled (%(enrolment)s): %(old)s → %(new)s",
                    enrolment=lead.edu_enrollment_ids[:1].display_name,
                    old=lead.stage_id.name,
                    new=stage.name,
                )
                for lead in leads
            }
            leads.with_context(mail_notrack=True).write({"stage_id": stage.id})
            leads._message_log_batch(bodies=bodies)

    def _edu_check_enrollable(self):
        """Raise a UserError naming every lead that cannot be enrolled."""
        problems = []
        for lead in self:
            if not lead.active or not lead.stage_id.is_won:
                problems.append(
                    self.env._("%s: the application is not won.", lead.name)
                )
            elif not lead.edu_programme_id or not lead.edu_intake_id:
                problems.append(
                    self.env._("%s: choose a programme and an intake.", lead.name)
                )
            elif lead.edu_intake_id.state != "open":
                problems.append(
                    self.env._(
                        "%(lead)s: the intake %(intake)s is not open.",
                        lead=lead.name,
                        intake=lead.edu_intake_id.display_name,
                    )
                )
            elif lead.edu_enrollment_ids:
                problems.append(
                    self.env._("%s: the application is already enrolled.", lead.name)
                )
        if problems:
            raise UserError(
                self.env._("These applications cannot be enrolled:\n%s")
                % "\n".join(problems)
            )

    def _edu_check_seats(self):
        """Refuse to enrol more students than the intakes have seats left."""
        intakes = self.edu_intake_id
        intakes._edu_lock()
        intakes.invalidate_recordset(["seats_taken", "seats_available", "seats"])
        wanted = {}
        for lead in self:
            wanted[lead.edu_intake_id] = wanted.get(lead.edu_intake_id, 0) + 1
        for intake, count in wanted.items():
            if count > intake.seats_available:
                raise ValidationError(
                    self.env._(
                        "The intake %(intake)s is full: %(left)s seat(s) left for "
                        "%(count)s student(s).",
                        intake=intake.display_name,
                        left=max(intake.seats_available, 0),
                        count=count,
                    )
                )

    def _edu_find_or_create_persons(self):
        """Return {lead: partner} for ``self``: the lead's person, else an
        existing person with the same email, phone or national ID, else a new
        person (one per applicant, shared by leads of the same applicant)."""
        # No default_* keys of the lead's action leak into the new persons.
        # The new person's file starts from the application, whose chatter
        # keeps the history: no "contact created" log, followers or initial
        # value tracking per new person (as crm's own _create_customer).
        Partner = self.env["res.partner"].with_context(
            clean_context(self.env.context),
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
        )
        result = {}
        todo = self.browse()
        for lead in self:
            if lead.partner_id and not lead.partner_id.is_company:
                result[lead] = lead.partner_id
            else:
                todo |= lead
        if not todo:
            return result
        keys = [lead._edu_person_keys() for lead in todo]
        matches = Partner._edu_find_duplicates(keys)
        new_vals, new_index, new_by_key = [], {}, {}
        for lead, key, found in zip(todo, keys, matches, strict=False):
            if found:
                result[lead] = found[0]
                continue
            lead_keys = [
                (name, key[name])
                for name in ("email", "phone", "national_id")
                if key.get(name)
            ]
            index = next((new_by_key[k] for k in lead_keys if k in new_by_key), None)
            if index is None:
                index = len(new_vals)
                new_vals.append(lead._edu_new_person_values())
            for k in lead_keys:
                new_by_key.setdefault(k, index)
            new_index[lead] = index
        if new_vals:
            # defaults once for the batch instead of once per person
            defaults = Partner.default_get(list(Partner._fields))
            new_partners = Partner.create([defaults | vals for vals in new_vals])
            for lead, index in new_index.items():
                result[lead] = new_partners[index]
        for lead in todo:
            lead.partner_id = result[lead]
        return result

    def _edu_new_person_values(self):
        """Values of the new person of the application ``self``."""
        self.ensure_one()
        vals = self._prepare_customer_values(
            self.contact_name or self.partner_name or self.name
        )
        vals.update(
            {
                "edu_is_applicant": True,
                "edu_national_id": self.sudo().edu_national_id,
                "edu_birthdate": self.sudo().edu_birthdate,
            }
        )
        return vals

    def _edu_enrol(self):
        """Enrol the won applications ``self``: find or create each person,
        create the enrolments in one go, move the applications to the
        enrolment stage and hand the enrolments over to tuition.
        For Education Users: the enrolments are created enrolled, a state
        that only this workflow may set."""
        check_edu_group(self.env, EDU_USER)
        if not self:
            return self.env["edu.enrollment"]
        self._edu_check_enrollable()
        self._edu_check_seats()
        persons = self._edu_find_or_create_persons()
        by_sponsor = {}
        for lead in self.filtered("edu_sponsor_id"):
            by_sponsor.setdefault(lead.edu_sponsor_id, self.env["res.partner"])
            by_sponsor[lead.edu_sponsor_id] |= persons[lead]
        for sponsor, partners in by_sponsor.items():
            partners.write({"edu_sponsor_ids": [Command.link(sponsor.id)]})
        today = fields.Date.context_today(self)
        # Defaults once for the batch; the officer is not made a follower of
        # every enrolment created from the applications.
        Enrollment = self.env["edu.enrollment"].with_context(
            clean_context(self.env.context), mail_create_nosubscribe=True
        )
        defaults = Enrollment.default_get(
            [
                fname
                for fname in Enrollment._fields
                if fname not in Enrollment._edu_system_fields
            ]
        )
        enrollments = Enrollment._edu_workflow_create(
            [
                defaults
                | {
                    "partner_id": persons[lead].id,
                    "programme_id": lead.edu_programme_id.id,
                    "intake_id": lead.edu_intake_id.id,
                    "lead_id": lead.id,
                    "sponsor_id": lead.edu_sponsor_id.id,
                    "funding": lead.edu_funding
                    or ("sponsored" if lead.edu_sponsor_id else "self_paid"),
                    "company_id": lead.edu_programme_id.company_id.id,
                    "state": "enrolled",
                    "date_applied": lead.create_date.date()
                    if lead.create_date
                    else today,
                    "date_admitted": today,
                    "date_enrolled": today,
                }
                for lead in self
            ]
        )
        enrollments = enrollments.with_env(self.env)
        self._edu_move_to_enrolment_stage()
        enrollments._edu_handover_tuition()
        return enrollments
