"""`odoo-suites`: Odoo's own test suites of the paths our addons hook, run
without and with our addons, without and with demo data (issue 18, item 5).

Each configuration is one throwaway database where Odoo installs the suites'
modules (and, for "ours", our addons) with ``--test-enable``: at_install tests
run when their module is installed, as on Odoo's runbot; post_install tests
run with everything installed. The report is one line per configuration and
the failing tests of each, so that "fails with ours" and "fails without ours
too" (Odoo's own flakiness) can be told apart. Too long for ``make test``.
"""

import os
import re
import time

from .common import (
    LOCAL,
    OUR_ADDONS,
    TEST_PG_PORT,
    UserError,
    free_port,
    ident,
    say,
    with_test_modules,
)
from .odoo_src import odoo_base_cmd, odoo_env
from .postgres import embedded_postgres, external_postgres
from .prepare import prepare
from .testrun import LOG_RE, _run_logged, analyse_log, browser_preflight

SUITES = ("mass_mailing", "mass_mailing_sms", "test_mass_mailing", "test_mail_full")
SUITES += ("portal",)
CONFIGS = {
    "stock-nodemo": (False, False),
    "ours-nodemo": (True, False),
    "stock-demo": (False, True),
    "ours-demo": (True, True),
}
# Odoo's test result logs "FAIL: Class.test" / "ERROR: Subtest Class.test (...)"
# on the test module's logger
FAIL_RE = re.compile(r"^(?:FAIL|ERROR): (?:Subtest )?(\w+\.\w+)")
# assertQueryCount logs the count of every user whose count is not the
# expected one ("less than expected" as info, "more" in the failure)
QUERY_RE = re.compile(
    r"Query count (?:more|less) than expected for user (?P<user>\S+):"
    r" (?P<count>\d+) [<>] (?P<expected>\d+) in (?P<test>\w+)"
)


def suite_modules(ours, suites=SUITES):
    """The modules a configuration installs."""
    modules = list(suites)
    if ours:
        modules += with_test_modules(OUR_ADDONS)
    return modules


def suite_cmd(odoo, python, pg, db, config, suites=SUITES, port=None, tags=None):
    """Odoo's command line running ``suites`` in configuration ``config``
    (``tags``: Odoo ``--test-tags`` instead of the whole suites)."""
    ours, demo = CONFIGS[config]
    cmd = odoo_base_cmd(python, odoo, pg, db, LOCAL / "test-data")
    cmd += ["-i", ",".join(suite_modules(ours, suites)), "--test-enable"]
    cmd += ["--test-tags", tags or ",".join(f"/{s}" for s in suites)]
    cmd += ["--stop-after-init", "--max-cron-threads", "0", "--log-level", "info"]
    cmd += ["--http-port", str(port or free_port()), "--http-interface", "127.0.0.1"]
    if not demo:
        cmd += ["--without-demo", "all"]
    return cmd


def failed_tests(lines):
    """Sorted ``module.tests.file: Class.test`` of the failed tests in a log."""
    failed = set()
    for line in lines:
        match = LOG_RE.match(line)
        if not match or match["level"] not in ("ERROR", "CRITICAL"):
            continue
        test = FAIL_RE.match(match["msg"])
        if test:
            module = match["logger"].removeprefix("odoo.addons.")
            failed.add(f"{module}: {test.group(1)}")
    return sorted(failed)


def query_counts(lines):
    """``{(test, user): (count, expected)}`` of the query budgets Odoo's
    tests logged (the counts equal to their budget are not logged)."""
    counts = {}
    for line in lines:
        match = QUERY_RE.search(line)
        if match:
            counts[(match["test"], match["user"])] = (
                int(match["count"]),
                int(match["expected"]),
            )
    return counts


def _run_config(odoo, python, pg, config, suites, keep_db, tags=None):
    db = ident(f"edu_suites_{config.replace('-', '_')}_{os.getpid()}")
    log_file = LOCAL / "logs" / f"odoo-suites-{db}.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    pg.drop_db(db)
    started = time.monotonic()
    say(f"{config}: {', '.join(suite_modules(CONFIGS[config][0], suites))} on {db}")
    cmd = suite_cmd(odoo, python, pg, db, config, suites, tags=tags)
    rc, lines = _run_logged(cmd, odoo_env(odoo), log_file, False)
    if not keep_db:
        pg.drop_db(db)
    report = analyse_log(lines, OUR_ADDONS)
    report.update(
        config=config,
        rc=rc,
        log=log_file,
        seconds=time.monotonic() - started,
        failed_tests=failed_tests(lines),
        queries=query_counts(lines),
    )
    return report


def only_with_ours(reports):
    """demo setting -> tests failing with our addons but not without them."""
    by_config = {r["config"]: set(r["failed_tests"]) for r in reports}
    result = {}
    for demo in ("nodemo", "demo"):
        stock, ours = by_config.get(f"stock-{demo}"), by_config.get(f"ours-{demo}")
        if stock is not None and ours is not None:
            result[demo] = sorted(ours - stock)
    return result


def format_report(reports):
    """The table printed at the end (one line per configuration)."""
    out = []
    for r in reports:
        bad = r["failed"] + r["errors"]
        passed = r["run"] - bad - r["skipped"]
        out.append(
            f"{r['config']:<13} {r['run']:>5} tests, {passed:>5} passed, {bad:>3}"
            f" failed, {r['skipped']:>3} skipped, {r['seconds']:>5.0f} s ({r['log']})"
        )
        out += [f"    failed: {name}" for name in r["failed_tests"]]
        out += [
            f"    queries: {test} as {user}: {count} (Odoo allows {expected})"
            for (test, user), (count, expected) in sorted(r.get("queries", {}).items())
        ]
    for demo, extra in only_with_ours(reports).items():
        out.append(
            f"{demo}: {len(extra)} fail only with our addons"
            + "".join(f"\n    {name}" for name in extra)
        )
    return out


def cmd_odoo_suites(args):
    configs = args.config or list(CONFIGS)
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        raise UserError(f"unknown configuration(s) {unknown}: use {list(CONFIGS)}")
    suites = tuple(s for s in (args.suites or ",".join(SUITES)).split(",") if s)
    odoo, python = prepare("test", external_db=args.external_db)
    browser_preflight(python)
    pg = external_postgres(args.external_db) or embedded_postgres(
        "test", TEST_PG_PORT, fast=True
    )
    reports = [
        _run_config(odoo, python, pg, config, suites, args.keep_db, args.tags)
        for config in configs
    ]
    for line in format_report(reports):
        print(line, flush=True)
    ours_bad = any(only_with_ours(reports).values())
    return 1 if ours_bad or any(r["rc"] < 0 for r in reports) else 0
