"""The command line: run, test, perf, lint, stop, odoo-suites, po-refs."""

import argparse
import os
import sys

from .common import UserError
from .lint import cmd_lint
from .odoo_suites import CONFIGS, cmd_odoo_suites
from .perf import cmd_perf
from .porefs import cmd_po_refs
from .postgres import stop_clusters
from .serve import cmd_run
from .testrun import cmd_test

DESCRIPTION = "Run and test the education CRM addons on a real Odoo 18.0 Community."


def _env_flag(name):
    return bool(os.environ.get(name))


def _add_run(sub):
    run = sub.add_parser("run", help="serve Odoo with the addons and demo data")
    run.add_argument("--external-db", action="store_true", help="use PG* variables")
    run.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "0")))
    run.add_argument("--exit-when-ready", action="store_true", help=argparse.SUPPRESS)


def _add_test(sub):
    test = sub.add_parser("test", help="run all tests on a throwaway database")
    test.add_argument("--addons", default=os.environ.get("ADDONS"), help="comma list")
    test.add_argument("--tags", default=os.environ.get("TAGS"), help="Odoo --test-tags")
    test.add_argument("--db", default=os.environ.get("TEST_DB"))
    test.add_argument("--keep-db", action="store_true", default=_env_flag("KEEP_DB"))
    test.add_argument("--external-db", action="store_true")
    test.add_argument(
        "--http-port", type=int, default=int(os.environ.get("TEST_HTTP_PORT", 0))
    )
    test.add_argument("--without-demo", action="store_true")
    test.add_argument(
        "--odoo-only", action="store_true", default=_env_flag("ODOO_ONLY")
    )
    test.add_argument(
        "--pytest-only", action="store_true", default=_env_flag("PYTEST_ONLY")
    )
    test.add_argument("--verbose", "-v", action="store_true")
    test.add_argument(
        "pytest_args", nargs="*", help="arguments for pytest (default: tests)"
    )


def _add_perf_lint_stop(sub):
    perf = sub.add_parser("perf", help="run the benchmarks in tests/perf")
    perf.add_argument("--external-db", action="store_true")
    perf.add_argument(
        "--soak",
        action="store_true",
        help="only the soak: portal and backend under load, Odoo with workers",
    )
    perf.add_argument(
        "--soak-seconds", type=int, help="soak duration (EDU_SOAK_SECONDS)"
    )
    perf.add_argument("--soak-users", type=int, help="soak users (EDU_SOAK_USERS)")
    perf.add_argument(
        "pytest_args", nargs="*", help="benchmark files (default: tests/perf)"
    )
    lint = sub.add_parser("lint", help="run the pre-commit hooks")
    lint.add_argument("files", nargs="*")
    sub.add_parser("stop", help="stop the embedded PostgreSQL clusters")


def _add_odoo_suites(sub):
    suites = sub.add_parser(
        "odoo-suites",
        help="Odoo's mass_mailing/mail/portal suites without and with our addons",
    )
    suites.add_argument(
        "--config",
        action="append",
        choices=list(CONFIGS),
        help="a configuration (repeat; default: all four)",
    )
    suites.add_argument("--suites", help="comma list of Odoo modules to test")
    suites.add_argument(
        "--tags", help="Odoo --test-tags instead of the whole suites (e.g. one class)"
    )
    suites.add_argument("--keep-db", action="store_true")
    suites.add_argument("--external-db", action="store_true")


def _add_po_refs(sub):
    refs = sub.add_parser(
        "po-refs",
        help="point the .pot/.po comments at where each term lives now",
    )
    refs.add_argument("--addons", help="comma list (default: all five)")
    refs.add_argument("--db", help="export from this database if it exists")
    refs.add_argument("--keep-db", action="store_true")
    refs.add_argument("--external-db", action="store_true")


def parser():
    result = argparse.ArgumentParser(description=DESCRIPTION)
    sub = result.add_subparsers(dest="command", required=True)
    _add_run(sub)
    _add_test(sub)
    _add_perf_lint_stop(sub)
    _add_odoo_suites(sub)
    _add_po_refs(sub)
    return result


COMMANDS = {
    "run": cmd_run,
    "test": cmd_test,
    "lint": cmd_lint,
    "perf": cmd_perf,
    "odoo-suites": cmd_odoo_suites,
    "po-refs": cmd_po_refs,
}


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        if args.command in COMMANDS:
            return COMMANDS[args.command](args)
        stop_clusters()
        return 0
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 2
    except PermissionError as exc:
        print(
            f"error: permission denied: {exc.filename} (run as the checkout's owner)",
            file=sys.stderr,
            flush=True,
        )
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
