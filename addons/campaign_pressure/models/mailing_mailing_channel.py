from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..engine import channel_plan

# how many days a channel's calls may be spread over
PLAN_DAYS = 14
# a (channel, segment) rate needs this many contacts, else the channel's own
MIN_OBSERVATIONS = 20
# the column that says a recipient's address is blacklisted, per channel
BLACKLISTED = {"email": "email_blacklisted", "sms": "sms_blacklisted"}


class MailingMailing(models.Model):
    """ "Reach each person on their best channel": the plan of a mailing.

    Set-based: one query reads what each recipient can be reached on
    (:meth:`_channel_plan_people`), one pressure evaluation per channel
    says who has room (the engine's own statement, without locking), one
    grouped query gives the response rates per channel and segment
    (:meth:`_channel_plan_rates`); the choice is the pure planner's
    (``engine/channel_plan.py``). Recipients are people: a mailing on
    contacts, or on a model whose records have a ``partner_id``.

    Extension points: :meth:`_channel_plan_preferred_sql` (the person's
    preferred channel, e.g. the portal's) and
    :meth:`_channel_plan_segment_sql` (the segment response rates are
    observed per).
    """

    _inherit = "mailing.mailing"

    best_channel = fields.Boolean(
        string="Reach each person on their best channel",
        help="Among the channels below, each recipient is reached on one: a "
        "channel they allow, can be reached on and have room for under the "
        "pressure rules, chosen by the campaign's policy. The pressure check "
        "shows the plan before sending.",
    )
    best_channel_ids = fields.Many2many(
        "campaign.pressure.channel",
        "mailing_mailing_best_channel_rel",
        "mailing_id",
        "channel_id",
        string="Channels to choose from",
    )

    @api.constrains(
        "best_channel", "best_channel_ids", "mailing_model_id", "mailing_type"
    )
    def _check_best_channel(self):
        for mailing in self.filtered("best_channel"):
            if mailing.mailing_type != "mail":
                raise ValidationError(
                    self.env._(
                        "A 'best channel' mailing is an email mailing: it sends the "
                        "SMS, calls and letters of its plan itself."
                    )
                )
            if not mailing.best_channel_ids:
                raise ValidationError(
                    self.env._("Choose the channels a 'best channel' mailing may use.")
                )
            if not mailing._channel_plan_partner_column():
                raise ValidationError(
                    self.env._(
                        "A 'best channel' mailing reaches people: send it to "
                        "contacts, or to records that have a contact."
                    )
                )

    # ------------------------------------------------------------------
    # The plan
    # ------------------------------------------------------------------

    def _channel_plan(self, res_ids=None, now=None):
        """The plan of the mailing's recipients (``res_ids``, else the
        remaining ones): a :class:`..engine.channel_plan.Plan`."""
        self.ensure_one()
        if not self.best_channel:
            raise UserError(self.env._("This mailing is sent on one channel."))
        if res_ids is None:
            res_ids = self._get_remaining_recipients()
        codes = self.best_channel_ids.sorted("sequence").mapped("code")
        people = self._channel_plan_people(res_ids)
        options, refused = self._channel_plan_room(people, codes, now)
        candidates = [
            channel_plan.Candidate(
                ref,
                tuple(options[ref]),
                preferred=person["preferred"],
                segment=person["segment"],
                refused=tuple(refused[ref]),
            )
            for ref, person in people.items()
        ]
        return channel_plan.plan(
            candidates,
            self._channel_plan_terms(codes),
            self._channel_plan_rates(codes),
            self._channel_plan_policy(),
        )

    def _channel_plan_partner_column(self):
        """The recipient's person: ``id`` on contacts, else the stored
        ``partner_id`` of the mailing's model (None: none)."""
        model = self.env.get(self.mailing_model_real)
        if model is None:
            return None
        if model._name == "res.partner":
            return "id"
        field = model._fields.get("partner_id")
        if field and field.store and field.comodel_name == "res.partner":
            return "partner_id"
        return None

    @api.model
    def _channel_plan_preferred_sql(self, partner):
        """SQL of the preferred channel code of the person ``partner`` (an
        alias of res_partner); none here, the portal says it."""
        return SQL("NULL::varchar")

    @api.model
    def _channel_plan_segment_sql(self, partner):
        """SQL of the segment of the person ``partner`` (an alias of
        res_partner) response rates are observed per; one segment here."""
        return SQL("NULL::varchar")

    def _channel_plan_people(self, res_ids):
        """``{ref: person}`` in the order of ``res_ids``, in one query:
        the person, what they can be reached on, their preferred channel
        and segment. Records without a person are left out."""
        column = self._channel_plan_partner_column()
        model = self.env[self.mailing_model_real]
        model.flush_model()
        self.env["res.partner"].flush_model()
        self.env["mail.blacklist"].flush_model()
        self.env["phone.blacklist"].flush_model()
        rows = self.env.execute_query_dict(
            SQL(
                """
                SELECT x.ref, p.id AS pid,
                       COALESCE(p.email_normalized, '') != '' AS has_email,
                       EXISTS (SELECT 1 FROM mail_blacklist b
                                WHERE b.active AND b.email = p.email_normalized)
                           AS email_blacklisted,
                       COALESCE(p.phone_sanitized, '') != '' AS has_mobile,
                       EXISTS (SELECT 1 FROM phone_blacklist b
                                WHERE b.active AND b.number = p.phone_sanitized)
                           AS sms_blacklisted,
                       COALESCE(p.phone, '') != '' OR COALESCE(p.mobile, '') != ''
                           AS has_phone,
                       COALESCE(p.street, '') != '' AND COALESCE(p.city, '') != ''
                           AS has_address,
                       %(preferred)s AS preferred, %(segment)s AS segment
                  FROM unnest(%(ids)s::int[]) WITH ORDINALITY AS x(ref, n)
                  JOIN %(table)s r ON r.id = x.ref
                  JOIN res_partner p ON p.id = r.%(column)s
                 ORDER BY x.n
                """,
                preferred=self._channel_plan_preferred_sql(SQL("p")),
                segment=self._channel_plan_segment_sql(SQL("p")),
                ids=list(res_ids),
                table=SQL.identifier(model._table),
                column=SQL.identifier(column),
            )
        )
        return {row["ref"]: row for row in rows}

    def _channel_plan_room(self, people, codes, now=None):
        """``(options, refused)``: per ref, the channels the person can be
        reached on and has room for under the pressure rules (their
        blocked channels and quiet hours included), and ``(channel, code,
        args)`` of the others. One pressure statement for every channel
        (``_pressure_held_per_channel``)."""
        engine = self.env["campaign.pressure.engine"]
        message = engine._pressure_message_values(self)
        message.update(reserved=self._pressure_reserved_by_others(), explain=False)
        requests, unreachable = {}, {}
        for code in codes:
            blacklist = BLACKLISTED.get(code)
            requests[code], unreachable[code] = [], {}
            for ref, person in people.items():
                if self._channel_plan_reachable(person, code):
                    requests[code].append({"ref": ref, "partner_id": person["pid"]})
                else:
                    unreachable[code][ref] = (
                        "blacklist"
                        if blacklist and person[blacklist]
                        else "unreachable"
                    )
        held = engine._pressure_held_per_channel(
            requests,
            {code: dict(message, postpone_quiet=code == "email") for code in codes},
            now=now,
        )
        # in channel order, as the plan lists them
        options, refused = defaultdict(list), defaultdict(list)
        for code in codes:
            held_here, unreachable_here = held.get(code, {}), unreachable[code]
            for ref in people:
                if ref in unreachable_here:
                    refused[ref].append((code, unreachable_here[ref], {}))
                elif ref in held_here:
                    decision = held_here[ref]
                    refused[ref].append(
                        (code, decision.get("reason_code"), decision["reason_args"])
                    )
                else:
                    options[ref].append(code)
        return options, refused

    @api.model
    def _channel_plan_reachable(self, person, code):
        if code == "email":
            return person["has_email"] and not person["email_blacklisted"]
        if code == "sms":
            return person["has_mobile"] and not person["sms_blacklisted"]
        return person["has_phone"] if code == "phone" else person["has_address"]

    def _channel_plan_terms(self, codes):
        """``{code: ChannelTerms}``: the channels' costs in the campaign's
        currency (the mailing's own cost on its own channel, the company's
        costs on the others), their capacity left today."""
        campaign_model = self.env["utm.campaign"]
        campaign = self.campaign_id.sudo() or campaign_model.new(
            {"company_id": self.env.company.id}
        )
        pricer = campaign_model._budget_pricer(self)
        Cost = self.env["campaign.pressure.channel.cost"]
        terms = {}
        for code in codes:
            line = Cost._for(self.env.company, code)
            limited = line.capacity_limited and line.daily_capacity > 0
            terms[code] = channel_plan.ChannelTerms(
                code,
                pricer(campaign, self, code, None),
                capacity=line.daily_capacity if limited else None,
                used_today=(
                    line._used_today().get((line.company_id.id, code), 0)
                    if limited
                    else 0
                ),
                spread=code == "phone",
            )
        return terms

    def _channel_plan_policy(self):
        campaign = self.campaign_id.sudo()
        budget = None
        if campaign.budget_planned:
            figures = campaign._budget_figures(
                exclude_mailing=self._budget_send_excluded(), queued=False
            )[campaign.id]
            budget = max(
                0.0, campaign.budget_planned - figures.spent - figures.reserved
            )
        return channel_plan.Policy(
            kind=campaign.channel_policy or "preferred",
            threshold=campaign.channel_rate_threshold,
            budget=budget,
            days=PLAN_DAYS,
        )

    def _channel_plan_rates(self, codes):
        """Observed response rates (:class:`..engine.channel_plan.Rates`):
        people who answered positively over people contacted (confirmed,
        marketing) per channel and segment, over the last 12 months of the
        company, in one grouped query."""
        since = fields.Datetime.now() - timedelta(days=365)
        self.env["campaign.pressure.contact"].flush_model()
        self.env["campaign.response"].flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                WITH sent AS (
                    SELECT c.channel, %(segment)s AS segment,
                           count(DISTINCT (c.partner_id, c.campaign_id)) AS n
                      FROM campaign_pressure_contact c
                      JOIN res_partner p ON p.id = c.partner_id
                     WHERE c.state = 'confirmed' AND c.is_transactional IS NOT TRUE
                       AND c.campaign_id IS NOT NULL AND c.contact_date >= %(since)s
                       AND c.company_id = %(company)s AND c.channel = ANY(%(codes)s)
                     GROUP BY 1, 2
                ), answered AS (
                    SELECT r.channel, %(segment)s AS segment,
                           count(DISTINCT (r.partner_id, r.campaign_id)) AS n
                      FROM campaign_response r
                      JOIN res_partner p ON p.id = r.partner_id
                     WHERE r.polarity = 'positive' AND r.date >= %(since)s
                       AND r.company_id = %(company)s AND r.channel = ANY(%(codes)s)
                     GROUP BY 1, 2
                )
                SELECT s.channel, s.segment, s.n, COALESCE(a.n, 0)
                  FROM sent s
                  LEFT JOIN answered a
                         ON a.channel = s.channel
                        AND a.segment IS NOT DISTINCT FROM s.segment
                """,
                segment=self._channel_plan_segment_sql(SQL("p")),
                since=since,
                company=self.env.company.id,
                codes=list(codes),
            )
        )
        rates, totals = {}, defaultdict(lambda: [0, 0])
        for channel, segment, contacted, answered in rows:
            totals[channel][0] += contacted
            totals[channel][1] += answered
            if segment is not None and contacted >= MIN_OBSERVATIONS:
                rates[channel, segment] = min(1.0, answered / contacted)
        for channel, (contacted, answered) in totals.items():
            rates[channel, None] = min(1.0, answered / contacted) if contacted else 0.0
        return channel_plan.Rates(rates)
