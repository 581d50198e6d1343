from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .edu_workflow_mixin import EDU_USER, check_edu_group

SEQUENCE_CODE_PREFIX = "edu.document."


class EduDocumentType(models.Model):
    _name = "edu.document.type"
    _description = "Education Document Type"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Technical code used by other modules to issue documents of this type, "
        "e.g. 'enrolment_certificate'.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    prefix = fields.Char(
        string="Number Prefix",
        required=True,
        default="DOC/%(year)s/",
        help="Prefix of the numbers; the placeholders of sequences such as %(year)s "
        "are allowed. Used when the numbering of a company is created.",
    )
    padding = fields.Integer(string="Number Padding", default=5, required=True)
    report_id = fields.Many2one(
        "ir.actions.report",
        string="Report",
        domain=[("model", "=", "edu.document"), ("report_type", "=", "qweb-pdf")],
        help="QWeb report printed and stored as a PDF when a document of this type is "
        "issued.",
    )
    sequence_code = fields.Char(compute="_compute_sequence_code")
    sequence_ids = fields.Many2many(
        "ir.sequence",
        string="Numbering per Company",
        compute="_compute_sequence_ids",
        help="One sequence per company, created on the first issue in that company.",
    )
    document_count = fields.Integer(
        compute="_compute_document_count", string="Documents"
    )
    note = fields.Text(translate=True)

    _sql_constraints = [
        ("code_unique", "unique(code)", "The code of a document type must be unique."),
        (
            "padding_positive",
            "CHECK(padding > 0 AND padding < 20)",
            "The padding must be between 1 and 19.",
        ),
    ]

    @api.depends("code")
    def _compute_sequence_code(self):
        for doc_type in self:
            doc_type.sequence_code = SEQUENCE_CODE_PREFIX + (doc_type.code or "")

    @api.depends("code")
    def _compute_sequence_ids(self):
        codes = [doc_type.sequence_code for doc_type in self if doc_type.code]
        sequences = (
            self.env["ir.sequence"].sudo().search([("code", "in", codes)])
            if codes
            else []
        )
        for doc_type in self:
            doc_type.sequence_ids = self.env["ir.sequence"].browse(
                [seq.id for seq in sequences if seq.code == doc_type.sequence_code]
            )

    def _compute_document_count(self):
        counts = dict(
            self.env["edu.document"]._read_group(
                [("type_id", "in", self.ids)], ["type_id"], ["__count"]
            )
        )
        for doc_type in self:
            doc_type.document_count = counts.get(doc_type, 0)

    @api.constrains("code")
    def _check_code(self):
        for doc_type in self:
            code = doc_type.code
            if (
                not code.replace("_", "").isalnum()
                or not code.isascii()
                or code != code.lower()
            ):
                raise ValidationError(
                    self.env._(
                        "The code %(code)r may only contain lowercase letters, digits "
                        "and underscores.",
                        code=doc_type.code,
                    )
                )

    def write(self, vals):
        # the same code written again (Odoo reloading the data file when the
        # module is installed again with -i) changes nothing: only a new
        # code is refused once the type has documents
        changed = self.filtered(lambda t: "code" in vals and t.code != vals["code"])
        if changed and self.env["edu.document"].sudo().search_count(
            [("type_id", "in", changed.ids)], limit=1
        ):
            raise UserError(
                self.env._(
                    "The code of a document type that already has documents cannot be "
                    "changed."
                )
            )
        return super().write(vals)

    def action_view_documents(self):
        self.ensure_one()
        check_edu_group(self.env, EDU_USER)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "edu_crm.edu_document_action"
        )
        action["domain"] = [("type_id", "=", self.id)]
        action["context"] = {"default_type_id": self.id}
        return action

    @api.model
    def _edu_get_by_code(self, code):
        """Return the active type with ``code``; a clear error when there is none."""
        doc_type = (
            self.search([("code", "=", code)], limit=1)
            if isinstance(code, str)
            else self.browse()
        )
        if not doc_type:
            raise UserError(
                self.env._(
                    "There is no active document type with the code %(code)r.",
                    code=code,
                )
            )
        return doc_type

    def _edu_sequences_for(self, companies):
        """Return {(type, company): ir.sequence}, creating the missing sequences.

        Numbering is kept per type and per company: each pair gets its own
        ``ir.sequence`` (code ``edu.document.<type code>``, ``company_id`` set), so
        ``ir.sequence.next_by_code`` semantics apply to it. One search for all pairs."""
        Sequence = self.env["ir.sequence"].sudo()
        existing = Sequence.search(
            [
                ("code", "in", self.mapped("sequence_code")),
                ("company_id", "in", companies.ids),
            ]
        )
        by_key = {(seq.code, seq.company_id.id): seq for seq in existing}
        to_create = []
        for doc_type in self:
            for company in companies:
                if (doc_type.sequence_code, company.id) not in by_key:
                    to_create.append(
                        {
                            "name": f"{doc_type.name} ({company.name})",
                            "code": doc_type.sequence_code,
                            "prefix": doc_type.prefix,
                            "padding": doc_type.padding,
                            "implementation": "no_gap",
                            "company_id": company.id,
                        }
                    )
        for seq in Sequence.create(to_create):
            by_key[(seq.code, seq.company_id.id)] = seq
        return {
            (doc_type, company): by_key[(doc_type.sequence_code, company.id)]
            for doc_type in self
            for company in companies
        }
