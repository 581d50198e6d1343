from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

MAX_TEXT_LENGTH = 4000


class CmrRequest(models.Model):
    """A request a person makes from the portal (a document, a change, a
    question); staff handle it in the backend and both sides talk in its
    chatter."""

    _name = "cmr.request"
    _description = "Portal Request"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"
    _mail_post_access = "read"

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    partner_id = fields.Many2one(
        "res.partner", string="Person", required=True, index=True, tracking=True, readonly=True
    )
    request_type = fields.Selection(
        [("document", "Document"), ("other", "Other question")],
        string="Type",
        required=True,
        default="other",
        readonly=True,
    )
    document_type_id = fields.Many2one(
        "edu.document.type",
        string="Requested Document",
        readonly=True,
        domain=[("cmr_portal_requestable", "=", True)],
    )
    description = fields.Text(readonly=True)
    state = fields.Selection(
        [
            ("new", "Submitted"),
            ("in_progress", "In Progress"),
            ("done", "Done"),
            ("refused", "Refused"),
        ],
        default="new",
        required=True,
        tracking=True,
        readonly=True,
        index=True,
    )
    user_id = fields.Many2one("res.users", string="Handled By", tracking=True)
    document_id = fields.Many2one("edu.document", string="Issued Document", readonly=True, copy=False)
    refuse_reason = fields.Text(readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )

    @api.constrains("description")
    def _check_description(self):
        for request in self:
            if request.description and len(request.description) > MAX_TEXT_LENGTH:
                raise ValidationError(
                    self.env._("The description is limited to %(max)s characters.", max=MAX_TEXT_LENGTH)
                )

    @api.constrains("request_type", "document_type_id")
    def _check_document_type(self):
        for request in self:
            if request.request_type == "document" and not request.document_type_id:
                raise ValidationError(self.env._("Choose the document you need."))
            if request.document_type_id and not request.document_type_id.cmr_portal_requestable:
                raise ValidationError(self.env._("This document cannot be requested online."))

    def _compute_access_url(self):
        super()._compute_access_url()
        for request in self:
            request.access_url = f"/my/requests/{request.id}"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code("cmr.request") or "/"
        requests = super().create(vals_list)
        for request in requests:
            request.message_subscribe(partner_ids=request.partner_id.ids)
        return requests

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_start(self):
        self._cmr_check_state(("new",))
        self.write({"state": "in_progress", "user_id": self.env.uid})
        return True

    def action_issue_document(self):
        """Issue the requested document (edu_crm's registry), attach it to the
        request and tell the person."""
        self._cmr_check_state(("new", "in_progress"))
        for request in self:
            if request.request_type != "document":
                raise UserError(self.env._("Request %(name)s is not a document request.", name=request.name))
            document = self.env["edu.document"]._edu_issue(
                request.document_type_id.code, request.partner_id, source=request._cmr_document_source()
            )
            request.write({"document_id": document.id, "state": "done", "user_id": self.env.uid})
            request._cmr_notify(
                self.env._(
                    "Your %(document)s %(number)s is ready. You can download it from your portal.",
                    document=request.document_type_id.name,
                    number=document.name,
                )
            )
        return True

    def action_done(self):
        self._cmr_check_state(("new", "in_progress"))
        self.write({"state": "done"})
        for request in self:
            request._cmr_notify(self.env._("Your request %(name)s was handled.", name=request.name))
        return True

    def action_refuse(self):
        self._cmr_check_state(("new", "in_progress"))
        self.write({"state": "refused"})
        for request in self:
            request._cmr_notify(self.env._("Your request %(name)s was refused.", name=request.name))
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _cmr_check_state(self, states):
        wrong = self.filtered(lambda r: r.state not in states)
        if wrong:
            raise UserError(
                self.env._(
                    "This cannot be done on request(s) in their current state: %(names)s",
                    names=", ".join(wrong.mapped("name")),
                )
            )

    def _cmr_document_source(self):
        """The record a requested document is issued from: the person's
        current enrolment (what a certificate of enrolment certifies)."""
        self.ensure_one()
        enrollments = self.env["edu.enrollment"].search(
            [("partner_id", "=", self.partner_id.id)], order="date_applied desc, id desc"
        )
        current = enrollments.filtered(lambda e: e.state == "enrolled")[:1] or enrollments[:1]
        return current or None

    def _cmr_notify(self, text):
        """Post a message the person receives by email and sees in the portal."""
        self.ensure_one()
        self.message_post(
            body=Markup("<p>%s</p>") % text,
            partner_ids=self.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
