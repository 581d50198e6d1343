"""`devtool perf --soak`: the soak's settings, memory readings and report
(the soak itself runs in `make perf`, tests/perf/test_perf_soak.py)."""

import pytest
from _devtool import common
from edudev import cli, perf, soak


def test_settings_default_to_ten_minutes_and_twenty_users():
    config = soak.soak_config({})
    assert (config.seconds, config.users, config.workers) == (600, 20, 4)
    assert (config.portal_users, config.backend_users) == (15, 5)


def test_settings_come_from_the_environment():
    config = soak.soak_config(
        {"EDU_SOAK_SECONDS": "120", "EDU_SOAK_USERS": "6", "EDU_SOAK_WORKERS": "3"}
    )
    assert (config.seconds, config.users, config.workers) == (120, 6, 3)
    assert (config.portal_users, config.backend_users) == (5, 1)


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"EDU_SOAK_SECONDS": "ten"}, "a whole number is expected"),
        ({"EDU_SOAK_SECONDS": "5"}, "at least 10 seconds"),
        ({"EDU_SOAK_USERS": "1"}, "at least 2"),
        ({"EDU_SOAK_WORKERS": "0"}, "worker mode"),
    ],
)
def test_bad_settings_are_refused(environ, message):
    with pytest.raises(common.UserError, match=message):
        soak.soak_config(environ)


def _perf_args(argv):
    return cli.parser().parse_args(["perf", *argv])


def test_perf_soak_is_wired_to_the_soak_benchmark():
    args = _perf_args(["--soak", "--soak-seconds", "120", "--soak-users", "8"])
    assert perf.perf_targets(args) == ["tests/perf/test_perf_soak.py"]
    assert soak.soak_environ(args.soak_seconds, args.soak_users) == {
        "EDU_SOAK_SECONDS": "120",
        "EDU_SOAK_USERS": "8",
    }
    assert (common.ROOT / soak.SOAK_BENCHMARK).is_file()
    # make perf runs every benchmark, the soak included
    assert perf.perf_targets(_perf_args([])) == ["tests/perf"]
    files = ["tests/perf/test_perf_portal.py"]
    assert perf.perf_targets(_perf_args(files)) == files
    assert soak.soak_environ(None, None) == {}


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert soak.percentile(values, 0.95) == 95
    assert soak.percentile(values, 0.5) == 50
    assert soak.percentile([7], 0.95) == 7
    with pytest.raises(ValueError):
        soak.percentile([], 0.95)


ODOO_CMDLINE = b"python\0setup/odoo\0--workers\0004\0--gevent-port\08072\0"


def _proc(tmp_path, pid, ppid, comm, rss, cmdline=ODOO_CMDLINE):
    d = tmp_path / str(pid)
    d.mkdir()
    (d / "stat").write_text(f"{pid} ({comm}) S {ppid} 1 1 0 -1\n")
    (d / "status").write_text(f"Name:\t{comm}\nVmRSS:\t  {rss} kB\nThreads:\t1\n")
    (d / "cmdline").write_bytes(cmdline)


def test_workers_memory_is_read_from_proc(tmp_path):
    _proc(tmp_path, 100, 1, "python3", 200_000)  # the master
    _proc(tmp_path, 101, 100, "odoo: worker (x)", 150_000)
    _proc(tmp_path, 102, 100, "odoo) S 999", 160_000)  # comm with ") S "
    _proc(tmp_path, 103, 100, "python3", 90_000, b"python\0setup/odoo\0gevent\0")
    _proc(tmp_path, 104, 101, "python3", 10_000)  # a grandchild
    (tmp_path / "self").mkdir()
    assert soak.child_pids(100, tmp_path) == [101, 102, 103]
    assert soak.http_workers(100, tmp_path) == {101: 150_000, 102: 160_000}
    assert soak.rss_kib(999, tmp_path) is None


def _summary(errors=(), end=(1000, 1050)):
    latencies = {
        "/my/invoices": [100.0] * 19 + [200.0],
        "/my/tuition": [150.0] * 19 + [300.0],
    }
    return soak.summarize(
        soak.soak_config({"EDU_SOAK_SECONDS": "60", "EDU_SOAK_USERS": "4"}),
        latencies,
        list(errors),
        {1: 1000, 2: 1000},
        {1: end[0], 3: end[1]},
        (1.5, 2.0, 2.5),
    )


def test_report_compares_with_stock_and_passes():
    summary = _summary()
    assert summary["requests"] == 40
    assert summary["pages"]["/my/tuition"]["vs_stock"] == pytest.approx(1.5)
    assert summary["rss_growth"] == pytest.approx(0.025)
    assert summary["workers_replaced"] == [2, 3]
    assert soak.failures(summary) == []
    text = "\n".join(soak.format_report(summary))
    assert "60 s, 4 users (3 portal, 1 backend), 4 workers, 40 requests, 0 errors" in (
        text
    )
    assert "p95    150 ms  max    300 ms, 1.50x stock p95" in text
    assert "2 MiB at start, 2 MiB at end (+2.5%)" in text
    assert "load average: 1.50, 2.00, 2.50" in text
    assert text.endswith("verdict: passed")


def test_errors_and_memory_growth_fail_the_soak():
    summary = _summary(errors=[("/my/tuition", 500)], end=(1100, 1150))
    assert soak.failures(summary) == [
        "1 error(s): /my/tuition: 500",
        "workers' memory grew by 12.5% (at most 10%)",
    ]
    assert "verdict: 1 error(s)" in soak.format_report(summary)[-1]


def test_a_soak_without_the_stock_page_fails():
    summary = soak.summarize(
        soak.soak_config({}), {"/my/tuition": [1.0]}, [], {1: 10}, {1: 10}
    )
    assert soak.failures(summary) == ["no measurement of the stock page /my/invoices"]
    assert summary["pages"]["/my/tuition"]["vs_stock"] is None


def test_perf_parser_keeps_its_other_arguments():
    args = _perf_args(["--external-db", "tests/perf/test_perf_portal.py"])
    assert args.external_db and not args.soak and args.soak_seconds is None
    assert args.pytest_args == ["tests/perf/test_perf_portal.py"]
