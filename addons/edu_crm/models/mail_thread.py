from odoo import api, models


class MailThread(models.AbstractModel):
    """Incoming emails: an email to an Admissions team's alias from a known
    person lands on their open admissions lead (``crm.lead``'s
    ``_edu_alias_routes``) instead of making a second lead."""

    _inherit = "mail.thread"

    @api.model
    def message_route(
        self, message, message_dict, model=None, thread_id=None, custom_values=None
    ):
        routes = super().message_route(
            message,
            message_dict,
            model=model,
            thread_id=thread_id,
            custom_values=custom_values,
        )
        return self.env["crm.lead"].sudo()._edu_alias_routes(routes, message_dict)
