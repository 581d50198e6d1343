from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    edu_is_admissions = fields.Boolean(
        string="Admissions Team",
        help="The pipeline of this team is an admissions funnel: it only uses "
        "its own stages, and its won leads can be enrolled.",
    )
