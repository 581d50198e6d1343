import hashlib

from markupsafe import Markup
from odoo import api, fields, models, tools
from odoo.exceptions import UserError

from .edu_workflow_mixin import EDU_MANAGER, EDU_USER, check_edu_group

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
    _edu_workflow_fields = WORKFLOW_FIELDS

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

    def _edu_workflow_refusal(self, fnames, creating):
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
    def _edu_issue(self, type_code, partner, source=None):
        """Create, number and issue a document of type ``type_code`` for ``partner``.

        :param type_code: ``edu.document.type`` code, e.g. ``enrolment_certificate``
        :param partner: the ``res.partner`` the document is issued to (exactly one)
        :param source: optional record the document is issued from, kept as a Reference
        :return: the issued ``edu.document``, its PDF stored as an attachment
        """
        doc_type = self.env["edu.document.type"]._edu_get_by_code(type_code)
        if (
            not isinstance(partner, models.BaseModel)
            or partner._name != "res.partner"
            or len(partner) != 1
        ):
            raise UserError(
                self.env._("A document must be issued to exactly one person.")
            )
        if source is not None and (
            not isinstance(source, models.BaseModel) or len(source) != 1
        ):
            raise UserError(
                self.env._("A document can only be issued from a single source record.")
            )
        if source is not None and source._name not in self._edu_source_models():
            raise UserError(
                self.env._(
                    "A document cannot be issued from a record of %(model)s.",
                    model=source._description,
                )
            )
        if not doc_type.report_id:
            raise UserError(
                self.env._(
                    "Set a report on the document type(s) %(types)s before issuing.",
                    types=doc_type.name,
                )
            )
        company = self.env.company
        if source and "company_id" in source._fields and source.company_id:
            company = source.company_id
        # all or nothing, also for a caller that catches the error
        with self.env.cr.savepoint():
            document = self.with_company(company).create(
                {
                    "type_id": doc_type.id,
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "source_ref": f"{source._name},{source.id}" if source else False,
                }
            )
            document.action_issue()
        return document

    def _edu_issue_new_versions(self):
        """Issue again the issued documents of ``self`` whose text no longer
        says what their source says (e.g. a contract whose schedule changed
        after an approved deferral). Each is cancelled and replaced by a new
        version: the text prepared from the source as it is now, its own
        number (a contract's reference with its version, TC/2026/00010-2),
        file and checksum. A document whose text still holds stays.

        For the transitions that changed the source and checked their caller:
        the caller's write access on the documents is checked.

        :return: ``{old document: new version}`` for the documents issued again
        """
        new_versions = {}
        for doc in self.filtered(lambda d: d.state == "issued"):
            source = doc.sudo().source_ref
            source = source.exists() if source else None
            if not source:
                continue
            body = doc._fields["body"].convert_to_cache(
                self._edu_prepare_body(doc.type_id, doc.partner_id, source), doc
            )
            if body == doc.body:
                continue
            doc._edu_workflow_write(
                {
                    "state": "cancelled",
                    "cancelled_by_id": self.env.uid,
                    "date_cancelled": fields.Datetime.now(),
                }
            )
            # origin_id is the workflow's: the caller passed the transition
            new_doc = doc.sudo().copy({"origin_id": doc.id, "body": body}).sudo(False)
            doc.sudo().replacement_id = new_doc
            new_doc._edu_issue_documents()
            doc.message_post(
                body=self.env._(
                    "What this document states changed: replaced by %(number)s.",
                    number=new_doc.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            new_versions[doc] = new_doc
        return new_versions

    def _edu_check_issuable(self):
        not_draft = self.filtered(lambda doc: doc.state != "draft")
        if not_draft:
            raise UserError(
                self.env._(
                    "Only draft documents can be issued: %(names)s",
                    names=", ".join(not_draft.mapped("display_name")),
                )
            )
        no_partner = self.filtered(lambda doc: not doc.partner_id)
        if no_partner:
            raise UserError(
                self.env._("A document needs a person before it can be issued.")
            )
        no_report = self.type_id.filtered(lambda doc_type: not doc_type.report_id)
        if no_report:
            raise UserError(
                self.env._(
                    "Set a report on the document type(s) %(types)s before issuing.",
                    types=", ".join(no_report.mapped("name")),
                )
            )

    def _edu_check_can_cancel(self):
        check_edu_group(self.env, EDU_MANAGER)
        self.check_access("write")
        not_issued = self.filtered(lambda doc: doc.state != "issued")
        if not_issued:
            raise UserError(
                self.env._(
                    "Only issued documents can be cancelled: %(names)s",
                    names=", ".join(not_issued.mapped("display_name")),
                )
            )

    def _edu_check_editable(self, vals):
        locked_fields = vals.keys() - MUTABLE_AFTER_ISSUE - self._edu_mixin_fields()
        if not locked_fields:
            return
        locked = self.filtered(lambda doc: doc.state != "draft")
        if locked:
            labels = ", ".join(
                sorted(
                    self._fields[fname].get_description(self.env)["string"]
                    for fname in locked_fields
                    if fname in self._fields
                )
            )
            raise UserError(
                self.env._(
                    "Document %(names)s is issued or cancelled and cannot be changed "
                    "(%(fields)s). "
                    "To correct it, use 'Cancel and Reissue'.",
                    names=", ".join(locked.mapped("display_name")),
                    fields=labels,
                )
            )

    @api.model
    def _edu_mixin_fields(self):
        return set(self.env["mail.thread"]._fields) | set(
            self.env["mail.activity.mixin"]._fields
        )

    def _edu_issue_documents(self):
        """Number the (draft, checked) documents and store their PDF."""
        now = fields.Datetime.now()
        sequences = self.type_id._edu_sequences_for(self.company_id)
        for doc in self:
            number = (
                doc._edu_number_from_source()
                or sequences[(doc.type_id, doc.company_id)]
                .with_company(doc.company_id)
                ._next()
            )
            doc._edu_workflow_write(
                {
                    "name": number,
                    "state": "issued",
                    "issued_by_id": self.env.uid,
                    "date_issued": now,
                }
            )
        if self._edu_can_render_now():
            self._edu_attach_pdf()
        else:
            self.env.ref("edu_crm.ir_cron_edu_document_attach_pdf").sudo()._trigger()

    @api.model
    def _edu_can_render_now(self):
        """wkhtmltopdf fetches the report's assets from this very server, which
        does not answer while modules install (demo data): the files of the
        documents issued then are stored by a job as soon as the server runs.
        In test mode Odoo renders HTML, which needs no server."""
        return bool(
            self.env.registry.ready
            or tools.config["test_enable"]
            or tools.config["test_file"]
        )

    def _edu_attach_pdf(self):
        """Render each issued document with its type's report and store the file,
        with its SHA-256 checksum, as the document's attachment.

        The file is rendered here, never taken from an existing attachment of
        the same name (anyone who may edit the document may attach files to
        it); later prints return this file (see ``ir.actions.report``'s
        ``retrieve_attachment``), which nobody but the superuser can change or
        delete (``ir.attachment``). Where Odoo renders HTML, not PDF (test
        mode), the HTML is stored so that the document still carries what was
        issued."""
        Report = self.env["ir.actions.report"].with_context(
            report_pdf_no_attachment=True
        )
        Attachment = self.env["ir.attachment"].sudo()
        for doc in self:
            report = doc.type_id.report_id.sudo()
            content, content_type = Report._render_qweb_pdf(report, doc.ids)
            if isinstance(content, str):
                content = content.encode()
            attachment = Attachment.create(
                {
                    "name": doc._edu_attachment_name(content_type),
                    "raw": content,
                    "res_model": self._name,
                    "res_id": doc.id,
                    "mimetype": "application/pdf"
                    if content_type == "pdf"
                    else "text/html",
                }
            )
            doc.sudo().write(
                {
                    "attachment_id": attachment.id,
                    "checksum": hashlib.sha256(content).hexdigest(),
                }
            )

    @api.model
    def _cron_attach_missing_pdfs(self, limit=100):
        """Store the file of issued documents that have none yet (issued while
        the modules installed, see ``_edu_can_render_now``)."""
        documents = self.search(
            [("state", "=", "issued"), ("attachment_id", "=", False)],
            order="id",
            limit=limit,
        )
        documents._edu_attach_pdf()
        if len(documents) == limit:
            self.env.ref("edu_crm.ir_cron_edu_document_attach_pdf")._trigger()

    def _edu_number_from_source(self):
        """The number of a document that states a numbered record (e.g. a
        tuition contract) is that record's: one number, one document. False
        for a number from the type's sequence."""
        self.ensure_one()
        return False

    def _edu_next_version_number(self, reference):
        """``reference``, or ``reference-2``, ``-3``... when documents of the
        same type and company already carry it (corrections)."""
        self.ensure_one()
        taken = set(
            self.sudo()
            .search(
                [
                    ("type_id", "=", self.type_id.id),
                    ("company_id", "=", self.company_id.id),
                    ("name", "=like", f"{reference}%"),
                ]
            )
            .mapped("name")
        )
        number, version = reference, 1
        while number in taken:
            version += 1
            number = f"{reference}-{version}"
        return number

    def _edu_attachment_name(self, extension="pdf"):
        self.ensure_one()
        return "{}.{}".format((self.name or "draft").replace("/", "_"), extension)

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
