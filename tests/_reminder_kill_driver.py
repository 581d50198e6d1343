"""The kill test's driver, run as its own process by test_reminder_kill.py
(and the benchmark in tests/perf):

    python _reminder_kill_driver.py RUNS SEED TEMPLATE DB -- <odoo options>

It loads Odoo's registry once, then for each run: copies ``TEMPLATE`` to
``DB``, forks a child process that runs the reminder job as ir.cron does
(``method_direct_trigger``: progress committed per batch) and SIGKILLs it
at a random moment of the job's duration, then runs the job to its end in a
new child, and records what the job left: per (instalment, stage) its log
state, the emails and SMS queued and the activities planned. The first run
is not killed: its outcome is the reference (three such runs, which must
agree; the kill moments are drawn over the fastest). One JSON line on stdout:
``{"reference": [...], "runs": [{"killed_after": s, "rc": .., "outcome":
[...]}], "seconds": ...}``.
"""

import json
import os
import random
import signal
import sys
import time

import odoo
from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tools import config

CRON = "edu_crm.ir_cron_tuition_reminders"
REFERENCE_RUNS = 3
OUTCOME = """
SELECT l.instalment_id, l.stage_id, l.state,
       (SELECT count(*) FROM mail_mail m
          JOIN mail_message msg ON msg.id = m.mail_message_id
          JOIN account_move a ON msg.model = 'account.move' AND msg.res_id = a.id
         WHERE a.edu_instalment_id = l.instalment_id
           AND m.create_date >= %(since)s),
       (SELECT count(*) FROM edu_reminder_log_sms_rel r WHERE r.log_id = l.id),
       (SELECT count(*) FROM mail_activity act
         WHERE act.res_model = 'edu.tuition.contract'
           AND act.res_id = l.contract_id AND act.create_date >= %(since)s),
       l.mail_count, l.sms_count, l.activity_count
  FROM edu_reminder_log l
 WHERE l.create_date >= %(since)s OR l.date_done >= %(since)s
    OR l.state = 'pending'
 ORDER BY l.instalment_id, l.stage_id
"""


def _reset(template, db):
    odoo.sql_db.close_all()
    with odoo.sql_db.db_connect("postgres").cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        cr.execute(f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
    odoo.sql_db.close_all()


def _job(db):
    """The child: the reminder job as ir.cron runs it, then exit."""
    for _attempt in range(50):
        try:
            with Registry(db).cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env.ref(CRON).method_direct_trigger()
            os._exit(0)
        except UserError:  # the killed job's lock is not released yet
            time.sleep(0.1)
    os._exit(3)


def _fork_job(db):
    odoo.sql_db.close_all()
    pid = os.fork()
    if pid == 0:
        _job(db)
    return pid


def _outcome(db, since):
    with Registry(db).cursor() as cr:
        cr.execute(OUTCOME, {"since": since})
        rows = [list(map(str, row)) for row in cr.fetchall()]
    odoo.sql_db.close_all()
    return rows


def _since(db):
    with Registry(db).cursor() as cr:
        cr.execute("SELECT now() AT TIME ZONE 'UTC'")
        since = cr.fetchone()[0]
    odoo.sql_db.close_all()
    return since


def _run(template, db, kill_after=None):
    """One run: ``(killed, rc of the finishing job, outcome, duration)``."""
    _reset(template, db)
    since = _since(db)
    killed = False
    started = time.monotonic()
    if kill_after is not None:
        pid = _fork_job(db)
        time.sleep(kill_after)
        killed = os.waitpid(pid, os.WNOHANG) == (0, 0)  # still running
        if killed:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    pid = _fork_job(db)
    _pid, status = os.waitpid(pid, 0)
    duration = time.monotonic() - started
    return killed, os.waitstatus_to_exitcode(status), _outcome(db, since), duration


def main():
    runs, seed, template, db = sys.argv[1:5]
    config.parse_config([*sys.argv[6:], "-d", db])
    rng = random.Random(int(seed))
    started = time.monotonic()
    # the uninterrupted job, REFERENCE_RUNS times: the kill moments are drawn
    # over the fastest of them, so that a reference slowed by a busy machine
    # does not put most kills after the job's end; each must leave the same
    references = [_run(template, db) for _idx in range(REFERENCE_RUNS)]
    _killed, rc, reference, _seconds = references[0]
    duration = min(ref[3] for ref in references)
    result = {"reference": reference, "reference_rc": rc, "duration": duration}
    result["reference_durations"] = [round(ref[3], 3) for ref in references]
    result["references_agree"] = all(
        ref[1] == 0 and ref[2] == reference for ref in references
    )
    result["runs"] = []
    for _idx in range(int(runs)):
        after = rng.uniform(0.0, duration)
        killed, rc, outcome, _seconds = _run(template, db, kill_after=after)
        result["runs"].append(
            {
                "killed_after": round(after, 3),
                "killed": killed,
                "rc": rc,
                "outcome": outcome,
            }
        )
    odoo.sql_db.close_all()
    result["seconds"] = time.monotonic() - started
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
