from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, ValidationError
from odoo.tools.sql import create_index

COOLDOWN_REASONS = [
    ("unsubscribe", "Unsubscribe / opt-out"),
    ("bounce", "Hard bounce"),
    ("complaint", "Spam complaint"),
    ("call", "Call outcome: do not contact"),
    ("feedback", "Negative feedback"),
]
# the person's quiet days, one boolean per week day as Odoo's
# calendar.recurrence has them, in the order of date.weekday() (0: Monday)
QUIET_DAY_FIELDS = (
    "pressure_quiet_mon",
    "pressure_quiet_tue",
    "pressure_quiet_wed",
    "pressure_quiet_thu",
    "pressure_quiet_fri",
    "pressure_quiet_sat",
    "pressure_quiet_sun",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    pressure_max_contacts = fields.Integer(
        string="Own contact cap",
        help="Maximum number of marketing contacts the person accepts per period "
        "(0: no own cap).",
    )
    pressure_period = fields.Selection(
        [("week", "Per week"), ("month", "Per month")],
        string="Own cap period",
        default="month",
    )
    pressure_blocked_channel_ids = fields.Many2many(
        "campaign.pressure.channel",
        "res_partner_pressure_blocked_channel_rel",
        "partner_id",
        "channel_id",
        string="Blocked channels",
    )
    pressure_quiet_from = fields.Float(string="Quiet hours from")
    pressure_quiet_to = fields.Float(string="Quiet hours to")
    # no marketing contact on these days of the person's week (their time
    # zone); transactional messages still go out
    pressure_quiet_mon = fields.Boolean(string="Monday")
    pressure_quiet_tue = fields.Boolean(string="Tuesday")
    pressure_quiet_wed = fields.Boolean(string="Wednesday")
    pressure_quiet_thu = fields.Boolean(string="Thursday")
    pressure_quiet_fri = fields.Boolean(string="Friday")
    pressure_quiet_sat = fields.Boolean(string="Saturday")
    pressure_quiet_sun = fields.Boolean(string="Sunday")
    # internal scoring, not shown in the portal: staff of the marketing team
    # only (the engine reads it in SQL; the cool-down hook writes it as sudo)
    pressure_cooldown_until = fields.Datetime(
        string="Cool-down until",
        copy=False,
        groups="mass_mailing.group_mass_mailing_user",
    )
    pressure_cooldown_reason = fields.Selection(
        COOLDOWN_REASONS,
        string="Cool-down reason",
        copy=False,
        groups="mass_mailing.group_mass_mailing_user",
    )
    pressure_contact_count = fields.Integer(
        string="Marketing contacts",
        compute="_compute_pressure_contact_count",
        groups="mass_mailing.group_mass_mailing_user",
    )

    def init(self):
        res = super().init()
        create_index(
            self.env.cr,
            "res_partner_pressure_email_normalized_idx",
            self._table,
            ["email_normalized"],
            where="email_normalized IS NOT NULL",
        )
        create_index(
            self.env.cr,
            "res_partner_pressure_phone_sanitized_idx",
            self._table,
            ["phone_sanitized"],
            where="phone_sanitized IS NOT NULL",
        )
        return res

    def _compute_pressure_contact_count(self):
        data = dict(
            self.env["campaign.pressure.contact"]._read_group(
                [("partner_id", "in", self.ids), ("state", "!=", "released")],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.pressure_contact_count = data.get(partner, 0)

    @api.constrains("pressure_max_contacts", "pressure_quiet_from", "pressure_quiet_to")
    def _check_pressure_settings(self):
        for partner in self:
            if partner.pressure_max_contacts < 0:
                raise ValidationError(self.env._("A contact cap cannot be negative."))
            for hour in (partner.pressure_quiet_from, partner.pressure_quiet_to):
                if not 0 <= hour <= 24:
                    raise ValidationError(
                        self.env._("Quiet hours must be between 0:00 and 24:00.")
                    )

    def _pressure_quiet_weekdays(self):
        """The person's quiet days as week day numbers (0: Monday)."""
        self.ensure_one()
        return frozenset(
            day for day, fname in enumerate(QUIET_DAY_FIELDS) if self[fname]
        )

    @api.model
    def _pressure_quiet_day_values(self, weekdays):
        """Field values setting exactly the quiet days ``weekdays`` (week day
        numbers, 0: Monday)."""
        days = set(weekdays or ())
        return {fname: day in days for day, fname in enumerate(QUIET_DAY_FIELDS)}

    @api.model
    def _pressure_weekday_labels(self):
        """Names of the week days (Monday first) in the environment's
        language, as the quiet day fields are labelled."""
        _ = self.env._
        return [
            _("Monday"),
            _("Tuesday"),
            _("Wednesday"),
            _("Thursday"),
            _("Friday"),
            _("Saturday"),
            _("Sunday"),
        ]

    def _pressure_quiet_hours_set(self):
        """Whether the person set quiet hours (see ``quiet_hours_set``)."""
        self.ensure_one()
        return self.env["campaign.pressure.engine"]._pressure_has_quiet_hours(
            self.pressure_quiet_from, self.pressure_quiet_to
        )

    def write(self, vals):
        if "pressure_cooldown_until" in vals and self._pressure_cooldown_lifted(
            vals["pressure_cooldown_until"]
        ):
            self.env["campaign.pressure.engine"]._pressure_check_manager(
                self.env._(
                    "Only a marketing pressure manager may end or shorten a cool-down."
                )
            )
        return super().write(vals)

    def _pressure_cooldown_lifted(self, value):
        """Whether setting the cool-down end to ``value`` ends or shortens a
        cool-down in progress: that raises the person's room, unlike setting
        or extending one (the engine's own hook, a merge of contacts)."""
        until = fields.Datetime.to_datetime(value)
        now = fields.Datetime.now()
        return any(
            partner.pressure_cooldown_until
            and partner.pressure_cooldown_until > now
            and (not until or until < partner.pressure_cooldown_until)
            for partner in self.sudo()
        )

    def _pressure_cooldown(self, reason):
        """Lower the person's thresholds for the company's cool-down period
        after a negative response (``reason``: see COOLDOWN_REASONS).

        Public modules (portal feedback, bounce handling, call outcomes) call
        this hook; it runs as superuser because the person himself may trigger
        it from a public route.
        """
        if reason not in dict(COOLDOWN_REASONS):
            raise ValidationError(self.env._("Unknown cool-down reason: %s", reason))
        partners = self.sudo().filtered(lambda p: p.id)
        if not partners:
            return False
        days = self.env.company.sudo().pressure_cooldown_days
        until = fields.Datetime.now() + timedelta(days=days)
        partners.filtered(
            lambda p: not p.pressure_cooldown_until or p.pressure_cooldown_until < until
        ).write({"pressure_cooldown_until": until, "pressure_cooldown_reason": reason})
        return True

    @api.model
    def _pressure_cooldown_emails(self, emails, reason):
        normalized = [
            e for e in (tools.email_normalize(email) for email in emails or []) if e
        ]
        if not normalized:
            return False
        partners = self.sudo().search([("email_normalized", "in", normalized)])
        return partners._pressure_cooldown(reason)

    def action_view_pressure_contacts(self):
        self.ensure_one()
        if not self.env.user.has_group("mass_mailing.group_mass_mailing_user"):
            raise AccessError(
                self.env._("Only the marketing team may open the contact log.")
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "campaign_pressure.campaign_pressure_contact_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {}
        return action
