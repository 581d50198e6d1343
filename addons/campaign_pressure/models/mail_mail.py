from odoo import fields, models


class MailMail(models.Model):
    _inherit = "mail.mail"

    failure_type = fields.Selection(selection_add=[("pressure", "Marketing pressure")])

    def _send(self, *args, **kwargs):
        # Odoo marks the traces of a batch sent one mail at a time: their
        # reservations are confirmed (or released) once for the batch
        with self.env["campaign.pressure.engine"]._pressure_trace_sync_batch():
            return super()._send(*args, **kwargs)
