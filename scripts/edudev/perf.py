"""`perf`: the benchmarks in tests/perf on a database without demo data
(``--soak``: only the soak, see ``soak.py``)."""

import os
import subprocess

from .common import LOCAL, OUR_ADDONS, ROOT, TEST_PG_PORT, ident, say
from .odoo_src import addons_hash, addons_path, odoo_base_cmd, odoo_env, run_odoo
from .postgres import embedded_postgres, external_postgres
from .prepare import prepare
from .soak import SOAK_BENCHMARK, soak_config, soak_environ


def cmd_perf(args):
    # bad soak settings are refused before the database is prepared
    soak_config({**os.environ, **soak_environ(args.soak_seconds, args.soak_users)})
    odoo, python = prepare("perf", external_db=args.external_db)
    pg = external_postgres(args.external_db) or embedded_postgres(
        "test", TEST_PG_PORT, fast=True
    )
    db = ident(os.environ.get("PERF_DB", "edu_perf"))
    _ensure_perf_db(odoo, python, pg, db)
    env = odoo_env(odoo)
    env.update(
        EDU_PERF_DB=db,
        EDU_DB_HOST=pg.host,
        EDU_DB_PORT=str(pg.port),
        EDU_DB_USER=pg.user,
        EDU_ODOO_ADDONS_PATH=addons_path(odoo),
    )
    if pg.password:
        env["EDU_DB_PASSWORD"] = pg.password
    env.update(soak_environ(args.soak_seconds, args.soak_users))
    targets = perf_targets(args)
    proc = subprocess.run(
        [str(python), "-m", "pytest", "-s", "-p", "no:cacheprovider", *targets],
        cwd=ROOT,
        env=env,
    )
    return proc.returncode


def perf_targets(args):
    """The pytest targets: the soak alone, the files given, or tests/perf."""
    if args.soak:
        return [SOAK_BENCHMARK, *args.pytest_args]
    return args.pytest_args or ["tests/perf"]


def _ensure_perf_db(odoo, python, pg, db):
    """(Re)create ``db`` with the addons when it is missing or they changed."""
    hash_file = LOCAL / f"{db}.addons-hash"
    current = addons_hash()
    if pg.db_exists(db) and hash_file.exists() and hash_file.read_text() == current:
        return
    pg.drop_db(db)
    say(f"creating benchmark database {db} (addons without demo data)")
    cmd = odoo_base_cmd(python, odoo, pg, db, LOCAL / "test-data")
    cmd += ["-i", ",".join(OUR_ADDONS), "--without-demo", "all"]
    cmd += ["--stop-after-init", "--log-level", "warn", "--max-cron-threads", "0"]
    run_odoo(cmd, odoo_env(odoo))
    hash_file.write_text(current)
