from odoo import api, models

# kind -> (mail template, SMS template): the payment receipt is Odoo's own
# email, with the receipt attached; requests and offers email the person
# through their own chatter message, their notices are SMS only
TEMPLATES = {
    "payment": (
        "account.mail_template_data_payment_receipt",
        "cmr_portal.sms_template_notice_payment",
    ),
    "due": (
        "cmr_portal.mail_template_notice_due",
        "cmr_portal.sms_template_notice_due",
    ),
    "document": (
        "cmr_portal.mail_template_notice_document",
        "cmr_portal.sms_template_notice_document",
    ),
    "request": (None, "cmr_portal.sms_template_notice_request"),
    "offer": (None, "cmr_portal.sms_template_notice_offer"),
}
# what the contact log's rows of the notices point to
CONTACT_SOURCE = "notice"


class EduAccountNotice(models.Model):
    """Sending the notices: the pressure engine decides (a transactional
    message: never capped, counted, postponed by the person's quiet hours;
    held only on a channel the person blocked), Odoo's mail and SMS queues
    send, rendered in the recipient's language by the templates."""

    _inherit = "edu.account.notice"

    def _cmr_dispatch(self, now):
        """Send the notices of ``self`` (locked, due at ``now``)."""
        self = self.sudo()
        outcome = {}  # notice -> (state, values)
        for (channel, company), notices in self.grouped(
            lambda n: (n.channel, n.company_id)
        ).items():
            outcome.update(notices._cmr_dispatch_channel(channel, company, now))
        for (state, failure, scheduled), notices in self._cmr_group_outcome(
            outcome
        ).items():
            notices.write(
                {
                    "state": state,
                    "failure_reason": failure,
                    "scheduled_date": scheduled or now,
                    "date_sent": now if state == "sent" else False,
                }
            )
        # what the SQL readers (the timeline, a rerun) see
        self.flush_recordset()

    @api.model
    def _cmr_group_outcome(self, outcome):
        """``{(state, failure, scheduled): notices}`` of ``outcome``."""
        groups = {}
        for notice, key in outcome.items():
            groups.setdefault(key, self.browse())
            groups[key] |= notice
        return groups

    def _cmr_dispatch_channel(self, channel, company, now):
        """Decide and send the notices of ``self`` (one channel and company):
        ``{notice: (state, failure, scheduled)}``."""
        outcome = {}
        reachable = self._cmr_reachable(channel)
        for notice in self - reachable:
            outcome[notice] = ("failed", self._cmr_no_address(channel), False)
        if not reachable:
            return outcome
        decisions = self._cmr_decide(reachable, channel, company, now)
        to_send = self.browse()
        for notice in reachable:
            decision = decisions.get(notice.id) or {"allowed": True}
            if not decision["allowed"]:
                outcome[notice] = ("failed", decision.get("reason"), False)
            elif decision.get("postpone_until"):
                outcome[notice] = ("postponed", False, decision["postpone_until"])
            else:
                to_send |= notice
                outcome[notice] = ("sent", False, False)
        self._cmr_log_contacts(
            {n.id: decisions[n.id] for n in to_send if n.id in decisions},
            channel,
            company,
            now,
        )
        to_send._cmr_send(channel)
        return outcome

    def _cmr_reachable(self, channel):
        if channel == "sms":
            return self.filtered(lambda n: n.partner_id.phone_sanitized)
        return self.filtered(lambda n: n.partner_id.email_normalized)

    @api.model
    def _cmr_no_address(self, channel):
        if channel == "sms":
            return self.env._("The person has no valid mobile number.")
        return self.env._("The person has no email address.")

    @api.model
    def _cmr_decide(self, notices, channel, company, now):
        """The pressure engine's decision per notice id: a transactional
        message (no cap applies), that can wait for the end of quiet hours."""
        engine = self.env["campaign.pressure.engine"]
        requests = [{"ref": n.id, "partner_id": n.partner_id.id} for n in notices]
        return engine.with_company(company)._pressure_evaluate(
            requests,
            channel,
            message={
                "weight": 1,
                "exempt": True,
                "company_id": company.id,
                "postpone_quiet": True,
            },
            lock=True,
            now=now,
        )

    @api.model
    def _cmr_log_contacts(self, decisions, channel, company, now):
        """Count the notices sent in the contact log, as transactional
        contacts (confirmed: the message leaves now)."""
        self.env["campaign.pressure.engine"]._pressure_log(
            decisions,
            channel,
            CONTACT_SOURCE,
            {
                "res_model": self._name,
                "weight": 1,
                "is_transactional": True,
                "company_id": company.id,
            },
            state="confirmed",
            now=now,
        )

    def _cmr_send(self, channel):
        """Queue the email or SMS of each notice of ``self``, per kind."""
        for kind, notices in self.grouped("kind").items():
            mail_xmlid, sms_xmlid = TEMPLATES[kind]
            if channel == "sms":
                notices._cmr_send_sms(self.env.ref(sms_xmlid))
            else:
                notices._cmr_send_mail(self.env.ref(mail_xmlid))

    def _cmr_send_mail(self, template):
        """The template rendered on each notice's record, to the notice's
        recipient, in their language (the template's ``lang``), through the
        mail queue. Not posted in the record's chatter: the notice is the
        timeline's entry."""
        for notice in self:
            values = {
                "recipient_ids": [(6, 0, notice.partner_id.ids)],
                "email_to": False,
            }
            if not template.email_from and notice.company_id.email:
                # Odoo's receipt has no sender: the institution, not the
                # job's user
                values["email_from"] = notice.company_id.email_formatted
            mail = self.env["mail.mail"].browse(
                template.send_mail(
                    notice.res_id,
                    email_values=values,
                    email_layout_xmlid="mail.mail_notification_light",
                )
            )
            notice.mail_id = mail
            notice.message_id = mail.message_id

    def _cmr_send_sms(self, template):
        """The SMS template rendered on the notices' records in the
        recipients' languages, queued to the SMS queue."""
        bodies = template._render_field(
            "body", self.mapped("res_id"), compute_lang=True
        )
        sms = self.env["sms.sms"].create(
            [
                {
                    "number": notice.partner_id.phone_sanitized,
                    "partner_id": notice.partner_id.id,
                    "body": bodies[notice.res_id],
                    "state": "outgoing",
                }
                for notice in self
            ]
        )
        for notice, message in zip(self, sms, strict=True):
            notice.sms_id = message
        # the provider's answer, now or in a delivery report after the SMS
        # is gone, reaches the notice through Odoo's SMS tracker
        self.env["sms.tracker"].sudo().create(
            [
                {"sms_uuid": message.uuid, "account_notice_id": notice.id}
                for notice, message in zip(self, sms, strict=True)
            ]
        )
