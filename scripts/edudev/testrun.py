"""`test`: the addons' Odoo tests on a throwaway database, then pytest tests/.

Odoo's log is read for the result line, skipped browser tests and ERROR/WARNING
lines (ours or about our models): each is a failure. The last line reads like
pytest's: "N passed, N failed[, N skipped]".
"""

import os
import re
import shutil
import subprocess
import sys
import time

from .common import (
    ADDONS_DIR,
    DEV_ADDONS,
    LOCAL,
    ROOT,
    TEST_PG_PORT,
    UserError,
    free_port,
    ident,
    say,
    with_test_modules,
)
from .odoo_src import addons_path, odoo_base_cmd, odoo_env
from .postgres import embedded_postgres, external_postgres
from .prepare import prepare
from .system import BROWSERS

RESULT_RE = re.compile(
    r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database"
)
LOG_RE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) "
    r"(?P<logger>[\w.]+): (?P<msg>.*)$"
)
SKIP_RE = re.compile(r"skipped (.*) : (.*)")


def browser_preflight(python):
    problems = []
    if not any(shutil.which(b) for b in BROWSERS):
        problems.append("Chromium is missing (apt-get install chromium)")
    ok = subprocess.run(
        [str(python), "-c", "import websocket"], capture_output=True
    ).returncode
    if ok:
        problems.append(
            "websocket-client is missing (pip install websocket-client in .venv)"
        )
    if problems:
        raise UserError("browser tests cannot run: " + "; ".join(problems))


def analyse_log(lines, addons):
    """Counts and problems from an Odoo test log (list of str)."""
    report = {
        "run": 0,
        "failed": 0,
        "errors": 0,
        "skipped": 0,
        "problems": [],
        "found": False,
    }
    for line in lines:
        match = LOG_RE.match(line)
        if match and match["logger"] != "odoo.tests.stats":
            _analyse_line(report, line, match, tuple(addons))
    return report


def _analyse_line(report, line, match, addons):
    level, logger, msg = match["level"], match["logger"], match["msg"]
    result = RESULT_RE.search(msg)
    if result:
        report["found"] = True
        report["failed"] += int(result.group(1))
        report["errors"] += int(result.group(2))
        report["run"] += int(result.group(3))
        return
    skip = SKIP_RE.match(msg)
    if level == "INFO" and skip and logger.startswith("odoo.addons."):
        report["skipped"] += 1
        reason = skip.group(2)
        if re.search(r"chrom|browser|websocket", reason, re.I):
            report["problems"].append(
                f"browser test skipped: {skip.group(1)}: {reason}"
            )
        return
    if level in ("ERROR", "CRITICAL"):
        report["problems"].append(line)
    elif level == "WARNING" and _is_ours(logger, msg, addons):
        report["problems"].append(line)


def _is_ours(logger, msg, addons):
    for addon in addons:
        if logger.startswith(f"odoo.addons.{addon}"):
            return True
        if re.search(rf"\b{addon}\b", msg):
            return True
    return bool(
        re.search(r"\b(edu\.[a-z_.]+|campaign\.pressure[a-z_.]*|cmr\.[a-z_.]+)\b", msg)
    )


def _selected_addons(args):
    addons = [
        a.strip() for a in (args.addons or ",".join(DEV_ADDONS)).split(",") if a.strip()
    ]
    unknown = [a for a in addons if not (ADDONS_DIR / a / "__manifest__.py").exists()]
    if unknown:
        raise UserError(f"unknown addon(s): {', '.join(unknown)}")
    return addons


def cmd_test(args):
    started = time.monotonic()
    addons = _selected_addons(args)
    odoo, python = prepare(
        "test", external_db=args.external_db, odoo_tests=not args.pytest_only
    )
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    problems = []
    if not args.pytest_only:
        problems += _odoo_tests(args, odoo, python, addons, totals)
    if not args.odoo_only:
        problems += _pytest(args, odoo, python, totals)
    return _summary(totals, problems, started)


def _odoo_test_cmd(args, odoo, python, pg, db, addons, tags):
    cmd = odoo_base_cmd(python, odoo, pg, db, LOCAL / "test-data")
    cmd += ["-i", ",".join(with_test_modules(addons)), "--test-enable"]
    cmd += ["--test-tags", tags, "--stop-after-init"]
    cmd += ["--http-port", str(args.http_port or free_port())]
    cmd += ["--http-interface", "127.0.0.1"]
    cmd += ["--log-level", "test" if args.verbose else "info"]
    cmd += ["--max-cron-threads", "0"]
    if args.without_demo:
        cmd += ["--without-demo", "all"]
    return cmd


def _odoo_tests(args, odoo, python, addons, totals):
    """Run Odoo's tests of ``addons``; add to ``totals``, return the problems."""
    browser_preflight(python)
    pg = external_postgres(args.external_db) or embedded_postgres(
        "test", TEST_PG_PORT, fast=True
    )
    db = ident(args.db or f"edu_test_{os.getpid()}")
    pg.drop_db(db)
    tags = args.tags or ",".join(f"/{a}" for a in addons)
    log_file = LOCAL / "logs" / f"test-{db}.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    cmd = _odoo_test_cmd(args, odoo, python, pg, db, addons, tags)
    say(f"installing {', '.join(addons)} on throwaway database {db}, test tags {tags}")
    rc, lines = _run_logged(cmd, odoo_env(odoo), log_file, args.verbose)
    report = analyse_log(lines, addons)
    if not args.keep_db:
        pg.drop_db(db)
    problems = []
    if rc:
        problems.append(f"Odoo exited with code {rc} (log: {log_file})")
    if not report["found"]:
        problems.append(f"Odoo printed no test result line (log: {log_file})")
    bad = report["failed"] + report["errors"]
    totals["passed"] += report["run"] - bad - report["skipped"]
    totals["failed"] += bad
    totals["skipped"] += report["skipped"]
    problems += report["problems"]
    say(
        f"Odoo: {report['run']} tests, {report['failed']} failed,"
        f" {report['errors']} errors,"
        f" {report['skipped']} skipped, {len(report['problems'])} logged problems"
        f" (log: {log_file})"
    )
    if not report["run"] and not args.tags:
        problems.append("Odoo ran no test")
    return problems


def _run_logged(cmd, env, log_file, verbose):
    """Run ``cmd``, its output to ``log_file`` (echoing what matters): (rc, lines)."""
    lines = []
    with open(log_file, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            cmd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        for line in proc.stdout:
            out.write(line)
            lines.append(line.rstrip("\n"))
            if verbose or _worth_echo(line):
                sys.stdout.write(line)
                sys.stdout.flush()
        return proc.wait(), lines


def _pytest(args, odoo, python, totals):
    """Run pytest on tests/ (or the given arguments); add to ``totals``."""
    junit = LOCAL / "logs" / f"pytest-{os.getpid()}.xml"
    junit.parent.mkdir(parents=True, exist_ok=True)
    pytest_args = args.pytest_args or ["tests"]
    env = odoo_env(odoo)
    env["EDU_ODOO_ADDONS_PATH"] = addons_path(odoo)
    # tests that run Odoo (test_upgrade.py) reach the same PostgreSQL as Odoo's tests
    env.update({k: v for k, v in os.environ.items() if k.startswith("PG")})
    if args.external_db:
        env["EDU_EXTERNAL_DB"] = "1"
    proc = subprocess.run(
        [str(python), "-m", "pytest", "-q", f"--junitxml={junit}", *pytest_args],
        cwd=ROOT,
        env=env,
    )
    counts = _junit_counts(junit) if junit.exists() else None
    problems = []
    if proc.returncode not in (0, 1, 5) or counts is None:
        problems.append(f"pytest exited with code {proc.returncode}")
    if counts:
        for key in totals:
            totals[key] += counts[key]
    return problems


def _summary(totals, problems, started):
    for problem in problems:
        print(f"PROBLEM: {problem}")
    elapsed = time.monotonic() - started
    failed = totals["failed"] + (1 if problems and not totals["failed"] else 0)
    say(f"total time {elapsed:.0f} s")
    line = f"{totals['passed']} passed, {failed} failed"
    if totals["skipped"]:
        line += f", {totals['skipped']} skipped"
    print(line, flush=True)
    return 1 if (failed or problems) else 0


def _worth_echo(line):
    return bool(
        re.search(
            r" (ERROR|CRITICAL|WARNING) | FAIL: | ERROR: |tests when loading|Traceback",
            line,
        )
        or re.search(r"odoo\.modules\.loading: \d+ modules loaded", line)
        or "Starting post tests" in line
    )


def _junit_counts(path):
    import xml.etree.ElementTree as ET  # noqa: PLC0415

    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for suite in suites:
        tests = int(suite.get("tests", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", 0))
        counts["failed"] += failed
        counts["skipped"] += skipped
        counts["passed"] += tests - failed - skipped
    return counts
