"""docker-compose.yml, docker/Dockerfile, .ci/run, Makefile and README keep their
promises (checked statically: there is no Docker engine here)."""

import configparser
import os
import re
import shlex

import pytest
import yaml
from _devtool import ROOT, system

PIN_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)$")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _requirement_pins(section):
    """{name: version} of requirements.txt's 'Runtime' or 'Development' part."""
    pins, current = {}, None
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        header = re.match(r"#\s*(Runtime|Development)\b", line)
        if header:
            current = header.group(1)
            continue
        match = PIN_RE.match(line.split("#")[0].strip())
        if match and current == section:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def _dockerfile_instructions():
    text = (ROOT / "docker" / "Dockerfile").read_text()
    joined = re.sub(r"\\\n", " ", text)
    lines = [line.strip() for line in joined.splitlines()]
    return [line.split(None, 1) for line in lines if line and not line.startswith("#")]


def _option(command, name):
    return command[command.index(name) + 1]


def test_compose_runs_web_and_cron_on_one_database(compose):
    services = compose["services"]
    assert set(services) == {"db", "web", "cron"}
    assert services["db"]["image"] == "postgres:16"
    web, cron = services["web"], services["cron"]
    for odoo in (web, cron):
        assert odoo["build"] == {"context": ".", "dockerfile": "docker/Dockerfile"}
        assert odoo["image"] == "edu-crm-odoo:18.0"
        assert odoo["depends_on"]["db"]["condition"] == "service_healthy"
        assert odoo["environment"]["HOST"] == "db"
        assert "odoo-filestore:/var/lib/odoo" in odoo["volumes"]
        assert odoo["command"][:3] == ["odoo", "-c", "/etc/odoo/odoo.conf"]
    assert any(m.startswith("db-data:") for m in services["db"]["volumes"])
    assert set(compose["volumes"]) == {"db-data", "odoo-filestore"}


def test_web_serves_without_cron_and_cron_without_http(compose):
    web = compose["services"]["web"]["command"]
    cron = compose["services"]["cron"]["command"]
    assert _option(web, "--max-cron-threads") == "0"
    assert _option(web, "--workers") not in ("0", "${EDU_WEB_WORKERS:-0}")
    assert "--no-http" not in web
    threads = _option(cron, "--max-cron-threads")
    assert re.fullmatch(r"\$\{EDU_CRON_THREADS:-[1-9]\d*\}|[1-9]\d*", threads)
    assert int(_option(cron, "--workers")) >= 1, "workers (prefork) mode"
    assert "--no-http" in cron
    assert "ports" not in compose["services"]["cron"]
    ports = compose["services"]["web"]["ports"]
    assert [p.rsplit(":", 1)[1] for p in ports] == ["8069", "8072"]


def test_every_service_has_a_healthcheck(compose):
    services = compose["services"]
    for name, service in services.items():
        assert service["healthcheck"]["test"], f"{name} has no healthcheck"
    assert "http://localhost:8069/web/health" in services["web"]["healthcheck"]["test"]
    assert "psutil.Process(1).children()" in " ".join(
        services["cron"]["healthcheck"]["test"]
    )


def test_dockerfile_builds_on_the_official_image_with_our_addons():
    steps = _dockerfile_instructions()
    args = dict(v.split("=", 1) for k, v in steps if k == "ARG")
    base = next(v for k, v in steps if k == "FROM")
    assert base == "odoo:${ODOO_TAG}" and args["ODOO_TAG"] == "18.0"
    copies = [shlex.split(v) for k, v in steps if k == "COPY"]
    assert ["--chown=odoo:odoo", "addons", "/mnt/extra-addons"] in copies
    assert ["docker/odoo.conf", "/etc/odoo/odoo.conf"] in copies
    users = [v for k, v in steps if k == "USER"]
    assert users[-1] == "odoo", "the server does not run as root"


def test_dockerfile_installs_the_runtime_pins_of_requirements_txt():
    pins, no_deps = {}, {}
    for key, value in _dockerfile_instructions():
        if key != "RUN" or "pip3 install" not in value:
            continue
        words = shlex.split(value)
        for word in words:
            match = PIN_RE.match(word)
            if match:
                pins[match.group(1).lower()] = match.group(2)
                no_deps[match.group(1).lower()] = "--no-deps" in words
    runtime = _requirement_pins("Runtime")
    assert runtime, "requirements.txt has a Runtime part"
    assert "phonenumbers" in runtime
    assert pins == runtime
    assert not set(pins) & set(_requirement_pins("Development"))
    for name, flag in no_deps.items():
        if name.startswith("odoo-addon-"):
            assert flag, f"{name}: OCA wheels install with --no-deps"


def test_docker_build_context_leaves_out_local_state():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    ignored = [line.strip() for line in lines if not line.startswith("#")]
    assert {".git", ".venv", ".local"} <= set(ignored)
    assert "addons" not in ignored and "docker" not in ignored


def test_odoo_conf_uses_workers_and_no_cron_by_default():
    conf = configparser.ConfigParser()
    conf.read(ROOT / "docker" / "odoo.conf")
    options = conf["options"]
    assert int(options["workers"]) >= 2
    assert options["max_cron_threads"] == "0"
    assert "/mnt/extra-addons" in options["addons_path"].split(",")
    assert options["list_db"] == "False"
    assert options["without_demo"] == "all"
    text = (ROOT / "docker" / "odoo.conf").read_text()
    assert "db_replica_host" in text and "db_replica_port" in text


def test_docker_readme_gives_the_upgrade_procedure():
    text = (ROOT / "docker" / "README.md").read_text()
    for step in ("pg_dump", "filestore", "-u edu_crm,campaign_pressure,cmr_portal"):
        assert step in text
    assert "## Rollback" in text and "pg_restore" in text
    assert "db_replica_host" in text


def test_ci_script_runs_lint_and_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
    assert "make test" in ci and "make lint" in ci
    # the dev tool installs what is missing; no LDAP headers any more
    assert "apt-get" not in ci and "ldap" not in ci
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme


def test_readme_prerequisites_name_the_packages_the_tool_installs(monkeypatch):
    monkeypatch.setattr(system, "distro", lambda: "debian")
    facts = system.PythonFacts("3.11", ensurepip=False, headers=False)
    packages = {
        need.package
        for command in ("run", "test", "lint")
        for need in system.needs_for(command, facts)
    }
    readme = (ROOT / "README.md").read_text()
    prerequisites = readme.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    for package in packages - {"python3.11-venv", "python3.11-dev"}:
        assert f"`{package}`" in prerequisites, package
    assert "python3.X-venv" in prerequisites and "python3.X-dev" in prerequisites
    not_needed = "No `libldap2-dev` or `libsasl2-dev`"
    assert not_needed in prerequisites
    assert "libldap2-dev" not in prerequisites.replace(not_needed, "")
    assert "phonenumbers" in readme


def test_local_state_is_git_ignored():
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "/.venv/" in ignored and "/.local/" in ignored
