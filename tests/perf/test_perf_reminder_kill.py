"""The reminder job SIGKILLed at 100 random moments (issue 18, item 3).

Same driver and check as tests/test_reminder_kill.py (20 runs there), 100
runs here (EDU_KILL_BENCH_RUNS). Baseline: the uninterrupted job on the same
copy of the template. Prints the runs killed mid-job and the cost of a killed
run plus its rerun against the uninterrupted job.
"""

import os

from benchlib import report
from test_reminder_kill import check_runs, kill_runs

RUNS = int(os.environ.get("EDU_KILL_BENCH_RUNS", "100"))


def test_reminder_job_killed_100_times(tmp_path):
    result = kill_runs(RUNS, tmp_path)
    problems = check_runs(result)
    killed = sum(run["killed"] for run in result["runs"])
    per_run = (result["seconds"] - result["duration"]) / max(RUNS, 1)
    report(
        f"reminder job killed at {RUNS} random moments (seed {result['seed']})",
        [
            ("reminders per run", len(result["reference"])),
            ("runs killed mid-job", killed),
            (
                "uninterrupted job (s), fastest of",
                f"{result['duration']:.2f} of {result['reference_durations']}",
            ),
            ("copy + killed job + rerun (s)", round(per_run, 2)),
            ("problems", len(problems)),
        ],
    )
    assert not problems, "\n".join(problems)
    assert killed >= RUNS // 2
