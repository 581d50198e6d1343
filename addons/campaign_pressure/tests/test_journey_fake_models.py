from odoo import fields, models


class JourneyFakeInstalment(models.Model):
    """A model of the tests only (FakeModelLoader): journeys run on any
    mail.thread model, here an instalment due on a date."""

    _name = "campaign.journey.fake.instalment"
    _description = "Fake instalment (tests)"
    _inherit = ["mail.thread"]

    name = fields.Char()
    partner_id = fields.Many2one("res.partner")
    user_id = fields.Many2one("res.users")
    due_date = fields.Date()
    amount = fields.Float()
    paid = fields.Boolean()
