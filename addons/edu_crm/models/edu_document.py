from markupsafe import Markup
from odoo import api, fields, models
from odoo.exceptions import UserError

from .edu_workflow_mixin import EDU_USER, check_edu_group

# Fields only the workflow (issue, cancel, reissue) may set.
WORKFLOW_FIELDS = frozenset(
    {
        "name",
        "state",
        "issued_by_id",
        "date_issued",
        "attachment_id",
        "checksum",
        "cancelled_by_id",
        "date_cancelled",
        "origin_id",
        "replacement_id",
    }
)
# Fields that may still change once a document left the draft state.
MUTABLE_AFTER_ISSUE = frozenset(
    {
        "state",
        "attachment_id",
        "checksum",
        "cancelled_by_id",
        "date_cancelled",
        "replacement_id",
    }
)


class EduDocument(models.Model):
    _name = "edu.document"
    _description = "Education Document"
    _inherit = ["mail.thread", "mail.activity.mixin", "edu.workflow.mixin"]
    _order = "date_issued desc, id desc"
    _check_company_auto = True
    _edu_system_fields = WORKFLOW_FIELDS

    name = fields.Char(
        string="Number", readonly=True, copy=False, index="trigram", tracking=True
    )
    type_id = fields.Many2one(
        "edu.document.type",
        string="Type",
        required=True,
        ondelete="restrict",
        index=True,
        tracking=True,
    )
    type_code = fields.Char(related="type_id.code", store=True, string="Type Code")
    state = fields.Selection(
        [("draft", "Draft"), ("issued", "Issued"), ("cancelled", "Cancelled")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Person",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    source_ref = fields.Reference(
        selection="_selection_source_model",
        string="Source",
        groups=EDU_USER,
        help="The record this document was issued from (enrolment, questionnaire "
        "answers, contract, ...).",
    )
    body = fields.Html(
        string="Content",
        compute="_compute_body",
        store=True,
        readonly=False,
        precompute=True,
        copy=True,
        help="Text of the document. It is prepared from the source when the document "
        "is created "
        "and frozen once the document is issued.",
    )
    issued_by_id = fields.Many2one(
        "res.users", string="Issued By", readonly=True, copy=False
    )
    date_issued = fields.Datetime(
        string="Issued On", readonly=True, copy=False, index=True
    )
    cancelled_by_id = fields.Many2one(
        "res.users", string="Cancelled By", readonly=True, copy=False
    )
    date_cancelled = fields.Datetime(string="Cancelled On", readonly=True, copy=False)
    attachment_id = fields.Many2one(
        "ir.attachment",
        string="Printed Document",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
        help="The file stored at issue. It cannot be changed or deleted.",
    )
    checksum = fields.Char(
        string="SHA-256 Checksum",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="SHA-256 of the file stored at issue: a copy of the document is "
        "genuine when its checksum is this one.",
    )
    origin_id = fields.Many2one(
        "edu.document",
        string="Replaces",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The cancelled document this one corrects.",
    )
    replacement_id = fields.Many2one(
        "edu.document",
        string="Replaced By",
        readonly=True,
        copy=False,
        help="The document issued to correct this one.",
    )

    _sql_constraints = [
        (
            "name_company_unique",
            "unique(name, type_id, company_id)",
            "A document number must be unique per type and company.",
        ),
    ]

    @api.model
    def _selection_source_model(self):
        models_ = (
            self.env["ir.model"]
            .sudo()
            .search_fetch(
                [("model", "in", self._edu_source_models())],
                ["model", "name"],
                order="name",
            )
        )
        return [(model.model, model.name) for model in models_]

    @api.model
    def _edu_source_models(self):
        """The models documents are issued from (the Source of a document):
        extend the list to issue documents from another model."""
        return [
            "crm.lead",
            "edu.enrollment",
            "edu.tuition.contract",
            "survey.user_input",
        ]

    @api.depends("type_id", "partner_id", "source_ref")
    def _compute_body(self):
        for doc in self:
            if doc.state != "draft" or not (doc.type_id and doc.partner_id):
                continue
            source = doc.source_ref.exists() if doc.source_ref else None
            doc.body = self._edu_prepare_body(
                doc.type_id, doc.partner_id, source or None
            )

    @api.depends("name", "type_id", "state")
    def _compute_display_name(self):
        for doc in self:
            doc.display_name = doc.name or self.env._(
                "Draft %(type)s", type=doc.type_id.name or self.env._("document")
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def write(self, vals):
        # workflow fields: refused to all but the superuser (edu.workflow.mixin)
        self._edu_check_editable(vals)
        return super().write(vals)

    def _edu_system_fields_refusal(self, fnames, creating):
        if creating:
            return self.env._(
                "A document is always created as a draft; use the Issue button to "
                "number it."
            )
        return self.env._(
            "The number and the state of a document only change through the Issue "
            "and Cancel buttons."
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        numbered = self.filtered(lambda doc: doc.state != "draft")
        if numbered:
            raise UserError(
                self.env._(
                    "Issued and cancelled documents stay in the registry and cannot "
                    "be deleted: %(names)s",
                    names=", ".join(numbered.mapped("display_name")),
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_issue(self):
        """Number the drafts and store their file (Education Users)."""
        check_edu_group(self.env, EDU_USER)
        self.check_access("write")
        self._edu_check_issuable()
        self._edu_issue_documents()
        return True

    def action_cancel(self):
        """Cancel issued documents: an Education Manager's decision."""
        self._edu_check_can_cancel()
        self._edu_workflow_write(
            {
                "state": "cancelled",
                "cancelled_by_id": self.env.uid,
                "date_cancelled": fields.Datetime.now(),
            }
        )
        return True

    def action_cancel_and_reissue(self):
        """Correct issued documents: cancel them and open new drafts to edit and
        issue.
        """
        self._edu_check_can_cancel()
        self.action_cancel()
        copies = self.browse()
        for doc in self:
            # origin_id is the workflow's: the caller passed the manager check
            copies |= doc.sudo().copy({"origin_id": doc.id}).sudo(False)
        for doc, new_doc in zip(self, copies, strict=True):
            doc.sudo().replacement_id = new_doc
        return copies._edu_action_open()

    def action_print(self):
        self.ensure_one()
        check_edu_group(self.env, EDU_USER)
        if self.state == "issued" and not self.attachment_id:
            self._edu_attach_pdf()
        report = self.type_id.report_id
        if not report:
            raise UserError(
                self.env._(
                    "The document type %(type)s has no report to print.",
                    type=self.type_id.name,
                )
            )
        return report.report_action(self)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _edu_action_open(self):
        """Window action showing these documents (the form when there is one)."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "edu_crm.edu_document_action"
        )
        if len(self) == 1:
            action.update(
                {"res_id": self.id, "views": [(False, "form")], "view_mode": "form"}
            )
        else:
            action["domain"] = [("id", "in", self.ids)]
        return action

    @api.model
    def _edu_action_for_partners(self, partners):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "edu_crm.edu_document_action"
        )
        action["domain"] = [("partner_id", "in", partners.ids)]
        if len(partners) == 1:
            action["context"] = {"default_partner_id": partners.id}
        return action

    @api.model
    def _edu_prepare_body(self, doc_type, partner, source):
        """HTML text of a new document. Override ``_edu_prepare_body_<type code>``
        to give a type its own wording; the text is frozen at issue."""
        method = getattr(self, f"_edu_prepare_body_{doc_type.code}", None)
        if method and source is not None:
            body = method(partner, source)
            if body:
                return body
        if source is not None:
            return Markup("<p>%s</p>") % self.env._(
                "%(type)s for %(person)s, issued from %(origin)s.",
                type=doc_type.name,
                person=partner.display_name,
                origin=source.display_name,
            )
        return Markup("<p>%s</p>") % self.env._(
            "%(type)s for %(person)s.", type=doc_type.name, person=partner.display_name
        )

    @api.model
    def _edu_prepare_body_enrolment_certificate(self, partner, source):
        if source._name != "edu.enrollment":
            return False
        programme = source.programme_id
        intake = source.intake_id
        text = self.env._(
            "This is to certify that %(person)s is a student of %(institution)s, "
            "enrolled in the "
            "programme %(programme)s, intake %(intake)s.",
            person=partner.display_name,
            institution=source.company_id.name or self.env.company.name,
            programme=programme.display_name or "-",
            intake=intake.display_name or "-",
        )
        return Markup("<p>%s</p>") % text

    @api.model
    def _edu_prepare_body_questionnaire_result(self, partner, source):
        if source._name != "survey.user_input":
            return False
        answers = {}
        for line in source.user_input_line_ids.sorted(
            lambda ln: (ln.question_sequence, ln.id)
        ):
            answers.setdefault(line.question_id, []).append(
                self.env._("Skipped") if line.skipped else str(line.display_name)
            )
        rows = Markup("").join(
            Markup("<tr><td><strong>%s</strong></td><td>%s</td></tr>")
            % (question.title, ", ".join(values))
            for question, values in answers.items()
        )
        intro = self.env._(
            "Answers of %(person)s to the questionnaire %(survey)s.",
            person=partner.display_name,
            survey=source.survey_id.title,
        )
        body = Markup(
            "<p>%s</p><table class='table table-sm'><tbody>%s</tbody></table>"
        ) % (intro, rows)
        if source.scoring_type != "no_scoring":
            body += Markup("<p>%s</p>") % self.env._(
                "Score: %(score)s %%", score=round(source.scoring_percentage, 2)
            )
        return body
