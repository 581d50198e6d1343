import re

from odoo import api, fields, models
from odoo.addons.campaign_pressure.engine.render import label, label_list, renderer
from odoo.exceptions import UserError

SOURCES = [
    ("portal", "Portal"),
    ("mailing", "Mailing preferences page"),
    ("backend", "Backend"),
    ("application", "Online application"),
]
# the line of the quiet days (campaign_pressure's seven week day fields):
# codes are the week day numbers, ``5,6``
QUIET_DAYS = "pressure_quiet_days"
# res.partner fields whose every change is logged
CONSENT_FIELDS = (
    "pressure_blocked_channel_ids",
    "pressure_max_contacts",
    "pressure_period",
    "pressure_quiet_from",
    "pressure_quiet_to",
    QUIET_DAYS,
    "cmr_preferred_channel",
    "lang",
    "cmr_sponsor_consent",
)
# lines that are not a res.partner field
TOPIC = "topic"
BLACKLIST = "is_blacklisted"
# codes of a topic line
SUBSCRIBED = "subscribed"
NOT_SUBSCRIBED = "not_subscribed"
# codes of a yes/no value
YES, NO = "1", "0"
WEEKDAY_CODES_RE = re.compile(r"^[0-6](,[0-6])*$")
LABEL_OPERATORS = ("ilike", "not ilike", "=", "!=")


class CmrConsentLog(models.Model):
    """One line per changed preference or consent: who changed what, when, from
    where. Lines are written by the system (``_cmr_log``), never edited.

    A line stores codes, never words: the changed field's technical name
    (``topic`` and ``is_blacklisted`` for the mailing lists and the email
    block list), and before/after as the selection key, the channel codes
    (``sms,phone``), the language code, ``1``/``0``, the week day numbers
    of the quiet days (``5,6``, field ``pressure_quiet_days``), ``HH:MM`` or
    the number. The person reads the line in the
    portal's language, staff in their own: ``field_label``, ``old_value``
    and ``new_value`` are computed in the reader's language."""

    _name = "cmr.consent.log"
    _description = "Consent and Preference Log"
    _order = "date desc, id desc"
    _rec_name = "field_label"

    partner_id = fields.Many2one(
        "res.partner",
        string="Person",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Changed By", readonly=True, ondelete="set null"
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    ip_address = fields.Char(string="IP Address", readonly=True)
    user_agent = fields.Char(readonly=True)
    field_name = fields.Char(string="Technical Field", readonly=True)
    topic_name = fields.Char(
        string="Topic",
        readonly=True,
        help="Topic lines: the name of the mailing list when the change was made.",
    )
    old_code = fields.Char(string="Before (Code)", readonly=True)
    new_code = fields.Char(string="After (Code)", readonly=True)
    field_label = fields.Char(
        string="Preference",
        compute="_compute_labels",
        search="_search_field_label",
    )
    old_value = fields.Char(string="Before", compute="_compute_labels")
    new_value = fields.Char(string="After", compute="_compute_labels")
    source = fields.Selection(SOURCES, required=True, default="backend", readonly=True)

    @api.depends_context("lang")
    @api.depends("field_name", "topic_name", "old_code", "new_code")
    def _compute_labels(self):
        decoder = self._cmr_decoder()
        for log in self:
            log.field_label = log._cmr_field_label()
            log.old_value = decoder(log.field_name, log.old_code)
            log.new_value = decoder(log.field_name, log.new_code)

    def _search_field_label(self, operator, value):
        """The lines whose label, in the reader's language, matches ``value``
        (the search view's "Preference")."""
        if operator not in LABEL_OPERATORS or not isinstance(value, str):
            raise UserError(self.env._("Search the preference by its name."))
        exact = operator in ("=", "!=")
        text = value if exact else value.casefold()

        def matches(label):
            return label == text if exact else text in label.casefold()

        names = [
            fname
            for fname in (*CONSENT_FIELDS, BLACKLIST)
            if matches(self._cmr_label(fname))
        ]
        topic_prefix = self._cmr_topic_label("")
        domain = [("field_name", "in", names)]
        if matches(topic_prefix):
            domain = ["|", ("field_name", "=", TOPIC), *domain]
        else:
            topic_value = value.removeprefix(topic_prefix) if exact else value
            domain = [
                "|",
                "&",
                ("field_name", "=", TOPIC),
                ("topic_name", "=" if exact else "ilike", topic_value),
                *domain,
            ]
        return ["!", *domain] if operator in ("not ilike", "!=") else domain

    # ------------------------------------------------------------------
    # Labels in the reader's language
    # ------------------------------------------------------------------
    @api.model
    def _cmr_label(self, field_name):
        """The name of a logged preference in the reader's language."""
        if field_name == BLACKLIST:
            return self.env._("Nothing at all (email blacklist)")
        if field_name == QUIET_DAYS:
            return self.env._("Quiet days")
        field = self.env["res.partner"]._fields.get(field_name or "")
        if field is None:
            return field_name or ""
        return field.get_description(self.env, ["string"])["string"]

    @api.model
    def _cmr_topic_label(self, name):
        return self.env._("Topic: %(name)s", name=name)

    def _cmr_field_label(self):
        self.ensure_one()
        if self.field_name == TOPIC:
            return self._cmr_topic_label(self.topic_name or "")
        return self._cmr_label(self.field_name)

    @api.model
    def _cmr_decoder(self):
        """``decode(field_name, code)``: the value shown for a stored code, in
        the reader's language (the channel and language names read once; the
        pressure engine's renderer, each distinct value rendered once).
        A code it does not know (a line written before codes were stored
        that the migration could not read) is shown as stored."""
        text = renderer(
            self._cmr_value_template(),
            fallback=lambda _field_name, args: args["code"],
        )

        def decode(field_name, code):
            return text(field_name, {"code": code}) if code else ""

        return decode

    @api.model
    def _cmr_value_template(self):
        """``(field_name, args) -> template`` of :func:`render.renderer`: how
        the value ``args["code"]`` of a logged preference reads (None: as
        stored)."""
        env = self.env
        Partner = env["res.partner"]
        channels = {
            channel.code: channel.name
            for channel in env["campaign.pressure.channel"].sudo().search([])
        }
        langs = dict(env["res.lang"].get_installed())
        weekdays = Partner._pressure_weekday_labels()
        days = {str(day): weekdays[day] for day in range(7)}
        yes_no = {YES: env._("Yes"), NO: env._("No")}
        topic = {
            SUBSCRIBED: env._("Subscribed"),
            NOT_SUBSCRIBED: env._("Not subscribed"),
        }

        def quiet_days(args):
            if not WEEKDAY_CODES_RE.match(args["code"]):
                return args["code"]
            return label_list(days, args["code"])

        def template(field_name, _args):
            if field_name == TOPIC:
                return lambda args: label(topic, args["code"])
            if field_name == QUIET_DAYS:
                return quiet_days
            field = Partner._fields.get(field_name or "")
            if field_name == BLACKLIST or (field and field.type == "boolean"):
                return lambda args: label(yes_no, args["code"])
            if field is None:
                return None
            if field_name == "lang":
                return lambda args: label(langs, args["code"])
            if field_name == "pressure_blocked_channel_ids":
                return lambda args: label_list(channels, args["code"])
            if field.type == "selection":
                selection = dict(field._description_selection(env))
                return lambda args: label(selection, args["code"])
            return None

        return template

    # ------------------------------------------------------------------
    # Writing
    # ------------------------------------------------------------------
    @api.model
    def _cmr_request_meta(self):
        """IP address and user agent of the current HTTP request, if any."""
        from odoo.http import request  # noqa: PLC0415

        if not request:
            return {}
        httprequest = request.httprequest
        return {
            "ip_address": (httprequest.remote_addr or "")[:64],
            "user_agent": (httprequest.user_agent.string or "")[:512],
        }

    @api.model
    def _cmr_log(self, changes, source):
        """Write log lines.

        :param list changes: dicts ``partner_id, field_name, old_code,
          new_code`` (and ``topic_name`` for a topic): codes, see the class
        :param str source: portal, mailing, backend or application: where the change was
          made, decided by the server code that made it (never the context)
        """
        if source not in dict(SOURCES):
            raise ValueError(f"unknown consent log source {source!r}")
        if not changes:
            return self.browse()
        meta = self._cmr_request_meta()
        uid = self.env.uid
        user_id = False if self.env["res.users"].browse(uid)._is_public() else uid
        return self.sudo().create(
            [dict(change, user_id=user_id, source=source, **meta) for change in changes]
        )
