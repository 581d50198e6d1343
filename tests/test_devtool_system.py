"""The dev tool's set-up of a fresh machine: which system packages each command
needs, apt-get as root or the one command to run otherwise (subprocess mocked),
and the Python requirements (no python-ldap, phonenumbers pinned)."""

import json
import subprocess
from types import SimpleNamespace

import pytest
from _devtool import ROOT, common, prepare, system, venv

FACTS = system.PythonFacts(version="3.11", ensurepip=False, headers=False)


class Apt:
    """A fake apt-get: records the commands, 'installs' into ``installed``."""

    def __init__(self, install_rc=0, update_rc=0, works=True):
        self.calls = []
        self.installed = set()
        self.install_rc = install_rc
        self.update_rc = update_rc
        self.works = works

    def run(self, cmd, **_kw):
        self.calls.append(cmd)
        rc = self.update_rc if cmd[1] == "update" else self.install_rc
        if cmd[1] == "install" and not rc and self.works:
            self.installed.update(cmd[5:])
        return subprocess.CompletedProcess(cmd, rc, "", "E: boom" if rc else "")

    def need(self, package, present=False):
        return system.Need(
            package, f"why {package}", lambda: present or package in self.installed
        )


@pytest.fixture()
def machine(monkeypatch):
    """A Debian machine with apt-get, as root; subprocess.run goes to Apt."""
    apt = Apt()
    monkeypatch.delenv("EDU_SKIP_SYSTEM_PACKAGES", raising=False)
    monkeypatch.setattr(system.subprocess, "run", apt.run)
    monkeypatch.setattr(
        system.shutil, "which", lambda name: f"/usr/bin/{name}" * (name == "apt-get")
    )
    monkeypatch.setattr(system.os, "geteuid", lambda: 0)
    return apt


def test_nothing_missing_installs_nothing(machine):
    needs = [machine.need("postgresql", present=True), machine.need("gcc", True)]
    assert system.ensure(needs, "make run") == []
    assert machine.calls == []


def test_root_installs_exactly_what_is_missing_and_says_so(machine, capsys):
    needs = [
        machine.need("postgresql", present=True),
        machine.need("wkhtmltopdf"),
        machine.need("fonts-dejavu-core"),
        machine.need("wkhtmltopdf"),  # two needs, one package
    ]
    assert system.ensure(needs, "make run") == ["wkhtmltopdf", "fonts-dejavu-core"]
    assert machine.calls == [
        ["apt-get", "update", "-qq"],
        [
            "apt-get",
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "wkhtmltopdf",
            "fonts-dejavu-core",
        ],
    ]
    out = capsys.readouterr().out
    assert "make run needs system packages that are missing" in out
    assert "why wkhtmltopdf" in out and "why fonts-dejavu-core" in out
    assert "installing with apt-get: wkhtmltopdf fonts-dejavu-core" in out
    assert "postgresql" not in out


def test_not_root_prints_the_one_command_and_stops(machine, monkeypatch, capsys):
    monkeypatch.setattr(system.os, "geteuid", lambda: 1000)
    needs = [machine.need("chromium"), machine.need("gcc", present=True)]
    with pytest.raises(common.UserError, match="missing system packages: chromium;"):
        system.ensure(needs, "make test")
    assert machine.calls == [], "nothing is run without root"
    out = capsys.readouterr().out
    assert (
        "sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends "
        "chromium'" in out.splitlines()[-2]
    )


def test_without_apt_get_the_packages_are_named(machine, monkeypatch):
    monkeypatch.setattr(system.shutil, "which", lambda name: None)
    with pytest.raises(common.UserError, match="no apt-get.*postgresql libpq-dev"):
        system.ensure([machine.need("postgresql"), machine.need("libpq-dev")], "x")
    assert machine.calls == []


def test_apt_install_failure_is_one_clear_error(machine):
    machine.install_rc = 100
    with pytest.raises(common.UserError, match=r"apt-get install failed \(exit 100\)"):
        system.ensure([machine.need("chromium")], "make test")


def test_failed_update_still_tries_the_install(machine, capsys):
    machine.update_rc = 100
    assert system.ensure([machine.need("gcc")], "make run") == ["gcc"]
    assert [c[1] for c in machine.calls] == ["update", "install"]
    assert "apt-get update failed" in capsys.readouterr().out


def test_a_package_that_does_not_provide_the_need_is_reported(machine):
    machine.works = False
    with pytest.raises(common.UserError, match=r"still missing: gcc \(why gcc\)"):
        system.ensure([machine.need("gcc")], "make run")


def test_skip_variable_skips_the_check(machine, monkeypatch):
    monkeypatch.setenv("EDU_SKIP_SYSTEM_PACKAGES", "1")
    assert system.ensure([machine.need("gcc")], "make run") == []
    assert machine.calls == []


def _packages(*args, **kwargs):
    return [need.package for need in system.needs_for(*args, **kwargs)]


def test_run_on_a_fresh_machine_needs_server_build_tools_pdf(monkeypatch):
    monkeypatch.setattr(system, "distro", lambda: "debian")
    assert _packages("run", FACTS) == [
        "python3.11-venv",
        "python3.11-dev",
        "gcc",
        "libc6-dev",
        "libpq-dev",
        "postgresql",
        "wkhtmltopdf",
        "fonts-dejavu-core",
    ]
    test = _packages("test", FACTS)
    assert test == _packages("run", FACTS) + ["chromium"]
    for pkgs in (test, _packages("perf", FACTS), _packages("lint", FACTS)):
        assert not {"libldap2-dev", "libsasl2-dev"} & set(pkgs)


def test_needs_follow_the_command_and_the_machine(monkeypatch):
    monkeypatch.setattr(system, "distro", lambda: "ubuntu")
    assert _packages("test") == [
        "postgresql",
        "wkhtmltopdf",
        "fonts-dejavu-core",
        "chromium-browser",
    ]
    assert _packages("test", odoo=False) == [], "pytest alone on a fresh .venv"
    assert _packages("test", FACTS, odoo=False)[0] == "python3.11-venv"
    assert "python3.11-venv" not in _packages("run", FACTS, venv_exists=True)
    assert _packages("run", external_db=True)[0] == "postgresql-client"
    assert _packages("perf") == ["postgresql"]
    assert _packages("lint") == ["nodejs", "npm"]


def test_python_facts_probe(monkeypatch):
    out = json.dumps({"version": "3.12", "ensurepip": True, "headers": False})
    seen = []

    def run(cmd, **kwargs):
        seen.append(cmd)
        return subprocess.CompletedProcess(cmd, 0, out + "\n", "")

    monkeypatch.setattr(system.subprocess, "run", run)
    facts = system.python_facts("/usr/bin/python3.12")
    assert facts == system.PythonFacts("3.12", ensurepip=True, headers=False)
    assert seen[0][:2] == ["/usr/bin/python3.12", "-c"]
    needs = {n.package: n.present() for n in system.build_needs(facts, False)}
    assert needs["python3.12-venv"] is True and needs["python3.12-dev"] is False


def test_distro_reads_os_release(monkeypatch, tmp_path):
    release = tmp_path / "os-release"
    monkeypatch.setattr(
        system, "Path", lambda p: release if p == "/etc/os-release" else p
    )
    release.write_text('ID=linuxmint\nID_LIKE="ubuntu debian"\n')
    assert system.distro() == "ubuntu"
    release.write_text("ID=debian\n")
    assert system.distro() == "debian"


def test_prepare_checks_the_system_before_building_the_venv(monkeypatch):
    events = []
    monkeypatch.setattr(prepare, "resolve_odoo", lambda: "odoo")
    monkeypatch.setattr(venv, "is_fresh", lambda odoo: False)
    monkeypatch.setattr(venv, "venv_python", lambda: ROOT / "no-such-venv" / "python")
    monkeypatch.setattr(venv, "find_base_python", lambda: "/usr/bin/python3")
    monkeypatch.setattr(system, "python_facts", lambda python: FACTS)
    monkeypatch.setattr(
        system, "ensure", lambda needs, what: events.append((what, needs))
    )
    monkeypatch.setattr(
        venv, "ensure_venv", lambda odoo: events.append("venv") or "python"
    )
    monkeypatch.delenv("PGHOST", raising=False)
    monkeypatch.delenv("EDU_EXTERNAL_DB", raising=False)
    assert prepare.prepare("lint") == ("odoo", "python")
    (what, needs), built = events
    assert what == "make lint" and built == "venv"
    assert [n.package for n in needs][-2:] == ["nodejs", "npm"]
    assert "python3.11-venv" in [n.package for n in needs]


ODOO_REQS = """\
Babel==2.10.3 ; python_version >= '3.11'
python-ldap==3.4.0 ; sys_platform != 'win32' and python_version < '3.12' # min
Python_LDAP==3.4.4 ; python_version >= '3.12'
python-stdnum==1.19 ; python_version >= '3.11'
"""


def test_odoo_requirements_leave_out_python_ldap(tmp_path):
    (tmp_path / "requirements.txt").write_text(ODOO_REQS)
    odoo = SimpleNamespace(requirements=tmp_path / "requirements.txt")
    assert venv.odoo_requirements_text(odoo).splitlines() == [
        "Babel==2.10.3 ; python_version >= '3.11'",
        "python-stdnum==1.19 ; python_version >= '3.11'",
    ]
    assert venv.odoo_requirements_text(SimpleNamespace(requirements=None)) == ""


def test_our_requirements_pin_phonenumbers():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    pins = [line.split("#")[0].strip() for line in lines]
    assert any(p.startswith("phonenumbers==") for p in pins)
    assert not any("ldap" in p.lower() for p in pins)
