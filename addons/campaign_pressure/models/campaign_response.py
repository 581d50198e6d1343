from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from .campaign_pressure_channel import CHANNELS

POLARITIES = [("positive", "Positive"), ("negative", "Negative")]
# the columns a source gives :meth:`CampaignResponse._record`
RECORD_COLUMNS = (
    "partner_id",
    "email",
    "date",
    "campaign_id",
    "mailing_id",
    "channel",
    "polarity",
    "reason_id",
    "optout_reason_id",
    "source",
    "source_ref",
    "company_id",
)


class CampaignResponseReason(models.Model):
    """Why a person answered a campaign as they did: the institution's
    typed reasons (interested, applied... ; not this intake, chose another
    institution, funding...), set by a pressure manager."""

    _name = "campaign.response.reason"
    _description = "Campaign Response Reason"
    _order = "polarity desc, sequence, id"

    name = fields.Char(required=True, translate=True)
    polarity = fields.Selection(POLARITIES, required=True, default="negative")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)


class CampaignResponse(models.Model):
    """One response of a person to a campaign: positive or negative, with
    a typed reason, from the source that saw it.

    Recorded by the server from what campaign_pressure sees (a mailing's
    clicks and replies, Odoo's opt-out reasons) and by hand (source
    ``manual``). Other sources (lost reasons of leads, portal feedback,
    call outcomes) come through glue modules calling :meth:`_record`, the
    extension point: one set-based insert, idempotent on ``(source,
    source_ref)`` (the same event recorded twice is one response).

    Only ``manual`` responses are written by users: the others are the
    server's (a forged click would feed back into targeting).
    """

    _name = "campaign.response"
    _description = "Campaign Response"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Person", index=True, ondelete="cascade"
    )
    email = fields.Char(help="The address that responded, when no person is known.")
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    campaign_id = fields.Many2one("utm.campaign", index="btree_not_null")
    mailing_id = fields.Many2one(
        "mailing.mailing", index="btree_not_null", ondelete="set null"
    )
    channel = fields.Selection(CHANNELS)
    polarity = fields.Selection(POLARITIES, required=True)
    reason_id = fields.Many2one(
        "campaign.response.reason",
        domain="[('polarity', '=', polarity)]",
        ondelete="restrict",
    )
    optout_reason_id = fields.Many2one(
        "mailing.subscription.optout",
        string="Opt-out reason",
        readonly=True,
        help="The reason the person gave Odoo's unsubscribe page.",
    )
    source = fields.Selection(
        [
            ("click", "Link clicked"),
            ("reply", "Reply"),
            ("optout", "Opt-out"),
            ("call", "Call outcome"),
            ("manual", "By hand"),
        ],
        required=True,
        default="manual",
    )
    source_ref = fields.Char(
        string="Source record",
        readonly=True,
        help="What the response was recorded from ('model,id'): recorded once.",
    )
    note = fields.Text()
    user_id = fields.Many2one(
        "res.users",
        string="Recorded by",
        readonly=True,
        default=lambda self: self.env.user,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        (
            "source_ref_unique",
            "UNIQUE(source, source_ref)",
            "A response is recorded once from its source.",
        ),
    ]

    @api.constrains("reason_id", "polarity")
    def _check_reason_polarity(self):
        for response in self:
            if response.reason_id and response.reason_id.polarity != response.polarity:
                raise ValidationError(
                    self.env._(
                        "The reason '%(reason)s' does not fit a %(polarity)s response.",
                        reason=response.reason_id.name,
                        polarity=dict(
                            self._fields["polarity"]._description_selection(self.env)
                        )[response.polarity],
                    )
                )

    @api.constrains("partner_id", "email", "polarity")
    def _check_person(self):
        for response in self:
            if not response.partner_id and not response.email:
                raise ValidationError(
                    self.env._("A response is given by a person or an email address.")
                )

    @api.constrains("date", "source")
    def _check_manual_date(self):
        now = fields.Datetime.now()
        for response in self:
            if response.source == "manual" and response.date > now:
                raise ValidationError(
                    self.env._(
                        "A response recorded by hand cannot be dated in the "
                        "future (%(date)s).",
                        date=fields.Datetime.to_string(response.date),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                if (
                    vals.get("source", "manual") != "manual"
                    or vals.get("source_ref")
                    or vals.get("optout_reason_id")
                ):
                    self._refuse_source()
            # what the server sets: a default of the context (default_source,
            # default_source_ref...) sets it no more than vals do
            forced = {
                "source": "manual",
                "source_ref": False,
                "optout_reason_id": False,
                "user_id": self.env.uid,
            }
            vals_list = [dict(vals, **forced) for vals in vals_list]
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and (
            {"source", "source_ref", "user_id", "optout_reason_id"} & set(vals)
            or any(response.source != "manual" for response in self)
        ):
            self._refuse_source()
        return super().write(vals)

    def _refuse_source(self):
        raise AccessError(
            self.env._(
                "Responses from clicks, replies and opt-outs are recorded by "
                "the server; by hand you may only record and edit 'By hand' "
                "responses."
            )
        )

    # ------------------------------------------------------------------
    # Recording
    # ------------------------------------------------------------------

    @api.model
    def _record(self, select):
        """Record responses from any source in one statement: the
        extension point for glue modules (lost reasons of leads, portal
        feedback, call outcomes).

        :param SQL select: a query returning the columns ``partner_id,
          email, date, campaign_id, mailing_id, channel, polarity,
          reason_id, optout_reason_id, source, source_ref, company_id``;
          a row whose ``(source, source_ref)`` is already recorded is
          skipped (idempotent).
        :return int: the number of responses recorded now; what each one
          feeds back (its reason's suppression, cool-down, segment,
          journeys) is applied (``_feedback``)
        """
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO campaign_response (
                    partner_id, email, date, campaign_id, mailing_id, channel,
                    polarity, reason_id, optout_reason_id, source, source_ref,
                    company_id, user_id, create_uid, write_uid, create_date,
                    write_date)
                SELECT s.partner_id, s.email, s.date, s.campaign_id, s.mailing_id,
                       s.channel, s.polarity, s.reason_id, s.optout_reason_id,
                       s.source, s.source_ref, s.company_id, %(uid)s, %(uid)s,
                       %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                  FROM (%(select)s) AS s
                ON CONFLICT (source, source_ref) DO NOTHING
                RETURNING id
                """,
                uid=self.env.uid,
                select=select,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        if ids:
            self.invalidate_model()
            self.browse(ids)._feedback()
        return len(ids)

    @api.model
    def _record_values(self, rows):
        """Record responses given as dicts (keys: :data:`RECORD_COLUMNS`,
        a missing one is NULL; ``date`` defaults to now, ``company_id`` to
        the environment's company) in one statement (:meth:`_record`)."""
        if not rows:
            return 0
        defaults = {"date": fields.Datetime.now(), "company_id": self.env.company.id}
        columns = [
            [row.get(name) or defaults.get(name) for row in rows]
            for name in RECORD_COLUMNS
        ]
        return self._record(
            SQL(
                """
                SELECT * FROM unnest(
                    %s::int[], %s::varchar[], %s::timestamp[], %s::int[],
                    %s::int[], %s::varchar[], %s::varchar[], %s::int[],
                    %s::int[], %s::varchar[], %s::varchar[], %s::int[]
                ) AS s(partner_id, email, date, campaign_id, mailing_id, channel,
                       polarity, reason_id, optout_reason_id, source, source_ref,
                       company_id)
                """,
                *columns,
            )
        )

    @api.model
    def _default_reason(self, xmlid):
        reason = self.env.ref(f"campaign_pressure.{xmlid}", raise_if_not_found=False)
        return reason.id if reason and reason.active else None

    @api.model
    def _record_traces(self, trace_ids, source):
        """Responses of mailing traces clicked (``click``) or replied to
        (``reply``): positive, reason "Interested" for a click."""
        if not trace_ids:
            return 0
        self.env["mailing.trace"].flush_model()
        self.env["mailing.mailing"].flush_model(["campaign_id", "mailing_type"])
        reason = self._default_reason("response_reason_interested")
        return self._record(
            SQL(
                """
                SELECT p.partner_id, t.email, now() AT TIME ZONE 'UTC' AS date,
                       m.campaign_id, t.mass_mailing_id AS mailing_id,
                       CASE WHEN t.trace_type = 'sms' THEN 'sms' ELSE 'email' END
                           AS channel,
                       'positive' AS polarity, %(reason)s::int AS reason_id,
                       NULL::int AS optout_reason_id, %(source)s AS source,
                       'mailing.trace,' || t.id AS source_ref,
                       COALESCE(c.company_id, %(company)s) AS company_id
                  FROM mailing_trace t
                  JOIN mailing_mailing m ON m.id = t.mass_mailing_id
                  LEFT JOIN utm_campaign c ON c.id = m.campaign_id
                  LEFT JOIN LATERAL (
                       SELECT CASE WHEN t.model = 'res.partner' THEN t.res_id
                              ELSE (SELECT rp.id FROM res_partner rp
                                     WHERE t.email IS NOT NULL
                                       AND rp.email_normalized = t.email
                                     ORDER BY rp.id LIMIT 1) END AS partner_id
                  ) p ON TRUE
                 WHERE t.id = ANY(%(ids)s)
                   AND (p.partner_id IS NOT NULL OR t.email IS NOT NULL)
                """,
                reason=reason,
                source=source,
                company=self.env.company.id,
                ids=list(trace_ids),
            )
        )

    @api.model
    def _record_optouts(self, table, ids):
        """Negative responses of Odoo's opt-out reasons, given on its
        unsubscribe page: on list subscriptions (``mailing_subscription``)
        or the blacklist (``mail_blacklist``); reason "Unsubscribe"."""
        if not ids:
            return 0
        reason = self._default_reason("response_reason_unsubscribe")
        if table == "mail_blacklist":
            self.env["mail.blacklist"].flush_model()
            source = SQL(
                "SELECT b.id, b.email AS email, b.opt_out_reason_id "
                "FROM mail_blacklist b WHERE b.id = ANY(%s)",
                list(ids),
            )
            model = "mail.blacklist"
        else:
            self.env["mailing.subscription"].flush_model()
            self.env["mailing.contact"].flush_model(["email_normalized"])
            source = SQL(
                "SELECT s.id, c.email_normalized AS email, s.opt_out_reason_id "
                "FROM mailing_subscription s "
                "JOIN mailing_contact c ON c.id = s.contact_id "
                "WHERE s.id = ANY(%s)",
                list(ids),
            )
            model = "mailing.subscription"
        return self._record(
            SQL(
                """
                SELECT (SELECT rp.id FROM res_partner rp
                         WHERE rp.email_normalized = o.email
                         ORDER BY rp.id LIMIT 1) AS partner_id,
                       o.email, now() AT TIME ZONE 'UTC' AS date,
                       NULL::int AS campaign_id, NULL::int AS mailing_id,
                       'email' AS channel, 'negative' AS polarity,
                       %(reason)s::int AS reason_id,
                       o.opt_out_reason_id AS optout_reason_id,
                       'optout' AS source,
                       %(model)s || ',' || o.id || ',' || o.opt_out_reason_id
                           AS source_ref,
                       %(company)s::int AS company_id
                  FROM (%(source)s) AS o
                 WHERE o.opt_out_reason_id IS NOT NULL AND o.email IS NOT NULL
                """,
                reason=reason,
                model=model,
                company=self.env.company.id,
                source=source,
            )
        )
