import hashlib

from odoo import api, fields, models, tools
from odoo.exceptions import UserError

from .edu_document import MUTABLE_AFTER_ISSUE
from .edu_workflow_mixin import EDU_MANAGER, check_edu_group


class EduDocumentIssue(models.Model):
    """Issuing a document: the checks, the number (and the version of a
    reissue), the PDF rendered once and stamped with its checksum."""

    _inherit = "edu.document"

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
