from odoo import models


class EduTuitionInstalment(models.Model):
    """Instalments as a journey target ("7 days before the due date, email
    the student"): a journey runs on a model with a chatter, and sends to
    the record's partner, here the student of the contract."""

    _name = "edu.tuition.instalment"
    _inherit = ["edu.tuition.instalment", "mail.thread"]

    def _mail_get_partner_fields(self, introspect_fields=False):
        return ["student_id"]

    def _message_get_default_recipients(self):
        # mail's generic version reads a field named partner_id only
        return {
            instalment.id: {
                "partner_ids": instalment.student_id.ids,
                "email_to": False,
                "email_cc": False,
            }
            for instalment in self
        }
