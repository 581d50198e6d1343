from markupsafe import Markup
from odoo import Command, api, fields, models
from odoo.addons.campaign_pressure.models.res_partner import QUIET_DAY_FIELDS
from odoo.exceptions import AccessError

from .cmr_consent_log import (
    BLACKLIST,
    CONSENT_FIELDS,
    NO,
    NOT_SUBSCRIBED,
    QUIET_DAYS,
    SUBSCRIBED,
    TOPIC,
    YES,
)

# who may record a student's consent to show their records to sponsors in the
# backend (the person gives it themselves in the portal)
CONSENT_GROUP = "edu_crm.group_edu_user"
# who reads the consent log (IP addresses and browsers of the people)
CONSENT_LOG_GROUPS = "edu_crm.group_edu_user,mass_mailing.group_mass_mailing_user"


def format_hour(value):
    hours = int(value or 0)
    minutes = round(((value or 0) - hours) * 60)
    if minutes == 60:
        hours, minutes = hours + 1, 0
    return f"{hours:02d}:{minutes:02d}"


class ResPartner(models.Model):
    _inherit = "res.partner"

    cmr_preferred_channel = fields.Selection(
        [
            ("email", "Email"),
            ("sms", "SMS"),
            ("phone", "Phone call"),
            ("letter", "Letter"),
        ],
        string="Preferred Channel",
    )
    cmr_sponsor_consent = fields.Boolean(
        string="Sponsors May See My Records",
        copy=False,
        help="The sponsoring organisations of the person see the enrolment status, "
        "schedule and invoices in their portal.",
    )
    cmr_consent_log_ids = fields.One2many(
        "cmr.consent.log",
        "partner_id",
        string="Consent Log",
        readonly=True,
        groups=CONSENT_LOG_GROUPS,
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("cmr_sponsor_consent") for vals in vals_list):
            self._cmr_check_consent_writer()
        return super().create(vals_list)

    def write(self, vals):
        if not self._cmr_tracked_fields(vals):
            return super().write(vals)
        return self._cmr_write_logged(vals, "backend")

    def _cmr_write_logged(self, vals, source):
        """``write(vals)`` that logs every change of a consent field as made
        from ``source`` (portal, mailing or backend).

        The source is an argument of this private method, never a context
        key: a client chooses the context of its calls, so a context flag
        could forge the source or skip the line. ``write()`` of a consent
        field is this method with ``backend``; the preference centre passes
        its own source. It
        ends in ``super().write``: an addon loaded after this one that must
        see the preference centre's writes extends this method too.
        """
        if "cmr_sponsor_consent" in vals and self.filtered(
            lambda p: p.cmr_sponsor_consent != bool(vals["cmr_sponsor_consent"])
        ):
            self._cmr_check_consent_writer()
        tracked = self._cmr_tracked_fields(vals)
        if not tracked:
            return super().write(vals)
        before = {partner.id: partner._cmr_consent_codes(tracked) for partner in self}
        res = super().write(vals)
        changes = []
        for partner in self:
            after = partner._cmr_consent_codes(tracked)
            for fname in tracked:
                old, new = before[partner.id][fname], after[fname]
                if old != new:
                    changes.append(
                        {
                            "partner_id": partner.id,
                            "field_name": fname,
                            "old_code": old,
                            "new_code": new,
                        }
                    )
        self.env["cmr.consent.log"]._cmr_log(changes, source)
        return res

    @api.model
    def _cmr_tracked_fields(self, vals):
        """The consent log lines ``vals`` may change (see CONSENT_FIELDS): the
        quiet days are one line, whichever of their fields is written."""
        written = set(vals)
        if written & set(QUIET_DAY_FIELDS):
            written.add(QUIET_DAYS)
        return [fname for fname in CONSENT_FIELDS if fname in written]

    def _cmr_check_consent_writer(self):
        """The consent to show a student's records to the sponsors is the
        person's (portal, sudo after the identity check) or recorded by the
        education staff; nobody else sets it."""
        if not self.env.su and not self.env.user.has_group(CONSENT_GROUP):
            raise AccessError(
                self.env._(
                    "Only the person, in their portal, or the education staff "
                    "can change the consent to show their records to sponsors."
                )
            )

    def _cmr_consent_codes(self, fnames):
        """The consent fields' values as the log stores them: codes that do
        not depend on a language (see ``cmr.consent.log``)."""
        self.ensure_one()
        values = {}
        for fname in fnames:
            if fname == QUIET_DAYS:
                values[fname] = ",".join(
                    map(str, sorted(self._pressure_quiet_weekdays()))
                )
                continue
            field = self._fields[fname]
            value = self[fname]
            if fname == "pressure_blocked_channel_ids":
                values[fname] = ",".join(sorted(value.mapped("code")))
            elif field.type == "boolean":
                values[fname] = YES if value else NO
            elif fname in ("pressure_quiet_from", "pressure_quiet_to"):
                values[fname] = format_hour(value)
            elif field.type == "integer":
                values[fname] = str(value or 0)
            else:  # selection keys, language code
                values[fname] = value or ""
        return values

    # ------------------------------------------------------------------
    # Preference centre (portal and mailing page)
    # ------------------------------------------------------------------
    def _cmr_topic_state(self):
        """Public mailing lists offered as topics and those the person's email
        is subscribed to (Odoo's mailing subscriptions)."""
        self.ensure_one()
        MailingList = self.env["mailing.list"].sudo()
        lists = MailingList.search([("is_public", "=", True)])
        if not self.email_normalized:
            return lists, MailingList
        contacts = (
            self.env["mailing.contact"]
            .sudo()
            .search([("email_normalized", "=", self.email_normalized)])
        )
        optin = (
            contacts.subscription_ids.filtered(lambda sub: not sub.opt_out).list_id
            & lists
        )
        return lists, optin

    def _cmr_apply_preferences(self, vals, topic_ids, nothing, source):
        """Save the preferences of the person (self: one partner, sudo, the
        caller checked the person's identity) and log every change.

        :param dict vals: res.partner values (see CONSENT_FIELDS)
        :param set topic_ids: ids of the public mailing lists to be subscribed to
        :param bool nothing: "nothing at all": put the email on the blacklist
        :param str source: portal or mailing
        """
        self.ensure_one()
        self._cmr_write_logged(vals, source)
        changes = []
        if self.email_normalized:
            changes += self._cmr_apply_topics(topic_ids)
            changes += self._cmr_apply_blacklist(nothing)
        self.env["cmr.consent.log"]._cmr_log(changes, source)
        return True

    def _cmr_apply_topics(self, topic_ids):
        """Subscribe the person's email (self: one partner with an email) to
        the public mailing lists ``topic_ids`` and out of the others: the
        consent log lines of the changes."""
        partner = self
        email = partner.email_normalized
        lists, optin = partner._cmr_topic_state()
        to_in = lists.filtered(lambda lst: lst.id in topic_ids) - optin
        to_out = optin.filtered(lambda lst: lst.id not in topic_ids)
        if to_out:
            to_out._update_subscription_from_email(email, opt_out=True)
        if to_in:
            contacts = (
                self.env["mailing.contact"]
                .sudo()
                .search([("email_normalized", "=", email)], limit=1)
            )
            if contacts:
                to_in._update_subscription_from_email(email, opt_out=False)
            else:
                self.env["mailing.contact"].sudo().create(
                    {
                        "name": partner.name,
                        "email": partner.email,
                        "subscription_ids": [
                            Command.create({"list_id": lst.id}) for lst in to_in
                        ],
                    }
                )
        return [
            {
                "partner_id": partner.id,
                "field_name": TOPIC,
                "topic_name": lst.name,
                "old_code": old,
                "new_code": new,
            }
            for lst, old, new in [(lst, NOT_SUBSCRIBED, SUBSCRIBED) for lst in to_in]
            + [(lst, SUBSCRIBED, NOT_SUBSCRIBED) for lst in to_out]
        ]

    def _cmr_apply_blacklist(self, nothing):
        """Put the person's email (self: one partner with an email) on the
        blacklist ("nothing at all") or take it off: the consent log line of
        the change."""
        partner = self
        if nothing == partner.is_blacklisted:
            return []
        Blacklist = self.env["mail.blacklist"].sudo()
        message = Markup("<p>%s</p>") % self.env._(
            "Changed by the person in the preference centre."
        )
        if nothing:
            Blacklist._add(partner.email_normalized, message=message)
        else:
            Blacklist._remove(partner.email_normalized, message=message)
        partner.invalidate_recordset(["is_blacklisted"])
        return [
            {
                "partner_id": partner.id,
                "field_name": BLACKLIST,
                "old_code": NO if nothing else YES,
                "new_code": YES if nothing else NO,
            }
        ]
