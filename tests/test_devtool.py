"""The run/test tool: Odoo source detection, clear errors, test-log analysis."""

import os
import subprocess
import sys
import textwrap

import pytest
from _devtool import ROOT, common, odoo_src, postgres, testrun


def _fake_odoo(root, version=(18, 0), git=False):
    (root / "odoo" / "addons" / "base").mkdir(parents=True)
    (root / "odoo" / "release.py").write_text(
        f"version_info = ({version[0]}, {version[1]}, 0, 'final', 0, '')\n"
    )
    if git:
        (root / "odoo-bin").write_text("#!/usr/bin/env python3\n")
        (root / "addons" / "web").mkdir(parents=True)
    return root


def test_nightly_layout(tmp_path):
    src = odoo_src.detect_odoo_source(_fake_odoo(tmp_path))
    assert src.layout == "nightly"
    assert src.addons_paths == [tmp_path / "odoo" / "addons"]
    assert src.pythonpath == str(tmp_path)


def test_git_layout(tmp_path):
    src = odoo_src.detect_odoo_source(_fake_odoo(tmp_path, git=True))
    assert src.layout == "git"
    assert src.addons_paths == [tmp_path / "addons", tmp_path / "odoo" / "addons"]
    assert odoo_src.odoo_cmd("py", src) == ["py", str(tmp_path / "odoo-bin")]


def test_nightly_layout_starts_with_odoos_launcher(tmp_path):
    root = _fake_odoo(tmp_path)
    (root / "setup").mkdir()
    (root / "setup" / "odoo").write_text("#!/usr/bin/env python3\n")
    src = odoo_src.detect_odoo_source(root)
    assert odoo_src.odoo_cmd("py", src) == ["py", str(root / "setup" / "odoo")]


def test_odoo_command_survives_a_reload():
    """Odoo reloads by re-executing ``python argv[0] ...`` (``_reexec``) and
    starts its long-polling worker as ``argv[0] gevent``: argv[0] of the
    command the tool starts must run as a script (``odoo/__main__.py`` of
    ``python -m odoo`` cannot: a relative import, the server died)."""
    odoo = odoo_src.resolve_odoo(allow_clone=False)
    cmd = odoo_src.odoo_cmd(sys.executable, odoo)
    argv0 = cmd[1]
    run = subprocess.run(
        [sys.executable, argv0, "--version"],
        env=odoo_src.odoo_env(odoo),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Odoo Server 18.0" in run.stdout


def test_no_odoo_in_directory(tmp_path):
    assert odoo_src.detect_odoo_source(tmp_path) is None


def test_wrong_version_is_refused(tmp_path):
    with pytest.raises(common.UserError, match="Odoo 17.0.*need Odoo 18.0"):
        odoo_src.detect_odoo_source(_fake_odoo(tmp_path, version=(17, 0)))


def test_addons_path_puts_ours_first(tmp_path):
    src = odoo_src.detect_odoo_source(_fake_odoo(tmp_path, git=True))
    path = odoo_src.addons_path(src).split(",")
    assert path[0] == str(ROOT / "addons")
    assert str(tmp_path / "addons") in path


def _run_devtool(*args, env_extra):
    # no PG* (embedded cluster) and no PYTHONPATH (so no importable odoo package)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PG") and k != "PYTHONPATH"
    }
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "devtool.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_missing_source_clone_fails_with_instructions(tmp_path):
    """No Odoo at ODOO_SRC and the clone fails: one clear line, no traceback."""
    target = tmp_path / "odoo-src"
    proc = _run_devtool(
        "run",
        env_extra={
            "ODOO_SRC": str(target),
            "ODOO_GIT_URL": str(tmp_path / "no-such-repo.git"),
        },
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("error: the clone failed")
    assert "git clone --depth 1 --branch 18.0" in last
    assert "ODOO_SRC=" in last
    assert not target.exists(), "a failed clone must not leave a half-made tree"


def test_wrong_version_stops_with_one_line(tmp_path):
    _fake_odoo(tmp_path / "odoo16", version=(16, 0))
    proc = _run_devtool("test", env_extra={"ODOO_SRC": str(tmp_path / "odoo16")})
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        f"error: ODOO_SRC={tmp_path / 'odoo16'} holds Odoo 16.0, "
        "these addons need Odoo 18.0 Community"
    )


def test_unknown_addon_is_refused(tmp_path):
    proc = _run_devtool(
        "test",
        "--addons",
        "edu_nope",
        env_extra={"ODOO_SRC": os.environ.get("ODOO_SRC", "/opt/odoo")},
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("error: unknown addon(s): edu_nope")


def test_port_in_use_detection():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert common.port_in_use(port)
    assert not common.port_in_use(common.free_port())


def test_invalid_database_name():
    with pytest.raises(common.UserError, match="invalid database name"):
        common.ident("x'; DROP DATABASE y; --")
    assert common.ident("edu_crm_demo") == "edu_crm_demo"


LOG = textwrap.dedent(
    """\
    2026-11-22 11:40:00,551 6791 INFO db odoo.modules.loading: 67 modules loaded in 42.71s
    2026-11-22 11:40:01,000 6791 INFO db odoo.addons.edu_crm.tests.test_x: skipped test_a (odoo.addons.edu_crm.tests.test_x.T.test_a) : needs a printer
    2026-11-22 11:40:02,000 6791 INFO db odoo.addons.cmr_portal.tests.test_tour: skipped test_tour (odoo.addons.cmr_portal.tests.test_tour.T.test_tour) : Chrome browser not found
    2026-11-22 11:40:03,000 6791 WARNING db odoo.addons.account.models.company: unrelated core warning
    2026-11-22 11:40:04,000 6791 WARNING db odoo.models: Two fields (a, b) of edu.enrollment() have the same label
    2026-11-22 11:40:05,000 6791 WARNING db odoo.addons.campaign_pressure.models.rule: oops
    2026-11-22 11:40:06,000 6791 ERROR db odoo.addons.edu_crm.tests.test_y: FAIL: T.test_b
    2026-11-22 11:40:07,000 6791 INFO db odoo.tests.stats: edu_crm: 10 tests 1.00s 100 queries
    2026-11-22 11:40:08,000 6791 ERROR db odoo.tests.result: 1 failed, 2 error(s) of 40 tests when loading database 'db'
    """
).splitlines()


def test_analyse_log_counts_and_problems():
    report = testrun.analyse_log(LOG, ["edu_crm", "campaign_pressure", "cmr_portal"])
    assert report["found"]
    assert (report["run"], report["failed"], report["errors"], report["skipped"]) == (
        40,
        1,
        2,
        2,
    )
    problems = "\n".join(report["problems"])
    assert "browser test skipped" in problems and "Chrome browser not found" in problems
    assert (
        "needs a printer" not in problems
    )  # a non-browser skip is counted, not a problem
    assert "unrelated core warning" not in problems
    assert "edu.enrollment() have the same label" in problems
    assert "campaign_pressure.models.rule: oops" in problems
    assert "FAIL: T.test_b" in problems


def test_analyse_log_without_result_line():
    report = testrun.analyse_log(LOG[:1], ["edu_crm"])
    assert not report["found"]
    assert report["run"] == 0


def test_junit_counts(tmp_path):
    xml = tmp_path / "r.xml"
    xml.write_text(
        '<testsuites><testsuite tests="7" failures="1" errors="1" skipped="2"/></testsuites>'
    )
    assert testrun._junit_counts(xml) == {"passed": 3, "failed": 2, "skipped": 2}


def test_cluster_named_by_its_real_path(tmp_path, monkeypatch):
    """A worktree whose .local links to another checkout's names that checkout's
    data directory and socket directory: one cluster, one socket, and a server
    started through the link does not die when the link goes."""
    real = tmp_path / "main" / ".local"
    real.mkdir(parents=True)
    link = tmp_path / "wt" / ".local"
    link.parent.mkdir()
    link.symlink_to(real)
    monkeypatch.setattr(postgres, "LOCAL", link)
    datadir = postgres._cluster_datadir("test", None)
    assert datadir == real / "pg-test"
    monkeypatch.setattr(postgres, "LOCAL", real)
    assert postgres._cluster_datadir("test", None) == datadir
