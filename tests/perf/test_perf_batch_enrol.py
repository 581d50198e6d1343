"""Batch enrolment of won admissions leads (edu_crm).

Enrols 10, 100 and 1,000 won leads in one call each and prints the queries
and the time, per batch and per lead; the baseline is the same enrolment done
lead by lead (the Enrol button pressed 100 times), measured in the same run.
The numbers are printed twice: for the whole system (with the tuition
hand-over that proposes a draft contract per enrolment) and for the records
part alone (the hand-over hook reduced to edu_crm's own no-op).

Targets (issue 3): queries per lead do not grow with the batch size, and the
batch of 1,000 takes under 10 s.
"""

from unittest.mock import patch

from benchlib import report, timer

SIZES = (10, 100, 1000)


def _setup(env):
    from odoo import fields
    from odoo.tests import new_test_user

    env = env(context=dict(env.context, tracking_disable=False))
    officer = new_test_user(env, login="perf_officer", groups="edu_crm.group_edu_user")
    programme = env["edu.programme"].create(
        {"code": "PERF", "name": "Perf Programme", "capacity": 10000}
    )
    intake = env["edu.intake"].create(
        {
            "programme_id": programme.id,
            "name": "Perf Intake",
            "date_start": fields.Date.to_date("2026-09-01"),
            "date_end": fields.Date.to_date("2029-06-30"),
            "seats": 10000,
            "state": "open",
        }
    )
    return env, officer, programme, intake


def _won_leads(env, programme, intake, count, tag):
    team = env.ref("edu_crm.crm_team_admissions")
    won = env.ref("edu_crm.crm_stage_accepted")
    leads = env["crm.lead"].create(
        [
            {
                "name": f"Perf {tag} {i}",
                "contact_name": f"Perf Applicant {tag} {i}",
                "email_from": f"perf.{tag}.{i}@example.com",
                "phone": f"+32 470 {tag:03d} {i:04d}",
                "type": "opportunity",
                "team_id": team.id,
                "stage_id": won.id,
                "edu_programme_id": programme.id,
                "edu_intake_id": intake.id,
            }
            for i in range(count)
        ]
    )
    env.flush_all()
    return leads


def _measure(env, leads, officer, one_by_one=False):
    """Queries of the enrolment itself (ORM, up to the final flush), queries
    at commit time (mail tracking of the chatter, per record by Odoo's
    design) and the wall time of both."""
    cr = env.cr
    leads = leads.with_user(officer)
    env.flush_all()
    cr.flush()
    env.invalidate_all()
    start = cr.sql_log_count
    with timer() as t:
        if one_by_one:
            for lead in leads:
                lead.action_edu_enrol()
        else:
            enrollments = leads._edu_enrol()
            assert len(enrollments) == len(leads)
        env.flush_all()
        orm = cr.sql_log_count - start
        cr.flush()  # precommit hooks: chatter tracking
    return orm, cr.sql_log_count - start, t.seconds


def _run(env, programme, intake, officer, tag0):
    rows, orm, total, times = [], {}, {}, {}
    # warm-up batch: caches, first sequence use
    _measure(env, _won_leads(env, programme, intake, 5, tag0), officer)
    for k, size in enumerate(SIZES):
        leads = _won_leads(env, programme, intake, size, tag0 + k + 1)
        orm[size], total[size], times[size] = _measure(env, leads, officer)
        rows.append(
            (
                f"batch of {size:>5}",
                f"{total[size]:6d} queries ({total[size] / size:5.2f}/lead) = "
                f"{orm[size]:5d} enrolment + "
                f"{total[size] - orm[size]:5d} chatter at commit, "
                f"{times[size]:6.2f} s",
            )
        )
    naive = _won_leads(env, programme, intake, 100, tag0 + 9)
    n_orm, n_total, n_seconds = _measure(env, naive, officer, one_by_one=True)
    rows.append(
        (
            "baseline: 100 one by one",
            f"{n_total:6d} queries ({n_total / 100:5.2f}/lead) = "
            f"{n_orm:5d} enrolment + {n_total - n_orm:5d} chatter at commit, "
            f"{n_seconds:6.2f} s",
        )
    )
    rows.append(
        (
            "ratio at 100 leads",
            f"{n_total / total[100]:.1f}x fewer queries, "
            f"{n_seconds / times[100]:.1f}x faster than one by one",
        )
    )
    return rows, orm, total, times, n_total


def test_batch_enrol_scales(env):
    env, officer, programme, intake = _setup(env)
    Enrollment = type(env["edu.enrollment"])

    # 1. records part only (hook = edu_crm's no-op)
    with patch.object(Enrollment, "_edu_handover_tuition", lambda records: None):
        core_rows, core_orm, core, _times, core_naive = _run(
            env, programme, intake, officer, 10
        )
    report("batch enrol, records part (persons, numbers, enrolments)", core_rows)
    # 2. whole system: the tuition hand-over of the installed addons included
    full_rows, _orm, full, full_times, full_naive = _run(
        env, programme, intake, officer, 30
    )
    report("batch enrol, whole system (with tuition hand-over)", full_rows)

    # queries per lead never grow with the batch size
    for totals in (core, full):
        assert totals[1000] / 1000 <= totals[100] / 100 <= totals[10] / 10, totals
    # the enrolment itself runs a constant number of queries: 100 leads cost
    # what 10 leads cost (only Odoo's chatter tracking at commit is per
    # record); at 1,000 a few dozen more queries were measured (about 0.1 per
    # lead, far below one per lead), bounded here
    assert core_orm[100] == core_orm[10], core_orm
    assert core_orm[1000] < core_orm[10] * 3, core_orm
    # batching beats pressing the button lead by lead (baseline: 100 leads)
    assert core[100] < core_naive
    assert full[100] < full_naive
    # time target of the issue, with everything installed
    assert full_times[1000] < 10, f"1,000 leads took {full_times[1000]:.1f} s"
