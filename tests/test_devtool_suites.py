"""`devtool odoo-suites`: Odoo's own suites without and with our addons."""

from pathlib import Path

import pytest
from _devtool import common, odoo_src
from edudev import cli, odoo_suites


class _Pg:
    def odoo_args(self):
        return ["--db_host", "/tmp", "--db_port", "5432", "--db_user", "odoo"]


def _cmd(config):
    odoo = odoo_src.OdooSource(
        "nightly", Path("/src"), [Path("/src/odoo/addons")], "/src"
    )
    return odoo_suites.suite_cmd(odoo, "py", _Pg(), "db", config, port=18085)


def _arg(cmd, name):
    return cmd[cmd.index(name) + 1]


def test_the_four_configurations():
    assert list(odoo_suites.CONFIGS) == [
        "stock-nodemo",
        "ours-nodemo",
        "stock-demo",
        "ours-demo",
    ]
    for config, (ours, demo) in odoo_suites.CONFIGS.items():
        cmd = _cmd(config)
        modules = _arg(cmd, "-i").split(",")
        assert modules[:5] == list(odoo_suites.SUITES)
        assert bool(set(common.OUR_ADDONS) & set(modules)) is ours
        if ours:
            assert set(common.OUR_ADDONS) <= set(modules)
        assert ("--without-demo" in cmd) is not demo
        assert _arg(cmd, "--test-tags") == (
            "/mass_mailing,/mass_mailing_sms,/test_mass_mailing,/test_mail_full,/portal"
        )
        assert "--test-enable" in cmd and "--stop-after-init" in cmd
        assert _arg(cmd, "--http-port") == "18085"


def test_failed_tests_are_read_from_odoo_log():
    lines = [
        "2026-12-01 10:00:00,000 1 INFO db odoo.addons.portal.tests.test_x: ok",
        "2026-12-01 10:00:00,000 1 ERROR db "
        "odoo.addons.test_mass_mailing.tests.test_performance: "
        "FAIL: Subtest TestMassMailBlPerformance.test_send_mailing_w_bl (login='x')",
        "Traceback (most recent call last):",
        "2026-12-01 10:00:00,000 1 ERROR db odoo.addons.portal.tests.test_y: "
        "ERROR: TestPortal.test_home",
        "2026-12-01 10:00:00,000 1 ERROR db odoo.sql_db: bad query",
    ]
    assert odoo_suites.failed_tests(lines) == [
        "portal.tests.test_y: TestPortal.test_home",
        "test_mass_mailing.tests.test_performance: "
        "TestMassMailBlPerformance.test_send_mailing_w_bl",
    ]


def _report(config, failed):
    return {
        "config": config,
        "run": 10,
        "failed": len(failed),
        "errors": 0,
        "skipped": 1,
        "seconds": 5.0,
        "log": "x.log",
        "failed_tests": failed,
    }


def test_report_tells_our_failures_from_odoo_own():
    reports = [
        _report("stock-nodemo", ["a: T.flaky"]),
        _report("ours-nodemo", ["a: T.flaky", "b: T.ours"]),
        _report("stock-demo", []),
        _report("ours-demo", []),
    ]
    assert odoo_suites.only_with_ours(reports) == {
        "nodemo": ["b: T.ours"],
        "demo": [],
    }
    text = "\n".join(odoo_suites.format_report(reports))
    assert "ours-nodemo      10 tests,     7 passed,   2 failed,   1 skipped" in text
    assert "nodemo: 1 fail only with our addons\n    b: T.ours" in text
    assert "demo: 0 fail only with our addons" in text


def test_the_subcommand_is_wired():
    args = cli.parser().parse_args(
        ["odoo-suites", "--config", "ours-demo", "--suites", "portal"]
    )
    assert args.config == ["ours-demo"] and args.suites == "portal"
    assert cli.COMMANDS["odoo-suites"] is odoo_suites.cmd_odoo_suites


def test_an_unknown_configuration_is_refused(capsys):
    with pytest.raises(SystemExit):
        cli.parser().parse_args(["odoo-suites", "--config", "nope"])
    assert "invalid choice: 'nope'" in capsys.readouterr().err


def test_tags_run_part_of_the_suites():
    odoo = odoo_src.OdooSource(
        "nightly", Path("/src"), [Path("/src/odoo/addons")], "/src"
    )
    tags = "/test_mass_mailing:TestMassMailPerformance"
    cmd = odoo_suites.suite_cmd(odoo, "py", _Pg(), "db", "ours-nodemo", tags=tags)
    assert _arg(cmd, "--test-tags") == tags
    # the suites' modules are installed all the same
    assert _arg(cmd, "-i").split(",")[:5] == list(odoo_suites.SUITES)
    args = cli.parser().parse_args(["odoo-suites", "--tags", tags])
    assert args.tags == tags


def test_query_counts_are_read_from_odoo_log():
    lines = [
        "2026-12-01 10:00:00,000 1 INFO db "
        "odoo.addons.test_mass_mailing.tests.test_performance: Query count less"
        " than expected for user __system__: 1178 < 1280 in test_send_mailing"
        " at test_mass_mailing/tests/test_performance.py:50",
        "2026-12-01 10:00:00,000 1 ERROR db "
        "odoo.addons.test_mass_mailing.tests.test_performance: FAIL: Subtest"
        " TestMassMailBlPerformance.test_send_mailing_w_bl (login='x')",
        "AssertionError: Query count more than expected for user marketing:"
        " 1321 > 1320 in test_send_mailing_w_bl at x.py:9",
    ]
    counts = odoo_suites.query_counts(lines)
    assert counts == {
        ("test_send_mailing", "__system__"): (1178, 1280),
        ("test_send_mailing_w_bl", "marketing"): (1321, 1320),
    }
    report = dict(_report("ours-nodemo", []), queries=counts)
    text = "\n".join(odoo_suites.format_report([report]))
    assert "queries: test_send_mailing as __system__: 1178 (Odoo allows 1280)" in text
    assert "test_send_mailing_w_bl as marketing: 1321 (Odoo allows 1320)" in text
