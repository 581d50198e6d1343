from markupsafe import Markup
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, clean_context

from .edu_system_fields_mixin import fields_set_by_create
from .edu_workflow_mixin import EDU_USER, check_edu_group

# set by the offer's transitions only (issue, accept, decline)
OFFER_FIELDS = frozenset({"edu_offer_state", "edu_offer_document_id"})


class CrmLeadOffer(models.Model):
    """The offer of a place: admissions issue it as a numbered document
    (type ``admission_offer``), the applicant accepts or declines it online.
    Accepting wins the application and enrols it with the code of the
    Enrol button, which proposes the draft tuition contract; activating that
    contract stays the bursar's decision."""

    _inherit = "crm.lead"

    edu_offer_state = fields.Selection(
        [
            ("pending", "Offer pending"),
            ("accepted", "Offer accepted"),
            ("declined", "Offer declined"),
        ],
        string="Offer",
        readonly=True,
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="Pending: an offer letter was issued and waits for the applicant's "
        "answer in the portal.",
    )
    edu_offer_document_id = fields.Many2one(
        "edu.document",
        string="Offer Letter",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and fields_set_by_create(self, vals_list, OFFER_FIELDS):
            raise AccessError(self.env._("Only the offer's buttons set the offer."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and OFFER_FIELDS & set(vals):
            raise AccessError(self.env._("Only the offer's buttons set the offer."))
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_edu_issue_offer(self):
        """Admissions offer a place: the offer letter is issued (numbered,
        its PDF stored), the application waits for the applicant's answer in
        the Offer stage."""
        check_edu_group(self.env, EDU_USER)
        self.check_access("write")
        self._edu_check_offerable()
        offer_stage = self.env.ref("edu_crm.crm_stage_offer", raise_if_not_found=False)
        Document = self.env["edu.document"]
        for lead in self:
            document = Document._edu_issue("admission_offer", lead.partner_id, lead)
            values = {
                "edu_offer_state": "pending",
                "edu_offer_document_id": document.id,
            }
            if offer_stage and lead.team_id == offer_stage.team_id:
                values["stage_id"] = offer_stage.id
            lead.sudo().write(values)
            lead.message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "We offer you a place: see the offer letter %(number)s and "
                    "accept or decline it in your account.",
                    number=document.name,
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=lead.partner_id.ids,
            )
        return True

    def action_edu_accept_offer(self):
        """The applicant accepts the pending offer: the application is won
        and enrolled (the Enrol button's code), which proposes the draft
        tuition contract to review and sign."""
        lead = self._edu_answering_applicant()
        lead.write({"edu_offer_state": "accepted"})
        lead.action_set_won()
        lead._edu_enrol()
        lead.message_post(
            body=self.env._("The applicant accepted the offer online."),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_edu_decline_offer(self, lost_reason_id=False):
        """The applicant declines the pending offer with one of the reasons
        flagged for applicants: the application is lost with that reason."""
        lead = self._edu_answering_applicant()
        reason = self.env["crm.lost.reason"]._edu_applicant_reason(
            lost_reason_id,
            lead.company_id,
            self.env._("Choose why you decline the offer."),
        )
        lead.write({"edu_offer_state": "declined"})
        lead.action_set_lost(lost_reason_id=reason.id)
        lead.message_post(
            body=self.env._(
                "The applicant declined the offer online: %(reason)s.",
                reason=reason.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _edu_check_offerable(self):
        """Refuse to offer a place on an application that is closed, has
        no person, programme or intake, or has an offer already."""
        for lead in self:
            if not lead.edu_is_admissions:
                raise UserError(
                    self.env._(
                        "%s: only admissions applications get offers.", lead.name
                    )
                )
            if not lead.active or lead.stage_id.is_won:
                raise UserError(self.env._("%s: the application is closed.", lead.name))
            if not (lead.partner_id and lead.edu_programme_id and lead.edu_intake_id):
                raise UserError(
                    self.env._(
                        "%s: the application needs a person, a programme and an "
                        "intake before an offer.",
                        lead.name,
                    )
                )
            if lead.edu_offer_state in ("pending", "accepted"):
                raise UserError(
                    self.env._("%s: an offer was issued already.", lead.name)
                )

    def _edu_answering_applicant(self):
        """The application ``self`` (sudo, its row locked) when the caller
        is its applicant and its offer waits for an answer: an offer is
        answered once, by the person it was issued to."""
        self.ensure_one()
        # the caller must see the application (portal: their own online ones)
        self.check_access("read")
        # superuser from here on: nothing of the caller's context (no
        # default_* key reaches the enrolment, the contract or its schedule)
        lead = self.sudo().with_context(clean_context(self.env.context))
        # the person the letter was issued to, in their own portal account:
        # staff who may edit the lead's person cannot answer for them
        letter = lead.edu_offer_document_id
        if not self.env.su and (
            not self.env.user.share
            or (letter and self.env.user.partner_id != letter.partner_id)
            or self.env.user.partner_id != lead.partner_id
            or not lead.edu_is_online
        ):
            raise AccessError(self.env._("Only the applicant can answer the offer."))
        # one answer: a second request waits here for the first to commit
        self.env.cr.execute(
            SQL("SELECT id FROM crm_lead WHERE id = %s FOR UPDATE", lead.id)
        )
        lead.invalidate_recordset(["edu_offer_state", "active"])
        if not lead.active or lead.edu_offer_state != "pending":
            raise UserError(
                self.env._("This offer is not waiting for your answer any more.")
            )
        return lead
