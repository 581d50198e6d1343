"""The campaign results report at scale (issue 15, Speed): under 200 ms on
1,000,000 responses.

Run: python3 scripts/devtool.py perf tests/perf/test_perf_campaign_result.py
(``EDU_RESULT_RESPONSES``, 1,000,000 by default, over ``EDU_RESULT_PERSONS``
persons, 100,000, and ``EDU_RESULT_CAMPAIGNS`` campaigns, 20; ``PERF_DB`` a
database of your own).

Seeded in SQL (generate_series), rolled back at the end: the persons (each
with a payment and an engagement segment), the campaigns and the responses
spread over them, the four channels, both polarities and a year (the
segments vary independently of the channel: every campaign reaches every
segment on every channel). Measured in
the same run, each the best of a few:

- the baseline: a plain count GROUP BY over the responses table (campaign,
  channel);
- the report read as the pivot reads it: ``read_group`` of its measures
  (ratios included) by campaign and channel, then by payment segment, from
  the summary the hourly job (or the menu on a summary older than an hour)
  refreshes; the refresh is timed once and printed, not part of the read;
- the same read by campaign and channel from the live facts (what a filter
  on the person or the date reads), once.

Target: each report read under 200 ms (asserted), printed beside the
baseline with the load average.
"""

import os

from benchlib import report, timer
from odoo.tools import SQL

RESPONSES = int(os.environ.get("EDU_RESULT_RESPONSES", "1000000"))
PERSONS = int(os.environ.get("EDU_RESULT_PERSONS", "100000"))
CAMPAIGNS = int(os.environ.get("EDU_RESULT_CAMPAIGNS", "20"))
RUNS = 3
TARGET = 0.200
# the pivot's measures (edu_campaign_result_view_pivot)
MEASURES = [
    "contacted:sum",
    "held_count:sum",
    "cost:sum",
    "positive_count:sum",
    "negative_count:sum",
    "application_count:sum",
    "enrolment_count:sum",
    "received:sum",
    "cost_per_enrolment",
    "roi",
    "lift",
]


def _seed(env):
    cr = env.cr
    campaigns = env["utm.campaign"].create(
        [{"name": f"Perf results {k}"} for k in range(CAMPAIGNS)]
    )
    cr.execute(
        SQL(
            """INSERT INTO res_partner (name, email, active, type, lang,
                      create_date, write_date, autopost_bills,
                      edu_payment_segment, edu_engagement_segment)
               SELECT 'Perf result ' || g, 'result' || g || '@perf.test', true,
                      'contact', 'en_US', now(), now(), 'ask',
                      (ARRAY['on_time', 'late', 'at_risk', 'defaulted'])
                          [1 + mod(g / 3, 4)],
                      (ARRAY['engaged', 'unengaged'])[1 + mod(g / 7, 2)]
                 FROM generate_series(1, %s) g
            RETURNING id""",
            PERSONS,
        )
    )
    ids = [row[0] for row in cr.fetchall()]
    cr.execute(
        SQL(
            """INSERT INTO campaign_response (partner_id, campaign_id, channel,
                      date, polarity, source, company_id, create_date, write_date)
               SELECT (%(ids)s::int[])[1 + mod(g, %(persons)s)],
                      (%(campaigns)s::int[])[1 + mod(g / 7, %(n_campaigns)s)],
                      (ARRAY['email', 'sms', 'phone', 'letter'])[1 + mod(g, 4)],
                      now() at time zone 'utc' - mod(g, 365) * interval '1 day',
                      CASE WHEN mod(g, 3) = 0 THEN 'negative' ELSE 'positive' END,
                      'manual', %(company)s, now(), now()
                 FROM generate_series(0, %(rows)s - 1) g""",
            ids=ids,
            persons=PERSONS,
            campaigns=campaigns.ids,
            n_campaigns=CAMPAIGNS,
            company=env.company.id,
            rows=RESPONSES,
        )
    )
    cr.execute(SQL("ANALYZE res_partner; ANALYZE campaign_response"))
    return campaigns


def _baseline(env):
    env.cr.execute(
        SQL(
            """SELECT campaign_id, channel, count(*) FROM campaign_response
                GROUP BY campaign_id, channel"""
        )
    )
    return env.cr.fetchall()


def _read(env, groupby, live=False):
    Result = env["edu.campaign.result"].with_context(edu_result_live=live)
    env.invalidate_all()
    return Result.read_group([], MEASURES, groupby, lazy=False)


def _figures(groups):
    return sorted(
        (str(g["campaign_id"]), g["channel"], g["positive_count"], g["negative_count"])
        for g in groups
    )


def _best(function, *args):
    times, result = [], None
    for _i in range(RUNS):
        with timer() as run:
            result = function(*args)
        times.append(run.seconds)
    return min(times), times, result


def _load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def test_perf_campaign_result(env):
    with timer() as seed:
        campaigns = _seed(env)
    with timer() as refresh:
        env["edu.campaign.result"]._edu_refresh()
    env.cr.execute("SELECT count(*) FROM edu_campaign_result_summary")
    (summary_rows,) = env.cr.fetchone()
    load_before = _load()
    base, base_times, base_rows = _best(_baseline, env)
    by_channel, channel_times, channel_groups = _best(
        _read, env, ["campaign_id", "channel"]
    )
    by_segment, segment_times, segment_groups = _best(_read, env, ["payment_segment"])
    with timer() as live:
        live_groups = _read(env, ["campaign_id", "channel"], live=True)
    responses = sum(
        g["positive_count"] + g["negative_count"]
        for g in channel_groups
        if g["campaign_id"] and g["campaign_id"][0] in campaigns.ids
    )

    def runs(times):
        return "runs: " + ", ".join(f"{t * 1000:.0f}" for t in times)

    report(
        f"Campaign results, {RESPONSES:,} responses of {PERSONS:,} persons"
        f" in {CAMPAIGNS} campaigns",
        [
            ("seeding (not measured)", f"{seed.seconds:.1f} s"),
            (
                "summary refresh (hourly job, not part of a read)",
                f"{refresh.seconds:.1f} s, {summary_rows:,} rows",
            ),
            ("load average before / after", f"{load_before} / {_load()}"),
            (
                "baseline: count GROUP BY campaign, channel",
                f"{base * 1000:.0f} ms ({runs(base_times)}; {len(base_rows)} groups)",
            ),
            (
                "report by campaign and channel (pivot)",
                f"{by_channel * 1000:.0f} ms ({runs(channel_times)};"
                f" {len(channel_groups)} groups), {by_channel / base:.2f}x",
            ),
            (
                "report by payment segment (pivot)",
                f"{by_segment * 1000:.0f} ms ({runs(segment_times)};"
                f" {len(segment_groups)} groups), {by_segment / base:.2f}x",
            ),
            (
                "live facts by campaign and channel (person or date filter)",
                f"{live.seconds * 1000:.0f} ms, {live.seconds / base:.1f}x",
            ),
            ("target", f"each report read < {TARGET * 1000:.0f} ms"),
        ],
    )
    assert responses == RESPONSES, "every response is in the report"
    assert _figures(channel_groups) == _figures(live_groups), "summary = live"
    assert len(segment_groups) >= 4
    assert by_channel < TARGET
    assert by_segment < TARGET
