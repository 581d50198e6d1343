import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .edu_workflow_mixin import EDU_USER, check_edu_group

EDU_ROLE_FIELDS = (
    "edu_is_applicant",
    "edu_is_student",
    "edu_is_graduate_student",
    "edu_is_alumnus",
    "edu_is_staff",
)
# Set by the system only: the student number (company sequence), the
# normalised keys (computed) and the daily scoring (res_partner_segment).
EDU_SYSTEM_FIELDS = frozenset(
    {
        "edu_student_number",
        "edu_phone_normalized",
        "edu_national_id_normalized",
        "edu_payment_segment",
        "edu_engagement_segment",
        "edu_ontime_rate",
        "edu_payment_history_count",
    }
)
# The daily scoring, recomputed from the invoices and mailings.
EDU_SCORING_FIELDS = (
    "edu_payment_segment",
    "edu_engagement_segment",
    "edu_ontime_rate",
    "edu_payment_history_count",
)
# The links that open a sponsor's portal on a student's records: set by
# Education staff only.
EDU_SPONSOR_FIELDS = frozenset(
    {"edu_is_sponsor", "edu_sponsor_ids", "edu_sponsored_ids"}
)


def normalize_national_id(value):
    """Upper-case alphanumerics only: ' ab-12 34 ' -> 'AB1234'."""
    if not value:
        return False
    return re.sub(r"[^0-9A-Z]", "", value.upper()) or False


def normalize_phone(value):
    """Digits of a (sanitized) phone number, keeping a leading '+':
    '+380 44 123-45-67' -> '+380441234567'. Works with or without the
    phonenumbers library behind ``phone_sanitized``."""
    if not value:
        return False
    digits = re.sub(r"\D", "", value)
    if not digits:
        return False
    return ("+" if value.strip().startswith("+") else "") + digits


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "edu.system.fields.mixin"]

    _edu_system_fields = EDU_SYSTEM_FIELDS

    # Roles: several at once.
    edu_is_applicant = fields.Boolean(string="Applicant")
    edu_is_student = fields.Boolean(string="Student")
    edu_is_graduate_student = fields.Boolean(string="Graduate Student")
    edu_is_alumnus = fields.Boolean(string="Alumnus")
    edu_is_staff = fields.Boolean(string="Education Staff")
    edu_is_sponsor = fields.Boolean(
        string="Sponsoring Organisation",
        help="Organisation that sends (and may pay for) students.",
    )
    # Personal data
    edu_student_number = fields.Char(
        string="Student Number",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Given from the company's student number sequence when the person "
        "becomes a student.",
    )
    edu_birthdate = fields.Date(string="Date of Birth", groups="edu_crm.group_edu_user")
    edu_national_id = fields.Char(
        string="National ID", copy=False, groups="edu_crm.group_edu_user"
    )
    edu_national_id_normalized = fields.Char(
        string="Normalised National ID",
        compute="_compute_edu_national_id_normalized",
        store=True,
        index="btree_not_null",
        copy=False,
        groups="edu_crm.group_edu_user",
    )
    edu_phone_normalized = fields.Char(
        string="Normalised Phone",
        compute="_compute_edu_phone_normalized",
        store=True,
        index="btree_not_null",
        copy=False,
    )
    edu_guardian_id = fields.Many2one(
        "res.partner",
        string="Guardian / Parent",
        index="btree_not_null",
        domain="[('id', '!=', id)]",
    )
    edu_ward_ids = fields.One2many(
        "res.partner", "edu_guardian_id", string="Guardian Of"
    )
    edu_sponsor_ids = fields.Many2many(
        "res.partner",
        "edu_partner_sponsor_rel",
        "student_id",
        "sponsor_id",
        string="Sponsoring Organisations",
        domain=[("edu_is_sponsor", "=", True)],
    )
    edu_sponsored_ids = fields.Many2many(
        "res.partner",
        "edu_partner_sponsor_rel",
        "sponsor_id",
        "student_id",
        string="Sponsored People",
        groups="base.group_user",
    )
    edu_sponsored_count = fields.Integer(
        string="Sponsored People Count",
        compute="_compute_edu_sponsored_count",
        groups="base.group_user",
    )
    edu_enrollment_ids = fields.One2many(
        "edu.enrollment", "partner_id", string="Enrolments"
    )
    edu_enrollment_count = fields.Integer(
        string="Enrolment Count", compute="_compute_edu_enrollment_count"
    )
    edu_duplicate_ids = fields.Many2many(
        "res.partner",
        string="Possible Duplicates",
        compute="_compute_edu_duplicate_ids",
        groups="base.group_user",
        help="Other contacts with the same normalised email, phone or national ID.",
    )
    edu_duplicate_count = fields.Integer(
        string="Possible Duplicate Count",
        compute="_compute_edu_duplicate_ids",
        groups="base.group_user",
    )

    @api.depends("edu_national_id")
    def _compute_edu_national_id_normalized(self):
        for partner in self:
            partner.edu_national_id_normalized = normalize_national_id(
                partner.edu_national_id
            )

    @api.depends("phone_sanitized")
    def _compute_edu_phone_normalized(self):
        for partner in self:
            partner.edu_phone_normalized = normalize_phone(partner.phone_sanitized)

    def _compute_edu_sponsored_count(self):
        for partner in self:
            partner.edu_sponsored_count = len(partner.edu_sponsored_ids)

    def _compute_edu_enrollment_count(self):
        counts = dict(
            self.env["edu.enrollment"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.edu_enrollment_count = counts.get(partner._origin, 0)

    @api.constrains("edu_national_id", "company_id")
    def _check_edu_national_id_unique(self):
        partners = self.filtered("edu_national_id_normalized")
        if not partners:
            return
        clashes = (
            self.sudo()
            .with_context(active_test=False)
            ._read_group(
                [
                    (
                        "edu_national_id_normalized",
                        "in",
                        partners.mapped("edu_national_id_normalized"),
                    )
                ],
                ["edu_national_id_normalized", "company_id"],
                ["__count"],
                having=[("__count", ">", 1)],
            )
        )
        if clashes:
            raise ValidationError(
                self.env._(
                    "The national ID %(national_id)s is already used by another "
                    "person in the same company.",
                    national_id=clashes[0][0],
                )
            )

    @api.constrains("edu_student_number", "company_id")
    def _check_edu_student_number_unique(self):
        numbers = self.filtered("edu_student_number").mapped("edu_student_number")
        if not numbers:
            return
        clashes = (
            self.sudo()
            .with_context(active_test=False)
            ._read_group(
                [("edu_student_number", "in", numbers)],
                ["edu_student_number", "company_id"],
                ["__count"],
                having=[("__count", ">", 1)],
            )
        )
        if clashes:
            raise ValidationError(
                self.env._(
                    "The student number %(number)s is already used in this company.",
                    number=clashes[0][0],
                )
            )

    @api.constrains("edu_guardian_id")
    def _check_edu_guardian_id(self):
        if any(p.edu_guardian_id == p for p in self):
            raise ValidationError(self.env._("A person cannot be their own guardian."))

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(
            any(values.values())
            for values in self._edu_values_created(vals_list, EDU_SPONSOR_FIELDS)
        ):
            check_edu_group(self.env, EDU_USER)
        partners = super().create(vals_list)
        partners.filtered("edu_is_student")._edu_assign_student_numbers()
        return partners

    def write(self, vals):
        if not self.env.su and self._edu_fields_changed(vals, EDU_SPONSOR_FIELDS):
            check_edu_group(self.env, EDU_USER)
        res = super().write(vals)
        if vals.get("edu_is_student"):
            self._edu_assign_student_numbers()
        return res

    def action_edu_open_enrollments(self):
        self.ensure_one()
        check_edu_group(self.env, EDU_USER)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "edu_crm.edu_enrollment_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_edu_open_sponsored(self):
        self.ensure_one()
        check_edu_group(self.env, EDU_USER)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("People sent by %s", self.display_name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("edu_sponsor_ids", "in", self.ids)],
            "context": {"default_edu_sponsor_ids": [self.id]},
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _edu_system_fields_written(self, vals):
        # only a change is refused: Odoo's merge wizard and imports write the
        # values a person already has
        return self._edu_fields_changed(vals, super()._edu_system_fields_written(vals))

    def _edu_fields_changed(self, vals, fnames):
        """The fields of ``fnames`` whose value ``write(vals)`` changes on one
        of the partners ``self`` (an x2many command always changes)."""
        changed = set()
        for fname in vals.keys() & fnames:
            field = self._fields[fname]
            if field.type in ("one2many", "many2many"):
                changed.add(fname)
                continue
            for partner in self.sudo():
                new = field.convert_to_record(
                    field.convert_to_cache(vals[fname], partner), partner
                )
                if new != partner[fname]:
                    changed.add(fname)
                    break
        return changed

    def _edu_assign_student_numbers(self):
        """Give a student number to the students of ``self`` that have none,
        from their company's sequence, with one query per company. People
        shared by all companies are numbered from one sequence, the data one
        (numbers are unique per company, and these people's "company" is
        none, whatever the company the user works in)."""
        todo = self.filtered(lambda p: p.edu_is_student and not p.edu_student_number)
        if not todo:
            return
        shared = self.env.ref(
            "edu_crm.sequence_edu_student_number", raise_if_not_found=False
        )
        shared_company = (shared and shared.sudo().company_id) or self.env.company
        by_company = {}
        for partner in todo:
            company = partner.company_id or shared_company
            by_company.setdefault(company, self.browse())
            by_company[company] |= partner
        rows = []
        for company, partners in by_company.items():
            sequence = self._edu_student_sequence(company)
            numbers = sequence._edu_next_numbers(len(partners))
            rows += [
                SQL("(%s, %s)", p.id, n)
                for p, n in zip(partners, numbers, strict=False)
            ]
        # One UPDATE for the whole batch: writing each partner through the ORM
        # would run the uniqueness check once per partner. The check runs once
        # below, and the number is a plain stored field (nothing depends on it
        # but the non-stored related field on enrolments).
        self.flush_model(["edu_student_number"])
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner AS p SET edu_student_number = v.number "
                "FROM (VALUES %s) AS v(id, number) WHERE p.id = v.id",
                SQL(", ").join(rows),
            )
        )
        todo.invalidate_recordset(["edu_student_number"])
        self.env["edu.enrollment"].invalidate_model(["student_number"])
        todo._check_edu_student_number_unique()

    @api.model
    def _edu_student_sequence(self, company):
        """The student number sequence of ``company``, created from the
        template sequence the first time a company needs one."""
        Sequence = self.env["ir.sequence"].sudo()
        sequence = Sequence.search(
            [("code", "=", "edu.student.number"), ("company_id", "=", company.id)],
            limit=1,
        )
        if not sequence:
            template = self.env.ref(
                "edu_crm.sequence_edu_student_number", raise_if_not_found=False
            )
            vals = {
                "name": self.env._("Student Number (%s)", company.name),
                "code": "edu.student.number",
                "company_id": company.id,
                "prefix": template.prefix if template else "S%(year)s-",
                "padding": template.padding if template else 5,
                "implementation": "standard",
            }
            sequence = Sequence.create(vals)
        return sequence

    def _edu_mark_students(self):
        """Give the student role (and a student number) to ``self``."""
        new_students = self.filtered(lambda p: not p.edu_is_student)
        if new_students:
            new_students.sudo().write({"edu_is_student": True})
        (self - new_students).filtered(
            lambda p: not p.edu_student_number
        )._edu_assign_student_numbers()
