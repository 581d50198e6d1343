from odoo import api, models
from odoo.osv import expression
from odoo.tools import SQL

from .edu_campaign_result import SUMS

# the context key of a read of the summary (set by _read_group)
SUMMARY = "edu_result_summary"
# the context key that keeps the groups on the live facts (benchmarks, tests)
LIVE = "edu_result_live"
# the ids of the summary's rows start here: the live facts are numbered
# from 1 and the ORM caches field values by id, whatever the context
SUMMARY_IDS = 1 << 40
# the summary's dimensions: every column of the report but the person and
# the date (the ratios are computed per group, see read_group)
DIMENSIONS = (
    "campaign_id",
    "company_id",
    "country_id",
    "state_id",
    "payment_segment",
    "engagement_segment",
    "programme_id",
    "intake_id",
    "source_id",
    "channel",
)


class EduCampaignResultSummary(models.Model):
    """The results report precomputed (issue 15, Speed): the fact rows
    summed by every dimension of the report but the person and the date, in
    a materialized view refreshed by an hourly job and when the report is
    opened from the menu on a summary older than an hour (the title says as
    of when). A million responses over a year sum to a few hundred rows.

    Only the groups of the pivot and the graph read the summary, and only
    when it answers them exactly (:meth:`_results_summarizes`): a domain and
    groupings on its dimensions, sums of its measures, the count (the
    number of facts a row sums). Everything else reads the live facts,
    always exact: a filter or a grouping on the person, the date or a
    measure, other aggregates, and every read of rows (search, read,
    search_count, export), so that ids and counts are those of the facts.

    The refresh, its stamp and the menu's "as of" are
    :class:`edu.refreshed.report`'s; the refresh is concurrent (readers
    keep reading the previous summary until it commits)."""

    _name = "edu.campaign.result"
    _inherit = ["edu.campaign.result", "edu.refreshed.report"]
    _edu_refresh_lock = "edu_campaign.result.refresh"
    _edu_refresh_views = ("edu_campaign_result_summary", "edu_campaign_result_stamp")
    _edu_refresh_concurrently = True

    @property
    def _table_query(self):
        if self.env.context.get(SUMMARY):
            return SQL("SELECT * FROM edu_campaign_result_summary")
        return self._results_query()

    def _summary_query(self):
        # counts stay integers: int4, as in the facts (the pivot's SUM of a
        # bigint column is a numeric, read as 64.0)
        sums = SQL(", ").join(
            SQL(
                "SUM(r.%s)%s AS %s",
                SQL.identifier(name),
                SQL("::int" if self._fields[name].type == "integer" else ""),
                SQL.identifier(name),
            )
            for name in SUMS
        )
        dimensions = SQL(", ").join(
            SQL("r.%s", SQL.identifier(name)) for name in DIMENSIONS
        )
        return SQL(
            """
            SELECT %(offset)s + row_number() OVER () AS id, %(dimensions)s,
                   NULL::int AS partner_id, MAX(r.date) AS date, %(sums)s,
                   COUNT(*)::int AS fact_count,
                   0.0 AS cost_per_enrolment, 0.0 AS roi, 0.0 AS lift
              FROM (%(facts)s) r
          GROUP BY %(dimensions)s
            """,
            dimensions=dimensions,
            sums=sums,
            facts=self._results_query(),
            offset=SUMMARY_IDS,
        )

    def init(self):
        cr = self.env.cr
        cr.execute("DROP MATERIALIZED VIEW IF EXISTS edu_campaign_result_summary")
        cr.execute("DROP MATERIALIZED VIEW IF EXISTS edu_campaign_result_stamp")
        cr.execute(
            SQL(
                "CREATE MATERIALIZED VIEW edu_campaign_result_summary AS (%s)",
                self._summary_query(),
            )
        )
        cr.execute(
            """
            CREATE MATERIALIZED VIEW edu_campaign_result_stamp AS
            SELECT 1 AS id, statement_timestamp() AT TIME ZONE 'UTC' AS refreshed_at
            """
        )
        # what a concurrent refresh needs: a unique index of each view
        cr.execute(
            "CREATE UNIQUE INDEX edu_campaign_result_summary_id"
            " ON edu_campaign_result_summary (id)"
        )
        cr.execute(
            "CREATE UNIQUE INDEX edu_campaign_result_stamp_id"
            " ON edu_campaign_result_stamp (id)"
        )

    @api.model
    def action_open_results(self):
        """Open the report (the menu's server action), its summary refreshed
        first when older than an hour. Whoever may read the report: the
        refresh sums what every reader of the report reads anyway, at most
        once an hour and once at a time."""
        self.browse().check_access("read")
        return self._edu_open_refreshed(
            "edu_campaign.edu_campaign_result_action",
            lambda when: self.env._("Campaign results (as of %(when)s)", when=when),
        )

    # ------------------------------------------------------------------
    # Summary or live facts
    # ------------------------------------------------------------------

    @api.model
    def _results_summarizes(self, domain, groupby, aggregates, having):
        """Whether the summary answers these groups exactly: the domain and
        the groupings on its dimensions only (any path from them), no
        ``having``, and aggregates that add up the same over its rows as
        over the facts (sums of the measures, the count, distinct counts,
        minimum and maximum of a dimension)."""
        dimensions = {*DIMENSIONS, "currency_id"}
        measures = {*SUMS, "cost_per_enrolment", "roi", "lift"}
        if having:
            return False
        for leaf in expression.normalize_domain(list(domain or [])):
            if tuple(leaf) in (expression.TRUE_LEAF, expression.FALSE_LEAF):
                continue  # what [] normalizes to
            if isinstance(leaf, list | tuple) and (
                not isinstance(leaf[0], str) or leaf[0].split(".")[0] not in dimensions
            ):
                return False
        for spec in groupby:
            if ":" in spec or spec.split(".")[0] not in dimensions:
                return False
        for spec in aggregates:
            if spec == "__count":
                continue
            name, _sep, func = spec.partition(":")
            if not (
                (name in measures and func == "sum")
                or (name in dimensions and func in ("count_distinct", "min", "max"))
            ):
                return False
        return True

    @api.model
    def _read_group(
        self,
        domain,
        groupby=(),
        aggregates=(),
        having=(),
        offset=0,
        limit=None,
        order=None,
    ):
        summarize = not self.env.context.get(LIVE) and self._results_summarizes(
            domain, groupby, aggregates, having
        )
        source = self.with_context(**{SUMMARY: summarize})
        return super(EduCampaignResultSummary, source)._read_group(
            domain, groupby, aggregates, having, offset, limit, order
        )

    def _read_group_select(self, aggregate_spec, query):
        if aggregate_spec == "__count" and self.env.context.get(SUMMARY):
            return SQL(
                "COALESCE(SUM(%s), 0)", SQL.identifier(self._table, "fact_count")
            )
        return super()._read_group_select(aggregate_spec, query)
