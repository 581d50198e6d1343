from markupsafe import Markup
from odoo import api, models
from odoo.tools.misc import format_date


class EduDocumentOffer(models.Model):
    _inherit = "edu.document"

    @api.model
    def _edu_prepare_body_admission_offer(self, partner, source):
        """Text of the offer letter issued from an application."""
        if source._name != "crm.lead":
            return False
        intake = source.edu_intake_id
        text = self.env._(
            "%(institution)s is pleased to offer %(person)s a place in the "
            "programme %(programme)s, intake %(intake)s, starting on %(date)s. "
            "Accept or decline this offer in your account; on acceptance you "
            "receive your tuition contract to review and sign.",
            institution=source.company_id.name or self.env.company.name,
            person=partner.display_name,
            programme=source.edu_programme_id.display_name or "-",
            intake=intake.display_name or "-",
            date=format_date(self.env, intake.date_start) if intake else "-",
        )
        return Markup("<p>%s</p>") % text
