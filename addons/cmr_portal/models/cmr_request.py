from markupsafe import Markup
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

MAX_TEXT_LENGTH = 4000
STAFF_GROUP = "edu_crm.group_edu_user"
BURSAR_GROUP = "edu_crm.group_edu_manager"
# set by the system (sequence, transitions, issued document): never by a
# user's create or write, whatever their access rights
SYSTEM_FIELDS = frozenset(
    {
        "name",
        "state",
        "document_id",
        "refuse_reason",
        "instalment_sequence",
        "instalment_due_date",
    }
)
# what the person asked: fixed once the request exists
REQUEST_FIELDS = frozenset(
    {
        "partner_id",
        "request_type",
        "document_type_id",
        "description",
        "contract_id",
        "instalment_id",
        "requested_date",
        "requested_count",
        "company_id",
    }
)


# a document of these types certifies an enrolment: requested only by a
# person with an enrolment in one of the states (codes of edu.document.type)
DOCUMENT_ENROLLMENT_STATES = {
    "enrolment_certificate": ("enrolled",),
    "academic_certificate": (
        "enrolled",
        "on_leave",
        "graduated",
        "withdrawn",
        "expelled",
    ),
}


class CmrRequest(models.Model):
    """A request a person makes from the portal (a document, a change, a
    question); staff handle it in the backend and both sides talk in its
    chatter."""

    _name = "cmr.request"
    _description = "Portal Request"
    _inherit = [
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "edu.system.fields.mixin",
    ]
    _order = "create_date desc, id desc"
    _edu_system_fields = SYSTEM_FIELDS
    _edu_fixed_fields = REQUEST_FIELDS
    _mail_post_access = "read"

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Person",
        required=True,
        index=True,
        tracking=True,
        readonly=True,
    )
    request_type = fields.Selection(
        [
            ("document", "Document"),
            ("deferral", "Payment deferral"),
            ("reschedule", "Payment reschedule"),
            ("other", "Other question"),
        ],
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
    document_id = fields.Many2one(
        "edu.document", string="Issued Document", readonly=True, copy=False
    )
    refuse_reason = fields.Text(readonly=True, copy=False)
    contract_id = fields.Many2one(
        "edu.tuition.contract",
        string="Tuition Contract",
        readonly=True,
        index="btree_not_null",
    )
    instalment_id = fields.Many2one(
        "edu.tuition.instalment",
        string="Instalment to Defer",
        readonly=True,
        help="The first instalment moved; the later unpaid instalments move with "
        "it. The due date of its open invoices moves too.",
    )
    # what the instalment was when the person asked: an approved deferral
    # replaces the instalment itself
    instalment_sequence = fields.Integer(
        string="Instalment Number",
        readonly=True,
        help="The number of the instalment to defer when the request was made.",
    )
    instalment_due_date = fields.Date(
        string="Instalment Due Date",
        readonly=True,
        help="The due date of the instalment to defer when the request was made.",
    )
    requested_date = fields.Date(
        readonly=True,
        help="Deferral: the new due date of the instalment. Reschedule: the due "
        "date of the first new instalment.",
    )
    requested_count = fields.Integer(
        string="Requested Instalments",
        readonly=True,
        help="Reschedule: number of monthly instalments.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )

    @api.constrains("description")
    def _check_description(self):
        for request in self:
            if request.description and len(request.description) > MAX_TEXT_LENGTH:
                raise ValidationError(
                    self.env._(
                        "The description is limited to %(max)s characters.",
                        max=MAX_TEXT_LENGTH,
                    )
                )

    @api.constrains("request_type", "document_type_id", "partner_id")
    def _check_document_type(self):
        for request in self:
            doc_type = request.document_type_id
            if request.request_type == "document" and not doc_type:
                raise ValidationError(self.env._("Choose the document you need."))
            if doc_type and not doc_type.cmr_portal_requestable:
                raise ValidationError(
                    self.env._("This document cannot be requested online.")
                )
            if doc_type and doc_type not in self._cmr_requestable_document_types(
                request.partner_id
            ):
                states = DOCUMENT_ENROLLMENT_STATES[doc_type.code]
                labels = dict(
                    self.env["edu.enrollment"]
                    ._fields["state"]
                    ._description_selection(self.env)
                )
                raise ValidationError(
                    self.env._(
                        "%(person)s cannot request a %(document)s: it is issued "
                        "only with an enrolment that is %(states)s.",
                        person=request.partner_id.display_name,
                        document=doc_type.name,
                        states=", ".join(labels[state] for state in states),
                    )
                )

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for request in self:
            request.access_url = f"/my/requests/{request.id}"
        return res

    @api.model_create_multi
    def create(self, vals_list):
        # the system fields: refused to all but the superuser (the mixin)
        requests = super().create(vals_list)
        for request in requests:
            request.message_subscribe(partner_ids=request.partner_id.ids)
        return requests

    def _edu_system_values(self, vals_list):
        Instalment = self.env["edu.tuition.instalment"].sudo()
        # copies: the caller's values stay as given (a refused request can be
        # tried again with them without carrying the system fields set here)
        vals_list = [dict(vals) for vals in vals_list]
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].sudo().next_by_code("cmr.request") or "/"
                )
            instalment_id = vals.get("instalment_id")
            instalment = (
                Instalment.browse(instalment_id).exists()
                if isinstance(instalment_id, int)
                else Instalment
            )
            if instalment:
                vals["instalment_sequence"] = instalment.sequence
                vals["instalment_due_date"] = instalment.due_date
        return super()._edu_system_values(vals_list)

    def _edu_system_fields_refusal(self, fnames, creating):
        """The fields that the system sets (the status moves through the
        action buttons) or that record what the person asked."""
        return self.env._(
            "These fields of a request are set by the system or by the "
            "person who asked, not edited: %(fields)s. Use the buttons "
            "of the request.",
            fields=self._edu_field_labels(fnames),
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_start(self):
        self._cmr_check_transition(STAFF_GROUP, ("new",))
        self.sudo().write({"state": "in_progress", "user_id": self.env.uid})
        return True

    def action_issue_document(self):
        """Issue the requested document (edu_crm's registry), attach it to the
        request and tell the person."""
        self._cmr_check_transition(STAFF_GROUP, ("new", "in_progress"))
        for request in self:
            if request.request_type != "document":
                raise UserError(
                    self.env._(
                        "Request %(name)s is not a document request.", name=request.name
                    )
                )
            document = self.env["edu.document"]._edu_issue(
                request.document_type_id.code,
                request.partner_id,
                source=request._cmr_document_source(),
            )
            request.sudo().write(
                {"document_id": document.id, "state": "done", "user_id": self.env.uid}
            )
            request._cmr_notify(
                self.env._(
                    "Your %(document)s %(number)s is ready. "
                    "You can download it from your portal.",
                    document=request.document_type_id.name,
                    number=document.name,
                )
            )
        return True

    def action_done(self):
        self._cmr_check_transition(STAFF_GROUP, ("new", "in_progress"))
        self.sudo().write({"state": "done"})
        for request in self:
            request._cmr_notify(
                self.env._("Your request %(name)s was handled.", name=request.name)
            )
        return True

    def action_refuse(self):
        self._cmr_check_transition(STAFF_GROUP, ("new", "in_progress"))
        self.sudo().write({"state": "refused"})
        for request in self:
            request._cmr_notify(
                self.env._("Your request %(name)s was refused.", name=request.name)
            )
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _cmr_check_transition(self, group, states):
        """The caller belongs to ``group``, may write these requests (record
        rules: their companies) and the requests are in one of ``states``:
        the actions then write the system fields in sudo."""
        if not self.env.su and not self.env.user.has_group(group):
            if group == BURSAR_GROUP:
                message = self.env._(
                    "Only an Education Manager (bursar) can approve a schedule change."
                )
            else:
                message = self.env._("Only the education staff handle requests.")
            raise AccessError(message)
        self.check_access("write")
        self._cmr_check_state(states)

    def _cmr_check_state(self, states):
        wrong = self.filtered(lambda r: r.state not in states)
        if wrong:
            raise UserError(
                self.env._(
                    "This cannot be done on request(s) in their current "
                    "state: %(names)s",
                    names=", ".join(wrong.mapped("name")),
                )
            )

    @api.model
    def _cmr_requestable_document_types(self, partner):
        """The document types ``partner`` may request from the portal: those
        marked requestable, and a document that certifies an enrolment only
        with such an enrolment (see DOCUMENT_ENROLLMENT_STATES). Read as
        superuser: the answer is a fact about the person, shown to them."""
        doc_types = (
            self.env["edu.document.type"]
            .sudo()
            .search([("cmr_portal_requestable", "=", True)])
        )
        if not partner:
            return doc_types.browse()
        states = {
            state
            for [state] in self.env["edu.enrollment"]
            .sudo()
            ._read_group([("partner_id", "=", partner.id)], ["state"])
        }
        return doc_types.filtered(
            lambda doc_type: doc_type.code not in DOCUMENT_ENROLLMENT_STATES
            or states.intersection(DOCUMENT_ENROLLMENT_STATES[doc_type.code])
        )

    def _cmr_document_source(self):
        """The record a requested document is issued from: the person's
        current enrolment (what a certificate of enrolment certifies)."""
        self.ensure_one()
        enrollments = self.env["edu.enrollment"].search(
            [("partner_id", "=", self.partner_id.id)],
            order="date_applied desc, id desc",
        )
        current = (
            enrollments.filtered(lambda e: e.state == "enrolled")[:1] or enrollments[:1]
        )
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
