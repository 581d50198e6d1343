"""docker-compose.yml, .ci/run, Makefile and README keep their promises."""

import configparser
import os

import yaml
from _devtool import ROOT


def test_compose_services():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["odoo"]["image"] == "odoo:18.0"
    assert services["db"]["image"] == "postgres:16"
    for name in ("odoo", "db"):
        assert services[name]["healthcheck"]["test"], f"{name} has no healthcheck"
    assert services["odoo"]["depends_on"]["db"]["condition"] == "service_healthy"
    mounts = services["odoo"]["volumes"]
    assert "./addons:/mnt/extra-addons:ro" in mounts
    assert any(m.startswith("odoo-filestore:") for m in mounts)
    assert any(m.startswith("db-data:") for m in services["db"]["volumes"])
    assert set(compose["volumes"]) == {"db-data", "odoo-filestore"}


def test_compose_config_uses_workers():
    conf = configparser.ConfigParser()
    conf.read(ROOT / "docker" / "odoo.conf")
    options = conf["options"]
    assert int(options["workers"]) >= 2
    assert "/mnt/extra-addons" in options["addons_path"].split(",")
    assert options["list_db"] == "False"


def test_ci_script_runs_lint_and_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
    assert "make test" in ci and "make lint" in ci
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    for pkg in ("chromium", "libldap2-dev", "libsasl2-dev"):
        assert pkg in ci


def test_local_state_is_git_ignored():
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "/.venv/" in ignored and "/.local/" in ignored
