from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.edu_crm.models.edu_workflow_mixin import EDU_USER


class ResPartner(models.Model):
    """The person's file, with what the portal and the pressure engine know:
    the consent the person gave in the portal and their marketing contacts
    of the last week and month against the cap that applies to them."""

    _inherit = "res.partner"

    cmr_file_contacts_week = fields.Integer(
        string="Marketing Contacts (7 days)",
        compute="_compute_cmr_file_pressure",
        groups=EDU_USER,
    )
    cmr_file_contacts_month = fields.Integer(
        string="Marketing Contacts (30 days)",
        compute="_compute_cmr_file_pressure",
        groups=EDU_USER,
    )
    cmr_file_pressure = fields.Char(
        string="Marketing Contacts",
        compute="_compute_cmr_file_pressure",
        groups=EDU_USER,
        help="Marketing contacts of the last 7 and 30 days (transactional "
        "messages excluded) against the cap that applies to the person.",
    )
    cmr_file_cap = fields.Char(
        string="Contact Cap",
        compute="_compute_cmr_file_pressure",
        groups=EDU_USER,
        help="The person's own cap when they set one, else the tightest active "
        "marketing rule of your companies.",
    )

    @api.depends_context("uid", "allowed_company_ids", "lang")
    def _compute_cmr_file_pressure(self):
        """Three queries for any number of people: the contacts of the last
        30 days (the last 7 among them), the person's own cap (a stored field)
        and the tightest marketing rule."""
        week, month = self._cmr_file_contact_counts()
        rule = (
            self.env["campaign.pressure.rule"]
            .sudo()
            .search_fetch(
                [
                    ("active", "=", True),
                    ("scope", "=", "marketing"),
                    ("company_id", "in", [False, *self.env.companies.ids]),
                ],
                ["name", "max_contacts", "window_type", "window_days", "period"],
                order="max_contacts, sequence, id",
                limit=1,
            )
        )
        rule_cap = self._cmr_file_rule_cap(rule)
        period_labels = dict(
            self._fields["pressure_period"]._description_selection(self.env)
        )
        for partner in self:
            partner.cmr_file_contacts_week = week.get(partner.id, 0)
            partner.cmr_file_contacts_month = month.get(partner.id, 0)
            if partner.pressure_max_contacts:
                partner.cmr_file_cap = self.env._(
                    "%(max)s %(period)s (own cap)",
                    max=partner.pressure_max_contacts,
                    period=period_labels.get(partner.pressure_period, "").lower(),
                )
            else:
                partner.cmr_file_cap = rule_cap
            partner.cmr_file_pressure = self.env._(
                "%(week)s in 7 days, %(month)s in 30 days; cap: %(cap)s",
                week=partner.cmr_file_contacts_week,
                month=partner.cmr_file_contacts_month,
                cap=partner.cmr_file_cap or self.env._("none"),
            )

    def _cmr_file_contact_counts(self):
        """``(week, month)``: ``{partner id: weight}`` of the marketing
        contacts of the last 7 and 30 days, in one query."""
        now = fields.Datetime.now()
        week_start = now - timedelta(days=7)
        contacts = (
            self.env["campaign.pressure.contact"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", self.ids),
                    ("state", "!=", "released"),
                    ("is_transactional", "=", False),
                    ("contact_date", ">=", now - timedelta(days=30)),
                    ("contact_date", "<=", now),
                ],
                ["partner_id", "contact_date", "weight"],
            )
        )
        week, month = {}, {}
        for contact in contacts:
            key = contact.partner_id.id
            month[key] = month.get(key, 0) + contact.weight
            if contact.contact_date >= week_start:
                week[key] = week.get(key, 0) + contact.weight
        return week, month

    def _cmr_file_rule_cap(self, rule):
        """The cap of ``rule`` in words (empty without a rule)."""
        if not rule:
            return False
        if rule.window_type == "rolling":
            window = self.env._("in %(days)s days", days=rule.window_days)
        else:
            window = dict(rule._fields["period"]._description_selection(self.env)).get(
                rule.period, ""
            )
        return self.env._(
            "%(max)s %(window)s (rule %(rule)s)",
            max=rule.max_contacts,
            window=window.lower(),
            rule=rule.name,
        )

    def _edu_file_consent_parts(self):
        parts = super()._edu_file_consent_parts()
        _ = self.env._
        if self.cmr_preferred_channel:
            labels = dict(
                self._fields["cmr_preferred_channel"]._description_selection(self.env)
            )
            parts.append(
                _("Prefers %(channel)s", channel=labels[self.cmr_preferred_channel])
            )
        if self.pressure_blocked_channel_ids:
            parts.append(
                _(
                    "Blocked: %(channels)s",
                    channels=", ".join(
                        self.pressure_blocked_channel_ids.mapped("name")
                    ),
                )
            )
        if self.edu_sponsor_ids:
            parts.append(
                _("Sponsors may see records")
                if self.cmr_sponsor_consent
                else _("Sponsors may not see records")
            )
        return parts
