from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .edu_workflow_mixin import EDU_USER, check_edu_group


class EduProgramme(models.Model):
    _name = "edu.programme"
    _description = "Study Programme"
    _inherit = ["mail.thread"]
    _order = "code, name"
    _rec_names_search = ["code", "name"]

    code = fields.Char(required=True, tracking=True)
    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True)
    level = fields.Selection(
        [
            ("certificate", "Certificate / Short Course"),
            ("vocational", "Vocational"),
            ("bachelor", "Bachelor"),
            ("master", "Master"),
            ("doctorate", "Doctorate"),
        ],
        required=True,
        default="bachelor",
        tracking=True,
    )
    mode = fields.Selection(
        [
            ("full_time", "Full-time"),
            ("part_time", "Part-time"),
            ("distance", "Distance"),
        ],
        required=True,
        default="full_time",
        tracking=True,
    )
    duration_months = fields.Integer(
        string="Duration (months)", default=12, tracking=True
    )
    product_id = fields.Many2one(
        "product.product",
        string="Tuition Product",
        domain="[('type', '=', 'service'), '|', ('company_id', '=', False), "
        "('company_id', '=', company_id)]",
        check_company=True,
        help="Service product whose price and taxes are used for the tuition.",
    )
    list_price = fields.Float(
        related="product_id.lst_price", string="Tuition Price", readonly=True
    )
    capacity = fields.Integer(
        default=30,
        tracking=True,
        help="Default number of seats of a new intake of this programme.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    intake_ids = fields.One2many("edu.intake", "programme_id", string="Intakes")
    intake_count = fields.Integer(compute="_compute_intake_count")
    description = fields.Html(translate=True)

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "The programme code must be unique per company.",
        ),
    ]

    @api.depends("code", "name")
    def _compute_display_name(self):
        for programme in self:
            programme.display_name = (
                f"[{programme.code}] {programme.name}"
                if programme.code
                else programme.name
            )

    def _compute_intake_count(self):
        counts = dict(
            self.env["edu.intake"]._read_group(
                [("programme_id", "in", self.ids)], ["programme_id"], ["__count"]
            )
        )
        for programme in self:
            programme.intake_count = counts.get(programme._origin, 0)

    @api.constrains("capacity", "duration_months")
    def _check_capacity(self):
        for programme in self:
            if programme.capacity < 0:
                raise ValidationError(
                    self.env._(
                        "The capacity of programme %s cannot be negative.",
                        programme.display_name,
                    )
                )
            if programme.duration_months < 0:
                raise ValidationError(
                    self.env._(
                        "The duration of programme %s cannot be negative.",
                        programme.display_name,
                    )
                )

    def _edu_tuition_price(self, currency, date):
        """The tuition of the programme ``self``: its tuition product's sales
        price in the programme's company (what a tuition contract starts
        from), converted to ``currency`` at ``date``. 0 without a product."""
        self.ensure_one()
        company = self.company_id
        if not self.product_id:
            return 0.0
        price = self.product_id.with_company(company).lst_price
        return company.currency_id._convert(price, currency, company, date)

    def action_open_intakes(self):
        self.ensure_one()
        check_edu_group(self.env, EDU_USER)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "edu_crm.edu_intake_action"
        )
        action["domain"] = [("programme_id", "=", self.id)]
        action["context"] = {"default_programme_id": self.id}
        return action
