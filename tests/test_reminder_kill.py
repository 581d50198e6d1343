"""The reminder job killed at random moments (issue 18, item 3).

The driver (``_reminder_kill_driver.py``, its own process) copies the
two-node template (demo data: reminders due, committed two logs at a time)
for every run, forks the job as ir.cron runs it, SIGKILLs it at a random
moment of its duration, then runs it to its end. Every run must leave
exactly what an uninterrupted run leaves: each reminder logged once, done,
its emails, SMS and activities queued once, none missing.
"""

import json
import os
import random
import subprocess
import sys
import time

from _devtool import ROOT, common, odoo_src
from _nodes import nodes_cluster, template_db

RUNS = int(os.environ.get("EDU_KILL_RUNS", "20"))
DRIVER = ROOT / "tests" / "_reminder_kill_driver.py"


def kill_runs(runs, tmp_path, seed=None):
    """Run the driver: its JSON result, with the seed used."""
    odoo = odoo_src.resolve_odoo(allow_clone=False)
    tpl = template_db(odoo, tmp_path)
    pg = nodes_cluster()
    db = common.ident(f"edu_kill_{os.getpid()}")
    seed = seed if seed is not None else random.randrange(1 << 30)
    cmd = [sys.executable, str(DRIVER), str(runs), str(seed), tpl, db, "--"]
    cmd += pg.odoo_args() + ["--addons-path", odoo_src.addons_path(odoo)]
    cmd += ["--data-dir", str(tmp_path), "--log-level", "warn"]
    env = odoo_src.odoo_env(odoo)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (odoo.pythonpath, str(ROOT / "tests")) if p
    )
    started = time.monotonic()
    try:
        proc = subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=1800
        )
    finally:
        pg.drop_db(db)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["seed"] = seed
    result["wall"] = time.monotonic() - started
    return result


def check_runs(result):
    """Problems of the runs against the uninterrupted reference run."""
    reference = result["reference"]
    problems = []
    if not result.get("references_agree", True):
        problems.append("the uninterrupted job left different outcomes")
    if result["reference_rc"] != 0:
        problems.append(f"the uninterrupted job exited with {result['reference_rc']}")
    if not reference:
        problems.append("no reminder due in the template: the test proves nothing")
    if any(row[2] == "pending" for row in reference):
        problems.append("the uninterrupted job left pending reminders")
    for idx, run in enumerate(result["runs"]):
        if run["rc"] != 0:
            problems.append(f"run {idx}: the finishing job exited with {run['rc']}")
        if run["outcome"] != reference:
            missing = [r for r in reference if r not in run["outcome"]]
            extra = [r for r in run["outcome"] if r not in reference]
            problems.append(
                f"run {idx} (killed after {run['killed_after']} s, seed"
                f" {result['seed']}): missing {missing}, extra {extra}"
            )
    return problems


def test_killed_reminder_job_sends_each_reminder_exactly_once(tmp_path):
    result = kill_runs(RUNS, tmp_path)
    problems = check_runs(result)
    assert not problems, "\n".join(problems)
    killed = sum(run["killed"] for run in result["runs"])
    print(
        f"\n[kill] {len(result['runs'])} runs, {killed} killed mid-job,"
        f" {len(result['reference'])} reminders each, job {result['duration']:.1f} s,"
        f" total {result['wall']:.0f} s (seed {result['seed']})"
    )
    assert len(result["runs"]) == RUNS
    # most kills must land inside the job, or the test proves little
    assert killed >= RUNS // 2, f"only {killed} of {RUNS} runs killed mid-job"
    # the reference really queues something a duplicate would show in
    assert any(int(row[3]) for row in result["reference"]), "no reminder email"


def test_the_check_sees_a_missing_and_a_doubled_reminder():
    ref = [["1", "2", "done", "1", "0", "0", "1", "0", "0"]]
    doubled = [["1", "2", "done", "2", "0", "0", "1", "0", "0"]]
    result = {"reference": ref, "reference_rc": 0, "seed": 1}
    result["runs"] = [
        {"rc": 0, "outcome": doubled, "killed_after": 0.1},
        {"rc": 0, "outcome": [], "killed_after": 0.2},
        {"rc": 0, "outcome": ref, "killed_after": 0.3},
    ]
    problems = check_runs(result)
    assert len(problems) == 2
    assert "run 0" in problems[0] and "extra" in problems[0]
    assert "run 1" in problems[1] and "missing [['1'" in problems[1]


def test_the_check_sees_references_that_disagree():
    ref = [["1", "2", "done", "1", "0", "0", "1", "0", "0"]]
    result = {"reference": ref, "reference_rc": 0, "seed": 1, "runs": []}
    result["references_agree"] = False
    assert check_runs(result) == ["the uninterrupted job left different outcomes"]
