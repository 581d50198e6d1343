from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import clean_context

from .edu_workflow_mixin import EDU_USER, check_edu_group
from .res_partner import normalize_national_id, normalize_phone


class CrmLead(models.Model):
    _inherit = "crm.lead"

    edu_is_admissions = fields.Boolean(
        related="team_id.edu_is_admissions", string="Admissions Lead"
    )
    edu_programme_id = fields.Many2one(
        "edu.programme",
        string="Programme",
        index="btree_not_null",
        tracking=True,
        check_company=True,
    )
    edu_intake_id = fields.Many2one(
        "edu.intake",
        string="Intake",
        index="btree_not_null",
        tracking=True,
        check_company=True,
        domain="[('programme_id', '=?', edu_programme_id), ('state', '=', 'open')]",
    )
    edu_seats_available = fields.Integer(
        related="edu_intake_id.seats_available", string="Seats Available"
    )
    edu_funding = fields.Selection(
        [
            ("self_paid", "Self-paid"),
            ("sponsored", "Sponsored"),
            ("state_funded", "State-funded"),
        ],
        string="Funding",
        tracking=True,
    )
    edu_sponsor_id = fields.Many2one(
        "res.partner",
        string="Sponsor",
        tracking=True,
        domain=[("edu_is_sponsor", "=", True)],
    )
    edu_national_id = fields.Char(
        string="Applicant National ID", groups="edu_crm.group_edu_user"
    )
    edu_birthdate = fields.Date(
        string="Applicant Date of Birth", groups="edu_crm.group_edu_user"
    )
    edu_enrollment_ids = fields.One2many(
        "edu.enrollment", "lead_id", string="Enrolments"
    )
    edu_enrollment_count = fields.Integer(
        string="Enrolment Count", compute="_compute_edu_enrollment_count"
    )
    edu_duplicate_partner_ids = fields.Many2many(
        "res.partner",
        string="Existing Persons",
        compute="_compute_edu_duplicate_partner_ids",
        groups="base.group_user",
        help="Existing contacts with the same normalised email, phone or "
        "national ID as this applicant.",
    )
    edu_duplicate_partner_count = fields.Integer(
        string="Existing Person Count",
        compute="_compute_edu_duplicate_partner_ids",
        groups="base.group_user",
    )
    edu_stage_history_ids = fields.One2many(
        "edu.lead.stage.history", "lead_id", string="Stage History"
    )
    # CRM's field, computed for admissions applications: the programme's
    # tuition (no default: a default would keep the compute from running)
    expected_revenue = fields.Monetary(
        compute="_compute_expected_revenue", store=True, readonly=False, default=None
    )

    def _compute_edu_enrollment_count(self):
        counts = dict(
            self.env["edu.enrollment"]._read_group(
                [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.edu_enrollment_count = counts.get(lead._origin, 0)

    @api.depends("partner_id", "email_normalized", "phone_sanitized", "edu_national_id")
    def _compute_edu_duplicate_partner_ids(self):
        # staff only (field groups): the matches tell which emails, phones and
        # national IDs exist
        todo = self.filtered(lambda lead: not lead.partner_id)
        if not (self.env.su or self.env.user._is_internal()):
            todo = self.browse()
        matches = (
            self.env["res.partner"]
            .sudo()
            ._edu_find_duplicates([lead._edu_person_keys() for lead in todo])
        )
        found_by_lead = dict(zip(todo, matches, strict=False))
        for lead in self:
            found = found_by_lead.get(lead, self.env["res.partner"]).sudo(False)
            lead.edu_duplicate_partner_ids = found
            lead.edu_duplicate_partner_count = len(found)

    @api.depends("edu_programme_id", "edu_intake_id", "team_id", "company_id")
    def _compute_expected_revenue(self):
        """An application of an admissions team expects the tuition of its
        programme (the price a tuition contract starts from), in the lead's
        company currency at the start of the intake. Other leads keep what
        was typed."""
        today = fields.Date.context_today(self)
        for lead in self:
            programme = lead.edu_programme_id
            if not (lead.team_id.edu_is_admissions and programme.product_id):
                continue
            lead.expected_revenue = programme._edu_tuition_price(
                lead.company_currency, lead.edu_intake_id.date_start or today
            )

    @api.depends("stage_id.edu_probability")
    def _compute_probabilities(self):
        # an admissions stage's probability changed: its open applications follow
        return super()._compute_probabilities()

    def _pls_get_naive_bayes_probabilities(self, batch_mode=False):
        """Applications of admissions teams are not scored: their probability
        is their stage's, as the institution set it (CRM's scoring, trained on
        an admissions team's few lost applications, gives about 99 % at every
        stage). The live compute and CRM's nightly rescoring both come here;
        a probability typed on an application stays, as in CRM."""
        admissions = self.filtered(lambda lead: lead.team_id.edu_is_admissions)
        probabilities = super(
            CrmLead, self - admissions
        )._pls_get_naive_bayes_probabilities(batch_mode=batch_mode)
        if batch_mode:
            # as CRM's rescoring: open applications only
            admissions = admissions.filtered(
                lambda lead: lead.active and lead.probability < 100
            )
        for lead in admissions:
            probabilities[lead.id] = (
                lead.stage_id._edu_lead_probability() if lead.stage_id else 0.0
            )
        return probabilities

    @api.constrains("edu_programme_id", "edu_intake_id")
    def _check_edu_intake_programme(self):
        for lead in self:
            if (
                lead.edu_intake_id
                and lead.edu_intake_id.programme_id != lead.edu_programme_id
            ):
                raise ValidationError(
                    self.env._(
                        "The intake %(intake)s does not belong to the programme "
                        "%(programme)s.",
                        intake=lead.edu_intake_id.display_name,
                        programme=lead.edu_programme_id.display_name or "-",
                    )
                )

    @api.onchange("edu_intake_id")
    def _onchange_edu_intake_id(self):
        if self.edu_intake_id:
            self.edu_programme_id = self.edu_intake_id.programme_id

    @api.onchange("edu_programme_id")
    def _onchange_edu_programme_id(self):
        if (
            self.edu_intake_id
            and self.edu_intake_id.programme_id != self.edu_programme_id
        ):
            self.edu_intake_id = False

    @api.onchange("edu_sponsor_id")
    def _onchange_edu_sponsor_id(self):
        if self.edu_sponsor_id:
            self.edu_funding = "sponsored"

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        leads._edu_check_enrolment_stage()
        self.env["edu.lead.stage.history"]._edu_record_stages(
            leads, fields.Datetime.now()
        )
        leads.filtered("edu_is_admissions").partner_id.filtered(
            lambda p: not p.is_company and not p.edu_is_applicant
        ).sudo().write({"edu_is_applicant": True})
        return leads

    def write(self, vals):
        moved = lost = restored = self.browse()
        if "stage_id" in vals:
            moved = self.filtered(lambda lead: lead.stage_id.id != vals["stage_id"])
            moved._edu_check_enrolment_stage(
                self.env["crm.stage"].browse(vals["stage_id"])
            )
        if "active" in vals:
            changed = self.filtered(lambda lead: lead.active != bool(vals["active"]))
            lost, restored = (
                (changed, self.browse())
                if not vals["active"]
                else (self.browse(), changed)
            )
        res = super().write(vals)
        History = self.env["edu.lead.stage.history"]
        now = fields.Datetime.now()
        if lost:
            # a lost application stops counting time in its stage
            History._edu_close_stages(lost - moved, now)
        if moved or restored:
            History._edu_record_stages((moved | restored) - lost, now)
        return res

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        """Admissions teams show their own stages only."""
        result = super()._read_group_stage_ids(stages, domain)
        team = self.env["crm.team"].browse(self.env.context.get("default_team_id"))
        if team.exists() and team.edu_is_admissions:
            result = result.filtered(lambda s: s.team_id == team or s in stages)
        return result

    def _stage_find(self, team_id=False, domain=None, order="sequence, id", limit=1):
        """Leads of admissions teams only go to the stages of their team."""
        teams = self.env["crm.team"].browse(team_id) | self.team_id
        if teams and all(teams.mapped("edu_is_admissions")):
            domain = list(domain or []) + [("team_id", "!=", False)]
        return super()._stage_find(
            team_id=team_id, domain=domain, order=order, limit=limit
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_set_won(self):
        """Won is an accepted offer. An admissions application already in a
        won stage (accepted or enrolled) stays there: only its enrolment moves
        it on to the enrolment stage (CRM would take it to the next won
        stage)."""
        won = self.filtered(
            lambda lead: lead.edu_is_admissions and lead.stage_id.is_won
        )
        if won:
            won.action_unarchive()
            won.filtered(lambda lead: lead.probability < 100).write(
                {"probability": 100}
            )
        super(CrmLead, self - won).action_set_won()
        return True

    def action_edu_enrol(self):
        """Enrol button of a won application."""
        self.ensure_one()
        check_edu_group(self.env, EDU_USER)
        enrollment = self._edu_enrol()
        return {
            "type": "ir.actions.act_window",
            "res_model": "edu.enrollment",
            "res_id": enrollment.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_edu_open_enrollments(self):
        self.ensure_one()
        check_edu_group(self.env, EDU_USER)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "edu_crm.edu_enrollment_action"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        return action

    def action_edu_link_existing_partner(self):
        """Link the applicant to the oldest matching existing person."""
        self.ensure_one()
        check_edu_group(self.env, EDU_USER)
        if not self.edu_duplicate_partner_ids:
            raise UserError(self.env._("No existing person matches this applicant."))
        self.partner_id = self.edu_duplicate_partner_ids[0]
        return True

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
                vals = lead._prepare_customer_values(
                    lead.contact_name or lead.partner_name or lead.name
                )
                vals.update(
                    {
                        "edu_is_applicant": True,
                        "edu_national_id": lead.sudo().edu_national_id,
                        "edu_birthdate": lead.sudo().edu_birthdate,
                    }
                )
                new_vals.append(vals)
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
                if fname not in Enrollment._edu_workflow_fields
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
