from typing import NamedTuple

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
# what the file reads of the current enrolment and of the next instalment
ENROLLMENT_COLUMNS = ("id", "programme_id", "intake_id", "state")
INSTALMENT_COLUMNS = ("due_date", "amount_residual")


class FileFigures(NamedTuple):
    """The figures of one person's file read in one query
    (``res.partner._edu_file_figures``)."""

    enrollment_id: int | None = None
    programme_id: int | None = None
    intake_id: int | None = None
    enrollment_state: str | None = None
    balance_due: float | None = None
    next_due_date: object = None
    next_due_amount: float | None = None
    timeline_count: int | None = None


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
        figures = partners._edu_file_figures()
        role_labels = {
            fname: self._fields[fname]._description_string(self.env)
            for fname in ROLE_FIELDS
        }
        currency = self.env.company.currency_id
        for partner in partners:
            figure = figures.get(partner.id) or FileFigures()
            partner.edu_file_roles = " · ".join(
                label for fname, label in role_labels.items() if partner[fname]
            )
            partner.edu_file_enrollment_id = figure.enrollment_id
            partner.edu_file_programme_id = figure.programme_id
            partner.edu_file_intake_id = figure.intake_id
            partner.edu_file_enrollment_state = figure.enrollment_state
            partner.edu_file_currency_id = currency
            partner.edu_file_balance_due = figure.balance_due or 0.0
            partner.edu_file_next_due_date = figure.next_due_date
            partner.edu_file_next_due_amount = figure.next_due_amount or 0.0
            partner.edu_file_consent = " · ".join(partner._edu_file_consent_parts())
            partner.edu_timeline_count = figure.timeline_count or 0

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
        rows = self.env.execute_query(
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
        for partner_id, row_id in rows:
            latest.setdefault(partner_id, []).append(row_id)
        return latest

    def _edu_file_figures(self):
        """``{partner id: FileFigures}`` of the people of ``self``, in one
        query: for each person (``LATERAL``) the reads of
        ``_edu_file_reads``, each the ORM's own query of its model (record
        rules included), kept to the person."""
        laterals = []
        for number, (query, person, selected) in enumerate(self._edu_file_reads()):
            query.add_where(SQL("%s = p.id", SQL.identifier(query.table, person)))
            laterals.append(
                SQL(
                    "LEFT JOIN LATERAL (%s) %s ON TRUE",
                    query.select(*selected),
                    SQL.identifier(f"r{number}"),
                )
            )
        rows = self.env.execute_query(
            SQL(
                "SELECT p.id, r0.*, r1.*, r2.*, r3.* FROM unnest(%s::int[]) p(id) %s",
                self.ids,
                SQL(" ").join(laterals),
            )
        )
        return {row[0]: FileFigures(*row[1:]) for row in rows}

    def _edu_file_reads(self):
        """``[(query, person column, selected columns)]`` of the file's
        figures, in the order of ``FileFigures``: the current enrolment
        (enrolled first, then on leave, admitted, applied; latest first),
        what the person still owes on their posted customer invoices in the
        user's companies (the Education user reads the sum, not the invoices:
        as superuser, scoped here), the next unpaid instalment of their
        active tuition contracts, the number of their timeline entries."""
        env = self.env
        Enrollment = env["edu.enrollment"]
        enrollments = Enrollment._search(
            [("partner_id", "in", self.ids), ("state", "in", CURRENT_STATES)]
        )
        enrollments.order = SQL(
            "array_position(%s::varchar[], %s), %s",
            list(CURRENT_STATES),
            SQL.identifier(enrollments.table, "state"),
            Enrollment._order_to_sql("date_applied desc, id desc", enrollments),
        )
        enrollments.limit = 1
        moves = (
            env["account.move"]
            .sudo()
            ._search(
                [
                    ("partner_id", "in", self.ids),
                    ("company_id", "in", env.companies.ids),
                    ("state", "=", "posted"),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("payment_state", "in", ("not_paid", "partial")),
                ]
            )
        )
        instalments = env["edu.tuition.instalment"]._search(
            [
                ("student_id", "in", self.ids),
                ("contract_state", "=", "active"),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            order="due_date, id",
            limit=1,
        )
        entries = env["edu.timeline"]._search([("partner_id", "in", self.ids)])

        def columns(query, *names):
            return [SQL.identifier(query.table, name) for name in names]

        residual = SQL.identifier(moves.table, "amount_residual_signed")
        return [
            (enrollments, "partner_id", columns(enrollments, *ENROLLMENT_COLUMNS)),
            (moves, "partner_id", [SQL("SUM(%s)", residual)]),
            (instalments, "student_id", columns(instalments, *INSTALMENT_COLUMNS)),
            (entries, "partner_id", [SQL("COUNT(*)")]),
        ]

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
