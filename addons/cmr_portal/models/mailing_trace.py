from odoo import api, models
from odoo.tools import format_datetime

NOT_SENT_STATUSES = ("cancel", "error", "bounce")


class MailingTrace(models.Model):
    _inherit = "mailing.trace"

    @api.model
    def _cmr_portal_rows(self, traces, partner):
        """Rows of the person's communications page: what was sent and what was
        held back, explained in plain words. ``traces`` passed the record
        rules; ``partner``: the person (sudo)."""
        traces_sudo = traces.sudo()
        env = self.env
        status_labels = dict(self._fields["trace_status"]._description_selection(env))
        # one query for the subjects of all mailings of the page
        traces_sudo.mass_mailing_id.fetch(["subject"])
        rows = []
        for trace in traces_sudo:
            sent = trace.trace_status not in NOT_SENT_STATUSES
            rows.append(
                {
                    "date": trace.sent_datetime or trace.create_date,
                    "channel": env._("SMS")
                    if trace.trace_type == "sms"
                    else env._("Email"),
                    "subject": trace.mass_mailing_id.subject or "",
                    "status": env._("Not sent")
                    if trace.trace_status == "cancel"
                    else status_labels.get(trace.trace_status, ""),
                    "sent": sent,
                    "explanation": trace._cmr_explanation(partner)
                    if not sent
                    else trace._cmr_postponed_explanation(),
                }
            )
        return rows

    def _cmr_postponed_explanation(self):
        """A message queued until the person's quiet hours end."""
        self.ensure_one()
        if self.trace_status != "outgoing" or not self.pressure_postponed_until:
            return ""
        return self.env._(
            "Waiting for the end of your quiet hours: it goes out at %(date)s.",
            date=format_datetime(
                self.env, self.pressure_postponed_until, dt_format="short"
            ),
        )

    def _cmr_explanation(self, partner):
        """Why this message did not reach the person, in plain words."""
        self.ensure_one()
        _ = self.env._
        failure = self.failure_type
        if failure == "pressure":
            return self._cmr_pressure_explanation(partner)
        if failure in ("mail_bl", "sms_blacklist"):
            return _("Not sent: you asked not to receive anything from us.")
        if failure in ("mail_optout", "sms_optout"):
            return _("Not sent: you unsubscribed from this topic.")
        if failure in ("mail_dup", "sms_duplicate"):
            return _("Not sent twice: you already received this message.")
        if failure in (
            "mail_email_invalid",
            "mail_email_missing",
            "sms_number_missing",
            "sms_number_format",
        ):
            return _("Not sent: we have no valid address or number for you.")
        if self.trace_status == "bounce":
            return _("Not delivered: your mailbox refused the message.")
        return _("Not delivered because of a technical problem.")

    def _cmr_pressure_explanation(self, partner):
        """Why the pressure engine held this message back, in plain words."""
        self.ensure_one()
        _ = self.env._
        channel_code = "sms" if self.trace_type == "sms" else "email"
        if self.pressure_reason == "quiet_day":
            return _("Not sent: it would have reached you on one of your quiet days.")
        if self.pressure_reason == "quiet_hours":
            return _("Not sent: it would have reached you during your quiet hours.")
        if self.pressure_rule_id:
            return _(
                "Not sent: we send at most %(max)s marketing messages "
                "in this period and that limit was reached.",
                max=self.pressure_threshold,
            )
        if self.pressure_threshold:
            own = partner.pressure_max_contacts or self.pressure_threshold
            period = _("week") if partner.pressure_period == "week" else _("month")
            if own == 1:
                text = _(
                    "Not sent: you asked for at most 1 message a %(period)s.",
                    period=period,
                )
            else:
                text = _(
                    "Not sent: you asked for at most %(max)s messages a %(period)s.",
                    max=own,
                    period=period,
                )
            if self.pressure_threshold < own:
                text += " " + _(
                    "The limit is lower for a while after a recent "
                    "unsubscription or negative feedback."
                )
            return text
        blocked = partner.pressure_blocked_channel_ids.filtered(
            lambda c: c.code == channel_code
        )
        if blocked:
            return _("Not sent: you turned off %(channel)s.", channel=blocked.name)
        return _("Not sent: it would have reached you during your quiet hours or days.")
