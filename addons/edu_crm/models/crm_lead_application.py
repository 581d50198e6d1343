from markupsafe import Markup
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .edu_system_fields_mixin import fields_set_by_create
from .edu_workflow_mixin import EDU_USER

# set by the online application and computed from its files, never by hand
ONLINE_FIELDS = frozenset({"edu_is_online", "edu_checklist_state"})


class CrmLead(models.Model):
    """Online applications: a lead made by the applicant in the portal, with
    the documents of the programme's checklist."""

    _inherit = "crm.lead"

    edu_is_online = fields.Boolean(
        string="Applied Online",
        readonly=True,
        copy=False,
        help="The applicant sent this application from the portal.",
    )
    edu_sponsor_name = fields.Char(
        string="Sponsor Organisation (as typed)",
        help="The organisation the applicant named as sponsor on the form.",
    )
    edu_application_document_ids = fields.One2many(
        "edu.application.document", "lead_id", string="Application Documents"
    )
    edu_missing_requirement_ids = fields.Many2many(
        "edu.programme.requirement",
        string="Missing Documents",
        compute="_compute_edu_missing_requirement_ids",
    )
    edu_checklist_state = fields.Selection(
        [
            ("none", "No checklist"),
            ("missing", "Documents missing"),
            ("complete", "Documents complete"),
        ],
        string="Checklist",
        compute="_compute_edu_checklist_state",
        store=True,
    )

    @api.depends(
        "edu_programme_id.requirement_ids.is_required",
        "edu_application_document_ids.requirement_id",
    )
    def _compute_edu_missing_requirement_ids(self):
        for lead in self:
            lead.edu_missing_requirement_ids = lead._edu_missing_requirements()

    @api.depends(
        "edu_is_online",
        "edu_programme_id.requirement_ids.is_required",
        "edu_application_document_ids.requirement_id",
    )
    def _compute_edu_checklist_state(self):
        # the checklist is the online application's: files entered by staff
        # stay where they are (chatter, documents), not counted here
        for lead in self:
            if not (
                lead.edu_is_online
                and lead.edu_programme_id.requirement_ids.filtered("is_required")
            ):
                lead.edu_checklist_state = "none"
            elif lead._edu_missing_requirements():
                lead.edu_checklist_state = "missing"
            else:
                lead.edu_checklist_state = "complete"

    def _edu_missing_requirements(self):
        """The required documents of the programme not uploaded yet."""
        self.ensure_one()
        required = self.edu_programme_id.requirement_ids.filtered("is_required")
        return required - self.edu_application_document_ids.requirement_id

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and fields_set_by_create(self, vals_list, ONLINE_FIELDS):
            raise AccessError(
                self.env._("Only the online application marks a lead as online.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and ONLINE_FIELDS & set(vals):
            raise AccessError(
                self.env._("Only the online application marks a lead as online.")
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # The online application (called by the portal, sudo, for the person
    # of the logged-in user)
    # ------------------------------------------------------------------
    @api.model
    def _edu_apply_online(self, partner, intake, values, files):
        """Create the application of ``partner`` for ``intake``.

        :param values: crm.lead values typed by the applicant (contact_name,
          email_from, phone, edu_funding, edu_sponsor_name,
          edu_national_id, edu_birthdate)
        :param files: ``[(requirement, file_name, bytes)]``
        :return: the new lead, in the Admissions team's Application stage
        :raise UserError: the intake takes no application, the person applied
          for it already, a required document is missing or a file is refused
        """
        self._edu_check_application(partner, intake, files)
        team = self.env.ref("edu_crm.crm_team_admissions")
        stage = self.env.ref("edu_crm.crm_stage_application")
        lead = self.create(
            dict(
                values,
                name=self.env._(
                    "%(person)s – %(intake)s",
                    person=values.get("contact_name") or partner.name,
                    intake=intake.display_name,
                ),
                type="opportunity",
                team_id=team.id,
                stage_id=stage.id,
                user_id=False,
                partner_id=partner.id,
                edu_programme_id=intake.programme_id.id,
                edu_intake_id=intake.id,
                company_id=intake.company_id.id,
                edu_is_online=True,
            )
        )
        self.env["edu.application.document"]._edu_create_from_files(lead, files)
        lead._edu_note_other_persons()
        # the programme's admission questionnaire, to answer from the portal
        lead._edu_questionnaire_answer()
        return lead

    def _edu_check_application(self, partner, intake, files):
        """Refuse the online application of ``partner`` for ``intake``:
        the intake takes no application, the person applied for it already,
        or a required document is missing from ``files``.

        :raise UserError: with the reason, in the applicant's words
        """
        today = fields.Date.context_today(self)
        refusal = intake._edu_application_refusal(today)
        if refusal:
            raise UserError(refusal)
        if self.with_context(active_test=False).search_count(
            [
                ("partner_id", "=", partner.id),
                ("edu_intake_id", "=", intake.id),
                ("edu_is_online", "=", True),
            ],
            limit=1,
        ):
            raise UserError(
                self.env._(
                    "You have already applied for %s: follow your application "
                    "in your account.",
                    intake.display_name,
                )
            )
        requirements = intake.programme_id.requirement_ids
        given = {requirement for requirement, _name, _data in files}
        missing = requirements.filtered(lambda r: r.is_required and r not in given)
        if missing:
            raise UserError(
                self.env._(
                    "Upload the required documents: %s.",
                    ", ".join(missing.mapped("name")),
                )
            )

    def _edu_note_other_persons(self):
        """The duplicate check of an online application: the applicant is
        the person of their login (never another file found by a typed
        email or ID, which would open that file to them); other persons
        with the same email, phone or national ID are noted for the
        admissions office to merge."""
        self.ensure_one()
        found = (
            self.env["res.partner"]._edu_find_duplicates([self._edu_person_keys()])[0]
            - self.partner_id.commercial_partner_id
            - self.partner_id
        )
        if not found:
            return
        self._message_log(
            body=Markup("<p>%s</p>")
            % self.env._(
                "Other persons have the same email, phone or national ID as "
                "this applicant: %s. Merge them if they are the same person.",
                ", ".join(found.mapped("display_name")),
            )
        )

    def _edu_add_documents(self, files):
        """The applicant uploads missing documents to their application."""
        self.ensure_one()
        if not self.active or self.stage_id.is_won:
            raise UserError(
                self.env._("This application is closed: it takes no more documents.")
            )
        return self.env["edu.application.document"]._edu_create_from_files(self, files)

    def action_edu_withdraw(self, lost_reason_id=False):
        """The applicant (or the admissions office) withdraws an open
        application, with a reason: the lead is lost with that reason. The
        applicant gives one of the reasons flagged for applicants
        (``crm.lost.reason._edu_applicant_reasons``)."""
        self.ensure_one()
        # the caller must see the application (portal: their own online ones)
        self.check_access("read")
        lead = self.sudo()
        is_staff = self.env.su or self.env.user.has_group(EDU_USER)
        if not is_staff and (
            self.env.user.partner_id != lead.partner_id or not lead.edu_is_online
        ):
            raise AccessError(
                self.env._("Only the applicant can withdraw their application.")
            )
        if not lead.active or lead.stage_id.is_won:
            raise UserError(self.env._("This application is already closed."))
        missing = self.env._("Choose why you withdraw the application.")
        if is_staff:
            # the office closes with its own reasons too (e.g. "No response")
            reason = self.env["crm.lost.reason"].sudo().browse(lost_reason_id).exists()
            if not reason:
                raise UserError(missing)
        else:
            reason = self.env["crm.lost.reason"]._edu_applicant_reason(
                lost_reason_id, lead.company_id, missing
            )
        # sudo keeps the caller as the author of the chatter's tracking
        lead.action_set_lost(lost_reason_id=reason.id)
        return True
