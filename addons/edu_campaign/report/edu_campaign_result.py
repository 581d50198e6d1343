from odoo import api, fields, models, tools
from odoo.addons.campaign_pressure.models.campaign_pressure_contact_cost import (
    converted_sql,
)
from odoo.tools import SQL

# enrolment states that count as enrolled (the person started studying)
ENROLLED_STATES = ("enrolled", "on_leave", "graduated")
EDU_USER = "edu_crm.group_edu_user"
EDU_MANAGER = "edu_crm.group_edu_manager"
# measures summed by the pivot; the ratios are computed per group
SUMS = (
    "contacted",
    "held_count",
    "control_count",
    "cost",
    "positive_count",
    "negative_count",
    "application_count",
    "enrolment_count",
    "first_paid_count",
    "invoiced",
    "received",
    "audience_targeted",
    "audience_control",
    "converted_targeted",
    "converted_control",
)
# each fact branch numbers its rows from the row it reads: the row's id times
# FACT_BRANCHES plus the branch, the same id at every read (a pivot's cell
# opened as a list, then one of its rows)
FACT_BRANCHES = 8
CONTACT, HOLD, RESPONSE, ADMISSION, TARGETED, CONTROL = range(6)


class EduCampaignResult(models.Model):
    """Results of campaigns by segment, region, programme, intake, source
    and channel (issue 15, item 5): one SQL view of fact rows, each from its
    own table and attributed to a campaign through UTM:

    - contacts of the pressure log (reserved or sent, marketing only), at
      the price stored on each when it was logged, converted into the
      company's currency at the rate of its day as a campaign's budget
      converts it (campaign_pressure ``converted_sql``): a later change of
      a cost or a rate re-prices neither;
    - messages held back (traces the pressure engine held) and those held
      for the campaign's control group;
    - responses (positive, negative);
    - applications (admission leads for an intake), enrolments of those
      applications, their tuition invoiced and received, and whether the
      first instalment is paid;
    - the audience for the lift: each person contacted (targeted) or held
      in the control group once per campaign, and whether they applied
      after it (any application, with or without the campaign's UTM).

    Cost per enrolment, ROI and lift are ratios of the group's sums
    (:meth:`read_group`), not sums of ratios. A fact's id is that of the row
    it reads and of its branch (:meth:`_results_row`), the same at every
    read; an audience row is numbered by the first contact or trace of the
    person in the campaign."""

    _name = "edu.campaign.result"
    _description = "Campaign Results"
    _auto = False
    _order = "date desc"
    # what the view reads: flushed before it is searched
    _depends = {
        "campaign.pressure.contact": [
            "campaign_id",
            "channel",
            "company_id",
            "contact_date",
            "is_transactional",
            "mailing_id",
            "partner_id",
            "state",
            "unit_cost",
            "cost_currency_id",
        ],
        "mailing.mailing": ["campaign_id"],
        "res.company": ["currency_id", "parent_path"],
        "res.currency.rate": ["company_id", "currency_id", "name", "rate"],
        "mailing.trace": [
            "create_date",
            "mass_mailing_id",
            "model",
            "pressure_reason",
            "res_id",
            "trace_type",
        ],
        "utm.campaign": ["company_id"],
        "campaign.response": ["campaign_id", "channel", "company_id", "date"]
        + ["partner_id", "polarity"],
        "crm.lead": ["campaign_id", "company_id", "create_date", "edu_intake_id"]
        + ["edu_programme_id", "partner_id", "source_id"],
        "edu.enrollment": ["lead_id", "state"],
        "edu.tuition.contract": ["enrollment_id"],
        "edu.tuition.instalment": ["contract_id", "sequence"],
        "account.move": [
            "amount_residual_signed",
            "amount_total_signed",
            "edu_instalment_id",
            "move_type",
            "payment_state",
            "state",
        ],
        "res.partner": [
            "country_id",
            "edu_engagement_segment",
            "edu_payment_segment",
            "state_id",
        ],
    }

    campaign_id = fields.Many2one("utm.campaign", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    # the person, and what they enrolled in and paid, are Education data:
    # a marketing user reads the campaign totals, never a student's tuition
    partner_id = fields.Many2one(
        "res.partner", string="Person", readonly=True, groups=EDU_USER
    )
    country_id = fields.Many2one("res.country", readonly=True)
    state_id = fields.Many2one("res.country.state", string="Region", readonly=True)
    payment_segment = fields.Selection(
        lambda self: self.env["res.partner"]
        ._fields["edu_payment_segment"]
        ._description_selection(self.env),
        readonly=True,
    )
    engagement_segment = fields.Selection(
        lambda self: self.env["res.partner"]
        ._fields["edu_engagement_segment"]
        ._description_selection(self.env),
        readonly=True,
    )
    programme_id = fields.Many2one("edu.programme", readonly=True)
    intake_id = fields.Many2one("edu.intake", readonly=True)
    source_id = fields.Many2one("utm.source", readonly=True)
    channel = fields.Selection(
        lambda self: self.env["campaign.pressure.contact"]
        ._fields["channel"]
        ._description_selection(self.env),
        readonly=True,
    )
    date = fields.Datetime(readonly=True)
    contacted = fields.Integer(readonly=True)
    held_count = fields.Integer(string="Held back", readonly=True)
    control_count = fields.Integer(string="Held for the control group", readonly=True)
    cost = fields.Monetary(readonly=True)
    positive_count = fields.Integer(string="Positive responses", readonly=True)
    negative_count = fields.Integer(string="Negative responses", readonly=True)
    application_count = fields.Integer(string="Applications", readonly=True)
    enrolment_count = fields.Integer(
        string="Enrolments", readonly=True, groups=EDU_USER
    )
    first_paid_count = fields.Integer(
        string="First instalment paid", readonly=True, groups=EDU_MANAGER
    )
    invoiced = fields.Monetary(
        string="Tuition invoiced", readonly=True, groups=EDU_MANAGER
    )
    received = fields.Monetary(
        string="Tuition received", readonly=True, groups=EDU_MANAGER
    )
    audience_targeted = fields.Integer(string="People contacted", readonly=True)
    audience_control = fields.Integer(
        string="People in the control group", readonly=True
    )
    converted_targeted = fields.Integer(string="Contacted who applied", readonly=True)
    converted_control = fields.Integer(string="Control who applied", readonly=True)
    # ratios: 0 in the view, computed from the group's sums (read_group)
    cost_per_enrolment = fields.Monetary(
        string="Cost per enrolment",
        readonly=True,
        groups=EDU_USER,
        help="Cost divided by enrolments.",
    )
    roi = fields.Float(
        string="ROI (%)",
        readonly=True,
        groups=EDU_MANAGER,
        help="(Tuition received - cost) / cost.",
    )
    lift = fields.Float(
        string="Lift (points)",
        readonly=True,
        help="Share of the people contacted who applied minus the share of "
        "the control group who applied, in percentage points.",
    )

    @property
    def _table_query(self):
        return self._results_query()

    def _results_query(self):
        return SQL(
            """
            SELECT f.*,
                   p.country_id, p.state_id,
                   p.edu_payment_segment AS payment_segment,
                   p.edu_engagement_segment AS engagement_segment,
                   0.0 AS cost_per_enrolment, 0.0 AS roi, 0.0 AS lift
              FROM (%s) f
              LEFT JOIN res_partner p ON p.id = f.partner_id
            """,
            SQL(" UNION ALL ").join(
                [
                    self._results_contacts(),
                    self._results_holds(),
                    self._results_responses(),
                    self._results_admissions(),
                    self._results_audience(),
                ]
            ),
        )

    @staticmethod
    def _results_row(row_id, branch, **values):
        """The SELECT list of one fact branch: its stable id (the id of the
        row ``row_id`` it reads, and the ``branch``), then every column of
        the union, ``values`` (SQL expressions) for those it gives, 0 / NULL
        else."""
        fact_id = SQL("(%s)::bigint * %s + %s AS id", row_id, FACT_BRANCHES, branch)
        columns = [
            ("campaign_id", "NULL::int"),
            ("company_id", "NULL::int"),
            ("partner_id", "NULL::int"),
            ("programme_id", "NULL::int"),
            ("intake_id", "NULL::int"),
            ("source_id", "NULL::int"),
            ("channel", "NULL::varchar"),
            ("date", "NULL::timestamp"),
        ] + [(name, "0") for name in SUMS]
        return SQL(", ").join(
            [fact_id]
            + [
                SQL("%s AS %s", values.get(name, SQL(default)), SQL.identifier(name))
                for name, default in columns
            ]
        )

    def _results_contacts(self):
        return SQL(
            """
            SELECT %s
              FROM campaign_pressure_contact c
              LEFT JOIN res_company rc ON rc.id = c.company_id
             WHERE c.campaign_id IS NOT NULL AND c.is_transactional IS NOT TRUE
               AND c.state IN ('reserved', 'confirmed')
            """,
            self._results_row(
                SQL("c.id"),
                CONTACT,
                campaign_id=SQL("c.campaign_id"),
                company_id=SQL("c.company_id"),
                partner_id=SQL("c.partner_id"),
                channel=SQL("c.channel"),
                date=SQL("c.contact_date"),
                contacted=SQL("1"),
                cost=converted_sql(
                    SQL("COALESCE(c.unit_cost, 0)"),
                    SQL("c.cost_currency_id"),
                    SQL("rc.currency_id"),
                    SQL("rc.id"),
                    SQL("c.contact_date::date"),
                ),
            ),
        )

    def _results_held_partner(self):
        """SQL of the person of a trace ``t``: the partner mailed, or the
        lead's person."""
        return SQL(
            """CASE WHEN t.model = 'res.partner' THEN t.res_id
                    WHEN t.model = 'crm.lead' THEN (
                        SELECT hl.partner_id FROM crm_lead hl WHERE hl.id = t.res_id)
               END"""
        )

    def _results_holds(self):
        return SQL(
            """
            SELECT %s
              FROM mailing_trace t
              JOIN mailing_mailing m ON m.id = t.mass_mailing_id
              JOIN utm_campaign uc ON uc.id = m.campaign_id
             WHERE t.pressure_reason IS NOT NULL
            """,
            self._results_row(
                SQL("t.id"),
                HOLD,
                campaign_id=SQL("m.campaign_id"),
                company_id=SQL("uc.company_id"),
                partner_id=self._results_held_partner(),
                channel=SQL(
                    "CASE WHEN t.trace_type = 'sms' THEN 'sms' ELSE 'email' END"
                ),
                date=SQL("t.create_date"),
                held_count=SQL(
                    "CASE WHEN t.pressure_reason = 'control_group' THEN 0 ELSE 1 END"
                ),
                control_count=SQL(
                    "CASE WHEN t.pressure_reason = 'control_group' THEN 1 ELSE 0 END"
                ),
            ),
        )

    def _results_responses(self):
        return SQL(
            """
            SELECT %s
              FROM campaign_response r
             WHERE r.campaign_id IS NOT NULL
            """,
            self._results_row(
                SQL("r.id"),
                RESPONSE,
                campaign_id=SQL("r.campaign_id"),
                company_id=SQL("r.company_id"),
                partner_id=SQL("r.partner_id"),
                channel=SQL("r.channel"),
                date=SQL("r.date"),
                positive_count=SQL("(r.polarity = 'positive')::int"),
                negative_count=SQL("(r.polarity = 'negative')::int"),
            ),
        )

    def _results_admissions(self):
        """Applications with the campaign's UTM, their enrolments and the
        tuition of those enrolments (taxes included, company currency)."""
        return SQL(
            """
            SELECT %s
              FROM crm_lead l
              LEFT JOIN LATERAL (
                   SELECT COUNT(*) AS n
                     FROM edu_enrollment e
                    WHERE e.lead_id = l.id AND e.state IN %s) en ON TRUE
              LEFT JOIN LATERAL (
                   SELECT SUM(mv.amount_total_signed) AS invoiced,
                          SUM(mv.amount_total_signed - mv.amount_residual_signed)
                              AS received,
                          COUNT(DISTINCT ct.id) FILTER (
                              WHERE i.sequence = (
                                    SELECT MIN(i1.sequence)
                                      FROM edu_tuition_instalment i1
                                     WHERE i1.contract_id = ct.id)
                                AND mv.payment_state IN ('paid', 'in_payment')
                          ) AS first_paid
                     FROM edu_enrollment e
                     JOIN edu_tuition_contract ct ON ct.enrollment_id = e.id
                     JOIN edu_tuition_instalment i ON i.contract_id = ct.id
                     JOIN account_move mv ON mv.edu_instalment_id = i.id
                    WHERE e.lead_id = l.id AND mv.move_type = 'out_invoice'
                      AND mv.state = 'posted') tu ON TRUE
             WHERE l.campaign_id IS NOT NULL AND l.edu_intake_id IS NOT NULL
            """,
            self._results_row(
                SQL("l.id"),
                ADMISSION,
                campaign_id=SQL("l.campaign_id"),
                company_id=SQL("l.company_id"),
                partner_id=SQL("l.partner_id"),
                programme_id=SQL("l.edu_programme_id"),
                intake_id=SQL("l.edu_intake_id"),
                source_id=SQL("l.source_id"),
                date=SQL("l.create_date"),
                application_count=SQL("1"),
                # int4 as every other count (a COUNT is a bigint, and the
                # pivot's SUM of a bigint a numeric: read as 1.0)
                enrolment_count=SQL("COALESCE(en.n, 0)::int"),
                first_paid_count=SQL("COALESCE(tu.first_paid, 0)::int"),
                invoiced=SQL("COALESCE(tu.invoiced, 0)"),
                received=SQL("COALESCE(tu.received, 0)"),
            ),
            ENROLLED_STATES,
        )

    def _results_audience(self):
        """Each person contacted by a campaign (targeted) or held in its
        control group, once per campaign, and whether they applied (any
        admission lead for an intake) since the campaign first reached or
        held them."""
        return SQL(
            """
            SELECT %s
              FROM (
                   SELECT c.campaign_id, c.partner_id, MIN(c.company_id) AS company_id,
                          MIN(c.contact_date) AS since, false AS control,
                          MIN(c.id) AS row_id
                     FROM campaign_pressure_contact c
                    WHERE c.campaign_id IS NOT NULL AND c.partner_id IS NOT NULL
                      AND c.is_transactional IS NOT TRUE
                      AND c.state IN ('reserved', 'confirmed')
                 GROUP BY c.campaign_id, c.partner_id
                   UNION ALL
                   SELECT m.campaign_id, %s AS partner_id, MIN(uc.company_id),
                          MIN(t.create_date), true, MIN(t.id)
                     FROM mailing_trace t
                     JOIN mailing_mailing m ON m.id = t.mass_mailing_id
                     JOIN utm_campaign uc ON uc.id = m.campaign_id
                    WHERE t.pressure_reason = 'control_group'
                 GROUP BY m.campaign_id, 2
              ) a
             WHERE a.partner_id IS NOT NULL
            """,
            self._results_row(
                SQL("a.row_id"),
                SQL("CASE WHEN a.control THEN %s ELSE %s END", CONTROL, TARGETED),
                campaign_id=SQL("a.campaign_id"),
                company_id=SQL("a.company_id"),
                partner_id=SQL("a.partner_id"),
                date=SQL("a.since"),
                audience_targeted=SQL("(NOT a.control)::int"),
                audience_control=SQL("a.control::int"),
                converted_targeted=SQL(
                    "(NOT a.control AND %s)::int", self._results_applied_since()
                ),
                converted_control=SQL(
                    "(a.control AND %s)::int", self._results_applied_since()
                ),
            ),
            self._results_held_partner(),
        )

    def _results_applied_since(self):
        return SQL(
            """EXISTS (SELECT 1 FROM crm_lead al
                        WHERE al.partner_id = a.partner_id
                          AND al.edu_intake_id IS NOT NULL
                          AND al.create_date >= a.since)"""
        )

    # ------------------------------------------------------------------
    # Ratios of the group's sums
    # ------------------------------------------------------------------

    @api.model
    def read_group(
        self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True
    ):
        """The pivot's groups, with cost per enrolment, ROI and lift
        computed from each group's sums."""
        ratios = {"cost_per_enrolment", "roi", "lift"}
        names = {spec.split(":")[0] for spec in fields}
        wanted = ratios & names
        if wanted:
            # only the sums the caller may read (a ratio the caller may not
            # read is refused by super(), like any other field)
            sums = [
                name
                for name in SUMS
                if name not in names and self._fields[name].is_accessible(self.env)
            ]
            fields = [*fields, *(f"{name}:sum" for name in sums)]
        groups = super().read_group(
            domain, fields, groupby, offset, limit, orderby, lazy
        )
        for group in groups if wanted else ():
            ratios = self._results_ratios(group)
            group.update({name: ratios[name] for name in wanted})
        return groups

    @api.model
    def _results_ratios(self, sums):
        """Cost per enrolment, ROI (%) and lift (points) of a group's
        ``sums`` (0 where the divisor is 0). The cost as the pivot shows it
        (rounded to the company's currency): a cost that reads 0.00 gives no
        ROI, not millions of percent."""
        cost = self.env.company.currency_id.round(sums.get("cost") or 0.0)
        enrolments = sums.get("enrolment_count") or 0
        targeted = sums.get("audience_targeted") or 0
        control = sums.get("audience_control") or 0
        lift = 0.0
        if targeted and control:
            lift = 100.0 * (
                (sums.get("converted_targeted") or 0) / targeted
                - (sums.get("converted_control") or 0) / control
            )
        return {
            "cost_per_enrolment": cost / enrolments if enrolments else 0.0,
            "roi": 100.0 * ((sums.get("received") or 0.0) - cost) / cost
            if cost
            else 0.0,
            "lift": tools.float_round(lift, 2),
        }
