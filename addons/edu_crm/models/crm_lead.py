from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .edu_workflow_mixin import EDU_USER, check_edu_group


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

    @api.depends("edu_programme_id")
    def _compute_company_id(self):
        """CRM proposes a lead's company from its team, salesperson and
        customer, and drops it when none of them has one: an admissions lead
        on the shared Admissions team with nobody assigned lost its company
        whenever its person changed (an event's lead rule updating the
        contact), and its programme then no longer matched. A lead for a
        programme of a company stays in that company, unless its team or
        salesperson belongs elsewhere (the company check then says so)."""
        result = super()._compute_company_id()
        for lead in self:
            company = lead.edu_programme_id.company_id
            team_company = lead.team_id.company_id
            if (
                company
                and lead.company_id != company
                and (not team_company or team_company == company)
                and (not lead.user_id or company in lead.user_id.company_ids)
            ):
                lead.company_id = company
        return result

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
        leads._edu_mark_applicants()
        return leads

    def _edu_mark_applicants(self):
        """The people of these leads that are admissions leads are
        applicants."""
        self.filtered("edu_is_admissions").partner_id.filtered(
            lambda p: not p.is_company and not p.edu_is_applicant
        ).sudo().write({"edu_is_applicant": True})

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
        if "partner_id" in vals or "team_id" in vals:
            # a person found or made after the lead (an event's lead rule, a
            # live chat, the web enquiry form link theirs so), or a lead
            # moved to an admissions team
            self._edu_mark_applicants()
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
