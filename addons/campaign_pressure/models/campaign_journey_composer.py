from odoo import models


class MailComposeMessage(models.TransientModel):
    """A journey's email step goes to the person of its journey's recipient
    field: the mails' recipients are set before Odoo computes the traces,
    the exclusion lists and the pressure decisions, which follow them."""

    _inherit = "mail.compose.message"

    def _action_send_mail(self, auto_commit=False):
        # a composer made by hand on a step's mailing sends it as well
        self.mass_mailing_id._journey_check_send()
        return super()._action_send_mail(auto_commit=auto_commit)

    def _prepare_mail_values_dynamic(self, res_ids):
        values = super()._prepare_mail_values_dynamic(res_ids)
        fname = self.composition_mode == "mass_mail" and self.env[
            "campaign.journey"
        ]._journey_recipient_field_of(self.mass_mailing_id, sender=self)
        if not fname:
            return values
        records = self.env[self.model].sudo().browse(res_ids)
        records.fetch([fname])
        for record in records:
            mail_values = values.get(record.id)
            if mail_values is None:
                continue
            partner = record[fname]
            mail_values["recipient_ids"] = [(4, partner.id)] if partner else []
            mail_values["email_to"] = False
            mail_values["email_cc"] = False
        return values


class SmsComposer(models.TransientModel):
    """A journey's SMS step goes to the phone of its journey's recipient."""

    _inherit = "sms.composer"

    def _action_send_sms(self):
        self.mailing_id._journey_check_send()
        return super()._action_send_sms()

    def _prepare_recipient_values(self, records):
        recipients = super()._prepare_recipient_values(records)
        fname = self.composition_mode == "mass" and self.env[
            "campaign.journey"
        ]._journey_recipient_field_of(self.mailing_id)
        if not fname:
            return recipients
        partners = records.sudo().mapped(fname)
        info = partners._sms_get_recipients_info()
        for record in records.sudo():
            partner = record[fname]
            recipients[record.id] = dict(
                info.get(partner.id)
                or {
                    "number": False,
                    "sanitized": False,
                    "partner_store": False,
                    "field_store": False,
                },
                partner=partner,
            )
        return recipients
