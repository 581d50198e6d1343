from odoo import Command, api, fields, models
from odoo.tools import SQL

from .edu_workflow_mixin import EDU_USER, check_edu_group

# the roles shown at the top of the person's file, in this order
ROLE_FIELDS = (
    "edu_is_applicant",
    "edu_is_student",
    "edu_is_graduate_student",
    "edu_is_alumnus",
    "edu_is_staff",
    "edu_is_sponsor",
)
# the enrolment shown as current: the first of these states, latest first
CURRENT_STATES = ("enrolled", "on_leave", "admitted", "applied")
# the latest entries of the timeline shown in the person's file
FILE_ENTRIES = 20


class ResPartner(models.Model):
    """The person's file: what a registrar asks first, at the top of the
    partner form of people with an education role, then their timeline.

    Every figure is computed for a whole batch of partners in a constant
    number of queries (one per figure), never per partner."""

    _inherit = "res.partner"

    edu_file_roles = fields.Char(
        string="Roles", compute="_compute_edu_file", groups=EDU_USER
    )
    edu_file_enrollment_id = fields.Many2one(
        "edu.enrollment",
        string="Current Enrolment",
        compute="_compute_edu_file",
        groups=EDU_USER,
    )
    edu_file_programme_id = fields.Many2one(
        "edu.programme",
        string="Programme",
        compute="_compute_edu_file",
        groups=EDU_USER,
    )
    edu_file_intake_id = fields.Many2one(
        "edu.intake", string="Intake", compute="_compute_edu_file", groups=EDU_USER
    )
    edu_file_enrollment_state = fields.Selection(
        selection=lambda self: self.env["edu.enrollment"]._fields["state"].selection,
        string="Enrolment Status",
        compute="_compute_edu_file",
        groups=EDU_USER,
    )
    edu_file_currency_id = fields.Many2one(
        "res.currency",
        string="Balance Currency",
        compute="_compute_edu_file",
        groups=EDU_USER,
    )
    edu_file_balance_due = fields.Monetary(
        string="Balance Due",
        currency_field="edu_file_currency_id",
        compute="_compute_edu_file",
        groups=EDU_USER,
        help="What the person still owes on their posted customer invoices, "
        "in the companies you work in.",
    )
    edu_file_next_due_date = fields.Date(
        string="Next Instalment",
        compute="_compute_edu_file",
        groups=EDU_USER,
        help="The next unpaid instalment of the person's active tuition contracts.",
    )
    edu_file_next_due_amount = fields.Monetary(
        string="Next Instalment Amount",
        currency_field="edu_file_currency_id",
        compute="_compute_edu_file",
        groups=EDU_USER,
    )
    edu_file_consent = fields.Char(
        string="Consent", compute="_compute_edu_file", groups=EDU_USER
    )
    edu_timeline_count = fields.Integer(
        string="Timeline Entries", compute="_compute_edu_file", groups=EDU_USER
    )
    edu_timeline_ids = fields.Many2many(
        "edu.timeline",
        string="Latest Entries",
        compute="_compute_edu_timeline_ids",
        groups=EDU_USER,
        help="The latest entries of the person's timeline; the Timeline button "
        "opens all of them, with filters.",
    )

    @api.depends_context("uid", "allowed_company_ids", "lang")
    def _compute_edu_file(self):
        partners = self.filtered("id")
        (self - partners).update(
            {
                "edu_file_roles": False,
                "edu_file_enrollment_id": False,
                "edu_file_programme_id": False,
                "edu_file_intake_id": False,
                "edu_file_enrollment_state": False,
                "edu_file_currency_id": self.env.company.currency_id.id,
                "edu_file_balance_due": 0.0,
                "edu_file_next_due_date": False,
                "edu_file_next_due_amount": 0.0,
                "edu_file_consent": False,
                "edu_timeline_count": 0,
            }
        )
        if not partners:
            return
        current = partners._edu_file_current_enrollments()
        balances = partners._edu_file_balances()
        next_dues = partners._edu_file_next_instalments()
        counts = dict(
            self.env["edu.timeline"]._read_group(
                [("partner_id", "in", partners.ids)], ["partner_id"], ["__count"]
            )
        )
        role_labels = {
            fname: self._fields[fname]._description_string(self.env)
            for fname in ROLE_FIELDS
        }
        currency = self.env.company.currency_id
        for partner in partners:
            enrollment = current.get(partner.id, self.env["edu.enrollment"])
            instalment = next_dues.get(partner.id)
            partner.edu_file_roles = " · ".join(
                label for fname, label in role_labels.items() if partner[fname]
            )
            partner.edu_file_enrollment_id = enrollment
            partner.edu_file_programme_id = enrollment.programme_id
            partner.edu_file_intake_id = enrollment.intake_id
            partner.edu_file_enrollment_state = enrollment.state
            partner.edu_file_currency_id = currency
            partner.edu_file_balance_due = balances.get(partner.id, 0.0)
            partner.edu_file_next_due_date = instalment and instalment.due_date
            partner.edu_file_next_due_amount = (
                instalment.amount_residual if instalment else 0.0
            )
            partner.edu_file_consent = " · ".join(partner._edu_file_consent_parts())
            partner.edu_timeline_count = counts.get(partner, 0)

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_edu_timeline_ids(self):
        """The ``FILE_ENTRIES`` latest entries of each person, in one query
        that reads only their first entries from each source (the entries the
        user may read, newest first: ``edu.timeline._search``); one person's
        come with the columns their list shows."""
        partner_ids = [pid for pid in self.ids if isinstance(pid, int)]
        Timeline = self.env["edu.timeline"]
        if len(partner_ids) == 1:
            rows = Timeline.search_fetch(
                [("partner_id", "=", partner_ids[0])],
                [name for name, field in Timeline._fields.items() if field.store],
                limit=FILE_ENTRIES,
            )
            latest = {partner_ids[0]: rows.ids}
        else:
            latest = self._edu_file_latest_entries(partner_ids)
        for partner in self:
            partner.edu_timeline_ids = [Command.set(latest.get(partner.id, []))]

    def _edu_file_latest_entries(self, partner_ids):
        """``{partner id: [timeline ids]}``: the ``FILE_ENTRIES`` latest
        entries of each of ``partner_ids``, in one query: for each person
        (``LATERAL``), each source keeps the person's first entries
        (``edu.timeline._edu_timeline_top_branches``) and the first of their
        merge are the person's."""
        latest = {}
        if not partner_ids:
            return latest
        Timeline = self.env["edu.timeline"]
        query = Timeline._search([("partner_id", "in", partner_ids)])
        alias = query.table
        order = Timeline._order_to_sql(Timeline._order, query)
        branches = Timeline._edu_timeline_top_branches(
            Timeline._edu_timeline_branches(),
            alias,
            query,
            order,
            FILE_ENTRIES,
            where=SQL("%s = p.id", SQL.identifier(alias, "partner_id")),
        )
        self.env.cr.execute(
            SQL(
                "SELECT p.id, page.id FROM unnest(%s::int[]) p(id) "
                "CROSS JOIN LATERAL (SELECT %s, row_number() OVER (ORDER BY %s) "
                "AS n FROM (%s) AS %s ORDER BY %s LIMIT %s) page "
                "ORDER BY p.id, page.n",
                partner_ids,
                SQL.identifier(alias, "id"),
                order,
                SQL(" UNION ALL ").join(branches),
                SQL.identifier(alias),
                order,
                FILE_ENTRIES,
            )
        )
        for partner_id, row_id in self.env.cr.fetchall():
            latest.setdefault(partner_id, []).append(row_id)
        return latest

    def _edu_file_current_enrollments(self):
        """``{partner id: enrolment}``: the current enrolment of each person
        (enrolled first, then on leave, admitted, applied; latest first)."""
        rank = {state: index for index, state in enumerate(CURRENT_STATES)}
        enrollments = self.env["edu.enrollment"].search_fetch(
            [("partner_id", "in", self.ids), ("state", "in", CURRENT_STATES)],
            ["partner_id", "programme_id", "intake_id", "state"],
            order="date_applied desc, id desc",
        )
        current = {}
        for enrollment in enrollments.sorted(lambda e: rank[e.state]):
            current.setdefault(enrollment.partner_id.id, enrollment)
        return current

    def _edu_file_balances(self):
        """``{partner id: amount}`` still due on the posted customer invoices of
        each person, in the user's companies (the Education user reads the
        sum, not the invoices: one aggregate as superuser, scoped here)."""
        data = (
            self.env["account.move"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", self.ids),
                    ("company_id", "in", self.env.companies.ids),
                    ("state", "=", "posted"),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("payment_state", "in", ("not_paid", "partial")),
                ],
                ["partner_id"],
                ["amount_residual_signed:sum"],
            )
        )
        return {partner.id: amount for partner, amount in data}

    def _edu_file_next_instalments(self):
        """``{partner id: instalment}``: the next unpaid instalment of each
        person's active tuition contracts."""
        instalments = self.env["edu.tuition.instalment"].search_fetch(
            [
                ("student_id", "in", self.ids),
                ("contract_state", "=", "active"),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            ["student_id", "due_date", "amount_residual"],
            order="due_date, id",
        )
        first = {}
        for instalment in instalments:
            first.setdefault(instalment.student_id.id, instalment)
        return first

    def _edu_file_consent_parts(self):
        """Short phrases of the person's consent (an addon that records more
        consent adds its phrases), read from fields already batched."""
        self.ensure_one()
        _ = self.env._
        return [
            _("Email blocked") if self.is_blacklisted else _("Email allowed"),
            # Odoo's phone blacklist is the SMS marketing one, not phone calls
            _("SMS blocked") if self.phone_blacklisted else _("SMS allowed"),
        ]

    def action_edu_open_timeline(self):
        """The person's timeline, with its filters and group-bys."""
        self.ensure_one()
        check_edu_group(self.env, EDU_USER)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "edu_crm.edu_timeline_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["display_name"] = self.env._("Timeline of %s", self.display_name)
        return action
