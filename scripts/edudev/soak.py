"""`perf --soak`: the portal and the backend under a steady load for minutes
(issue 18, item 6), with Odoo in worker mode.

The load itself is the benchmark ``tests/perf/test_perf_soak.py`` (it needs
Odoo and ``requests``, so it runs in the venv under pytest); this module
holds what both sides share and what a repository test checks without a
server: the settings read from the environment, the percentile, the
workers' memory read from ``/proc`` and the report with its verdict.

Settings (environment, or ``devtool perf --soak --soak-seconds N
--soak-users N``): ``EDU_SOAK_SECONDS`` (600), ``EDU_SOAK_USERS`` (20),
``EDU_SOAK_WORKERS`` (4). A quarter of the users (at least one) are staff
working in the backend over JSON-RPC, the others portal users.

Verdict: no error at all, and the HTTP workers' total resident memory at
the end at most 10 % above the start (measured after a warm-up in which
every worker loaded the registry). The p95 of every page is printed beside
the p95 of Odoo's own ``/my/invoices`` measured in the same run.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from .common import UserError

ENV_NAMES = {
    "seconds": "EDU_SOAK_SECONDS",
    "users": "EDU_SOAK_USERS",
    "workers": "EDU_SOAK_WORKERS",
}
DEFAULTS = {"seconds": 600, "users": 20, "workers": 4}
MAX_RSS_GROWTH = 0.10
BASELINE = "/my/invoices"
SOAK_BENCHMARK = "tests/perf/test_perf_soak.py"
PROC = Path("/proc")


@dataclass(frozen=True)
class SoakConfig:
    seconds: int
    users: int
    workers: int

    @property
    def backend_users(self):
        """Staff users among ``users``: a quarter, at least one."""
        return max(1, self.users // 4)

    @property
    def portal_users(self):
        return self.users - self.backend_users


def soak_config(environ=None):
    """The soak's settings from ``environ`` (default ``os.environ``)."""
    environ = os.environ if environ is None else environ
    values = {}
    for key, name in ENV_NAMES.items():
        raw = environ.get(name, "").strip()
        if not raw:
            values[key] = DEFAULTS[key]
            continue
        try:
            values[key] = int(raw)
        except ValueError:
            raise UserError(f"{name}={raw!r}: a whole number is expected") from None
    config = SoakConfig(**values)
    if config.seconds < 10:
        raise UserError(f"{ENV_NAMES['seconds']}: at least 10 seconds")
    if config.users < 2:
        raise UserError(f"{ENV_NAMES['users']}: at least 2 (portal and backend)")
    if config.workers < 2:
        raise UserError(f"{ENV_NAMES['workers']}: worker mode needs at least 2")
    return config


def soak_environ(seconds=None, users=None):
    """The variables that pass command line values to the benchmark."""
    result = {}
    if seconds is not None:
        result[ENV_NAMES["seconds"]] = str(seconds)
    if users is not None:
        result[ENV_NAMES["users"]] = str(users)
    return result


def percentile(values, fraction):
    """Nearest-rank percentile (``fraction`` 0.95 for the p95)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[max(0, int(round(fraction * len(ordered))) - 1)]


def child_pids(pid, proc=PROC):
    """Direct children of ``pid`` (Odoo's prefork workers of its master)."""
    children = []
    for stat in proc.glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # gone meanwhile
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return sorted(children)


def rss_kib(pid, proc=PROC):
    """Resident memory of ``pid`` in KiB, None when it is gone."""
    try:
        status = (proc / str(pid) / "status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None


def http_workers(master, proc=PROC):
    """``{pid: rss KiB}`` of the HTTP workers of an Odoo master: its
    children but the gevent (long polling) server."""
    result = {}
    for pid in child_pids(master, proc):
        try:
            cmdline = (proc / str(pid) / "cmdline").read_bytes()
        except OSError:
            continue
        # the long-polling server is started as ``<odoo> gevent ...``; the
        # workers are forks of the master (whose options name --gevent-port)
        if "gevent" in cmdline.decode(errors="replace").split("\0"):
            continue
        rss = rss_kib(pid, proc)
        if rss is not None:
            result[pid] = rss
    return result


def summarize(config, latencies, errors, rss_start, rss_end, load=None):
    """The soak's figures: ``latencies`` page -> ms list, ``errors`` a list
    of ``(page, what)``, ``rss_*`` ``{pid: KiB}``, ``load`` os.getloadavg()."""
    pages = {}
    base = percentile(latencies[BASELINE], 0.95) if latencies.get(BASELINE) else None
    for page, values in latencies.items():
        if not values:
            continue
        p95 = percentile(values, 0.95)
        pages[page] = {
            "n": len(values),
            "p50": percentile(values, 0.5),
            "p95": p95,
            "max": max(values),
            "vs_stock": p95 / base if base else None,
        }
    start, end = sum(rss_start.values()), sum(rss_end.values())
    return {
        "config": config,
        "pages": pages,
        "requests": sum(p["n"] for p in pages.values()),
        "errors": list(errors),
        "rss_start_kib": start,
        "rss_end_kib": end,
        "rss_growth": (end - start) / start if start else None,
        "workers_replaced": sorted(set(rss_start) ^ set(rss_end)),
        "load": load,
    }


def failures(summary):
    """What makes the soak fail (empty: it passed)."""
    result = []
    if summary["errors"]:
        shown = ", ".join(f"{page}: {what}" for page, what in summary["errors"][:5])
        result.append(f"{len(summary['errors'])} error(s): {shown}")
    growth = summary["rss_growth"]
    if growth is None:
        result.append("the workers' memory could not be read")
    elif growth > MAX_RSS_GROWTH:
        result.append(
            f"workers' memory grew by {growth:.1%} (at most {MAX_RSS_GROWTH:.0%})"
        )
    if BASELINE not in summary["pages"]:
        result.append(f"no measurement of the stock page {BASELINE}")
    return result


def format_report(summary):
    """The lines printed at the end of the soak."""
    config = summary["config"]
    out = [
        f"soak: {config.seconds} s, {config.users} users ({config.portal_users}"
        f" portal, {config.backend_users} backend), {config.workers} workers,"
        f" {summary['requests']} requests, {len(summary['errors'])} errors"
    ]
    for page, fig in sorted(summary["pages"].items()):
        ratio = f", {fig['vs_stock']:.2f}x stock p95" if fig["vs_stock"] else ""
        out.append(
            f"   {page:<34} n={fig['n']:<6} p50 {fig['p50']:>6.0f} ms"
            f"  p95 {fig['p95']:>6.0f} ms  max {fig['max']:>6.0f} ms{ratio}"
        )
    growth = summary["rss_growth"]
    out.append(
        f"   workers' RSS: {summary['rss_start_kib'] / 1024:.0f} MiB at start,"
        f" {summary['rss_end_kib'] / 1024:.0f} MiB at end"
        + (f" ({growth:+.1%})" if growth is not None else "")
        + (
            f", replaced workers {summary['workers_replaced']}"
            if summary["workers_replaced"]
            else ""
        )
    )
    if summary["load"]:
        out.append("   load average: " + ", ".join(f"{x:.2f}" for x in summary["load"]))
    problems = failures(summary)
    out.append("   verdict: " + ("; ".join(problems) if problems else "passed"))
    return out
