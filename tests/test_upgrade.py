"""Upgrades lose nothing (issue 18, item 2).

The last release (tag 18.0.1.2.0, commit e358d16) is installed with demo data in a
throwaway database of the test cluster, given the data its demo lacks for what has
moved since, and photographed through SQL. Then the working tree's addons update it
with ``-u`` (their migration scripts run) and every row of the photograph must still
be there and equal: tuition contracts, instalments, invoice links, consent log,
contact log, reminder log, preferences (caps, quiet hours and days, channels) and
documents with their attachments, whose files must still hold their checksums.
The update log must have no ERROR and no WARNING about our addons.
"""

import ast
import contextlib
import hashlib
import inspect
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time

import pytest
from _devtool import ROOT, common, odoo_src, postgres, testrun

RELEASE_TAG = "18.0.1.2.0"
RELEASE_COMMIT = "e358d16"
MODULES = ",".join(common.OUR_ADDONS)
MODULE_LIST = ", ".join(f"'{name}'" for name in common.OUR_ADDONS)
DEMO_MODULES = ",".join(common.with_test_modules(common.OUR_ADDONS))
ODOO_TIMEOUT = int(os.environ.get("EDU_UPGRADE_TIMEOUT", "1800"))
# columns any update may touch without changing what a row says
VOLATILE = {"write_date", "write_uid"}
# the released week day numbers: 0 = Monday ... 6 = Sunday (Python's weekday())
QUIET_DAY_FIELDS = [
    f"pressure_quiet_{d}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
]
# what the photograph holds: table -> rows (SQL valid before and after the update)
SNAPSHOT = {
    "edu_tuition_contract": "SELECT * FROM edu_tuition_contract",
    "edu_tuition_instalment": "SELECT * FROM edu_tuition_instalment",
    "edu_tuition_payer": "SELECT * FROM edu_tuition_payer",
    "invoice_links": "SELECT id, name, state, move_type, partner_id, amount_total,"
    " amount_residual, payment_state, edu_instalment_id, edu_contract_id"
    " FROM account_move WHERE edu_instalment_id IS NOT NULL"
    " OR edu_contract_id IS NOT NULL",
    "cmr_consent_log": "SELECT * FROM cmr_consent_log",
    "campaign_pressure_contact": "SELECT * FROM campaign_pressure_contact",
    "edu_reminder_log": "SELECT * FROM edu_reminder_log",
    "preferences": "SELECT id, pressure_max_contacts, pressure_period,"
    " pressure_quiet_from, pressure_quiet_to, cmr_preferred_channel,"
    " cmr_sponsor_consent, (SELECT array_agg(r.channel_id ORDER BY r.channel_id)"
    "   FROM {channel_rel} r WHERE r.partner_id = p.id) AS blocked_channels"
    " FROM res_partner p WHERE pressure_max_contacts != 0"
    " OR pressure_quiet_from != 0 OR pressure_quiet_to != 0"
    " OR cmr_preferred_channel IS NOT NULL"
    " OR EXISTS (SELECT 1 FROM {channel_rel} r WHERE r.partner_id = p.id)",
    "mailing_subscriptions": "SELECT id, contact_id, list_id, opt_out"
    " FROM mailing_subscription",
    "edu_document": "SELECT * FROM edu_document",
    "document_attachments": "SELECT a.id, a.name, a.res_model, a.res_id,"
    " a.checksum, a.file_size, a.store_fname, a.mimetype"
    " FROM ir_attachment a JOIN edu_document d ON d.attachment_id = a.id",
}


def _release_ref():
    """The released commit: the tag, else the commit id, else a clear failure."""
    for ref in (RELEASE_TAG, RELEASE_COMMIT):
        proc = subprocess.run(
            [
                "git",
                "-C",
                str(ROOT),
                "rev-parse",
                "--verify",
                "-q",
                f"{ref}^{{commit}}",
            ],
            capture_output=True,
            text=True,
        )
        if proc.returncode == 0:
            return proc.stdout.strip()
    pytest.fail(
        f"neither tag {RELEASE_TAG} nor commit {RELEASE_COMMIT} is in this clone's "
        f"history: fetch it (git fetch origin tag {RELEASE_TAG}, or unshallow the "
        "clone) so the upgrade from the last release can be tested"
    )


def _extract_release(ref, target):
    archive = target / "release.tar"
    with open(archive, "wb") as out:
        subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref, "addons"], stdout=out, check=True
        )
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    archive.unlink()
    return target / "addons"


def _odoo(odoo, pg, db, addons_dir, data_dir, args, log_file):
    """Run Odoo to its end on ``db`` with ``addons_dir`` first: (rc, log lines)."""
    cmd = odoo_src.odoo_cmd(sys.executable, odoo) + pg.odoo_args()
    cmd += ["--addons-path", ",".join(map(str, [addons_dir, *odoo.addons_paths]))]
    cmd += ["--data-dir", str(data_dir), "-d", db, *args]
    cmd += ["--stop-after-init", "--no-http", "--max-cron-threads", "0"]
    with open(log_file, "w+", encoding="utf-8") as log:
        proc = subprocess.run(
            cmd,
            env=odoo_src.odoo_env(odoo),
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=ODOO_TIMEOUT,
        )
        log.seek(0)
        return proc.returncode, log.read().splitlines()


def _rows(pg, db, sql):
    out = pg.psql(f"SELECT coalesce(json_agg(t), '[]') FROM ({sql}) t", db=db)
    return {row["id"]: row for row in json.loads(out)}


def _channel_rel(pg, db):
    """The relation table of res.partner's pressure_blocked_channel_ids."""
    return pg.psql(
        "SELECT relation_table FROM ir_model_fields WHERE model = 'res.partner'"
        " AND name = 'pressure_blocked_channel_ids'",
        db=db,
    )


def _snapshot(pg, db):
    rel = _channel_rel(pg, db)
    return {
        name: _rows(pg, db, sql.format(channel_rel=rel))
        for name, sql in SNAPSHOT.items()
    }


def _quiet_days_before(pg, db):
    out = pg.psql(
        "SELECT coalesce(json_object_agg(id, cmr_quiet_weekdays), '{}')"
        " FROM res_partner WHERE NULLIF(cmr_quiet_weekdays, '') IS NOT NULL",
        db=db,
    )
    return {int(k): v for k, v in json.loads(out).items()}


def _quiet_days_after(pg, db, ids):
    cols = ", ".join(QUIET_DAY_FIELDS)
    sql = f"SELECT id, {cols} FROM res_partner WHERE id IN ({','.join(map(str, ids))})"
    return _rows(pg, db, sql)


def _seed(pg, db, data_dir):
    """What the demo lacks, written as the release writes it: a person quiet on
    "0,6" (Monday and Sunday in the released numbering; a portal user's partner)
    with its consent log line, an issued document's PDF in the filestore (the
    demo issues without wkhtmltopdf, so without a file) and a reminder log row."""
    partner = pg.psql(
        "UPDATE res_partner SET cmr_quiet_weekdays = '0,6', pressure_quiet_from = 22.5,"
        " pressure_quiet_to = 7.0 WHERE id = (SELECT min(u.partner_id) FROM res_users u"
        " JOIN res_partner p ON p.id = u.partner_id WHERE u.share AND u.active"
        " AND p.cmr_quiet_weekdays IS NULL) RETURNING id",
        db=db,
    ).splitlines()[0]
    pg.psql(
        "INSERT INTO cmr_consent_log (partner_id, date, field_name, user_id,"
        " old_code, new_code, source, create_date, write_date)"
        f" VALUES ({partner}, now(), 'cmr_quiet_weekdays', 1, '', '0,6',"
        " 'portal', now(), now())",
        db=db,
    )
    content = b"%PDF-1.4\n% upgrade test: an issued document's file\n%%EOF\n"
    sha = hashlib.sha1(content).hexdigest()
    fname = f"{sha[:2]}/{sha}"
    path = data_dir / "filestore" / db / fname
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    pg.psql(
        "WITH doc AS (SELECT id, name FROM edu_document WHERE state = 'issued'"
        "  AND attachment_id IS NULL ORDER BY id LIMIT 1),"
        " att AS (INSERT INTO ir_attachment (name, type, res_model, res_id,"
        "  store_fname, checksum, file_size, mimetype, create_date, write_date)"
        f" SELECT doc.name || '.pdf', 'binary', 'edu.document', doc.id, '{fname}',"
        f"  '{sha}', {len(content)}, 'application/pdf', now(), now() FROM doc"
        "  RETURNING id, res_id)"
        f" UPDATE edu_document d SET attachment_id = att.id, checksum = '{sha}'"
        " FROM att WHERE d.id = att.res_id",
        db=db,
    )
    pg.psql(
        "INSERT INTO edu_reminder_log (instalment_id, stage_id, contract_id,"
        " company_id, days_overdue, mail_count, sms_count, activity_count, state,"
        " date_done, create_date, write_date)"
        " SELECT i.id, (SELECT min(id) FROM edu_reminder_stage), i.contract_id,"
        " i.company_id, 3, 1, 0, 0, 'done', now(), now(), now()"
        " FROM edu_tuition_instalment i ORDER BY i.due_date, i.id LIMIT 1",
        db=db,
    )
    return int(partner)


def _attachment_files(data_dir, db, attachments):
    """sha1 of each document attachment's file in the filestore (None: in db)."""
    sums = {}
    for att in attachments.values():
        if att["store_fname"]:
            path = data_dir / "filestore" / db / att["store_fname"]
            sums[att["id"]] = hashlib.sha1(path.read_bytes()).hexdigest()
    return sums


def _differences(before, after, expected_changes):
    """Lines saying what is missing or changed in ``after`` against ``before``."""
    problems = []
    for table, rows in before.items():
        for row_id, row in rows.items():
            new = after[table].get(row_id)
            if new is None:
                problems.append(f"{table} {row_id}: missing after the update")
                continue
            for col, value in row.items():
                if col in VOLATILE:
                    continue
                want = expected_changes.get((table, row_id, col), value)
                if col not in new:
                    problems.append(f"{table} {row_id}: column {col} is gone")
                elif new[col] != want:
                    problems.append(
                        f"{table} {row_id}.{col}: {want!r} became {new[col]!r}"
                    )
    return problems


def _cache_key(ref, odoo):
    """Names the released install with its seed: same release, same Odoo, same
    modules and seed give the same database."""
    digest = hashlib.sha1()
    for part in (
        ref,
        DEMO_MODULES,
        ",".join(map(str, odoo.addons_paths)),
        (odoo.addons_paths[-1].parent / "release.py").read_text(),
        inspect.getsource(_seed),
    ):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()[:12]


def _from_cache(pg, tpl, cache, db, data_dir):
    """Copy the cached release database and filestore to ``db``: its install
    log lines, or None when there is no usable cache."""
    if not (cache / "install.log").exists() or not pg.db_exists(tpl):
        return None
    try:
        pg.psql(f'CREATE DATABASE "{db}" TEMPLATE "{tpl}"')
    except common.UserError:
        return None
    shutil.copytree(cache / "filestore", data_dir / "filestore" / db)
    return (cache / "install.log").read_text().splitlines()


def _to_cache(pg, db, tpl, cache, data_dir, install_log):
    """Keep ``db`` (just installed and seeded, no one connected) as ``tpl``."""
    building = common.ident(f"{tpl}_{os.getpid()}")
    tmp = cache.with_name(f"{cache.name}.{os.getpid()}")
    try:
        if not pg.db_exists(tpl):
            shutil.rmtree(cache, ignore_errors=True)
        pg.psql(f'CREATE DATABASE "{building}" TEMPLATE "{db}"')
        shutil.copytree(data_dir / "filestore" / db, tmp / "filestore")
        (tmp / "install.log").write_text("\n".join(install_log))
        pg.psql(f'ALTER DATABASE "{building}" RENAME TO "{tpl}"')
        os.replace(tmp, cache)
    except (common.UserError, OSError):  # another run cached it first
        pg.drop_db(building)
        shutil.rmtree(tmp, ignore_errors=True)


def _install_release(odoo, pg, db, work, data_dir, log_file):
    """The release installed with demo data and seeded in ``db``, from the
    cache unless EDU_UPGRADE_FRESH=1: its install log lines."""
    ref = _release_ref()
    key = _cache_key(ref, odoo)
    tpl = common.ident(f"edu_upgrade_release_{key}")
    cache = common.LOCAL / "upgrade-cache" / key
    fresh = os.environ.get("EDU_UPGRADE_FRESH") == "1"
    lines = None if fresh else _from_cache(pg, tpl, cache, db, data_dir)
    if lines is not None:
        print(
            f"\n[upgrade] release database copied from {tpl}"
            " (EDU_UPGRADE_FRESH=1 installs it anew)"
        )
        return lines
    old_addons = _extract_release(ref, work)
    rc, lines = _odoo(
        odoo, pg, db, old_addons, data_dir, ["-i", DEMO_MODULES], log_file
    )
    assert rc == 0, f"installing the release failed, see {log_file}"
    _seed(pg, db, data_dir)
    cache.parent.mkdir(parents=True, exist_ok=True)
    _to_cache(pg, db, tpl, cache, data_dir, lines)
    return lines


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory):
    """The released addons installed with data, photographed, then updated."""
    started = time.monotonic()
    work = tmp_path_factory.mktemp("upgrade")
    odoo = odoo_src.resolve_odoo(allow_clone=False)
    pg = postgres.external_postgres(False) or postgres.embedded_postgres(
        "test", common.TEST_PG_PORT, fast=True
    )
    db = common.ident(f"edu_upgrade_{os.getpid()}")
    data_dir = work / "data"
    logs = common.LOCAL / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    pg.drop_db(db)
    try:
        install_log = _install_release(
            odoo, pg, db, work, data_dir, logs / f"upgrade-install-{db}.log"
        )
        installed = time.monotonic()
        quiet_partner = int(
            pg.psql(
                "SELECT id FROM res_partner WHERE cmr_quiet_weekdays = '0,6'", db=db
            )
        )
        before = _snapshot(pg, db)
        quiet_before = _quiet_days_before(pg, db)
        files_before = _attachment_files(data_dir, db, before["document_attachments"])
        rc, update_log = _odoo(
            odoo,
            pg,
            db,
            common.ADDONS_DIR,
            data_dir,
            ["-u", MODULES],
            logs / f"upgrade-update-{db}.log",
        )
        updated = time.monotonic()
        result = {
            "rc": rc,
            "install_log": install_log,
            "update_log": update_log,
            "before": before,
            "after": _snapshot(pg, db) if rc == 0 else None,
            "quiet_partner": quiet_partner,
            "quiet_before": quiet_before,
            "quiet_after": _quiet_days_after(pg, db, quiet_before) if rc == 0 else {},
            "files_before": files_before,
            "files_after": _attachment_files(
                data_dir, db, before["document_attachments"]
            ),
            "versions": pg.psql(
                "SELECT string_agg(name || '=' || latest_version, ',' ORDER BY name)"
                f" FROM ir_module_module WHERE name IN ({MODULE_LIST})",
                db=db,
            ),
        }
        print(
            f"\n[upgrade] release installed in {installed - started:.0f} s,"
            f" updated in {updated - installed:.0f} s,"
            f" total {time.monotonic() - started:.0f} s"
        )
        yield result
    finally:
        pg.drop_db(db)
        with contextlib.suppress(OSError):
            shutil.rmtree(work)


def test_release_installs_cleanly(upgraded):
    report = testrun.analyse_log(upgraded["install_log"], common.OUR_ADDONS)
    assert not report["problems"], "\n".join(report["problems"])


def test_update_runs_without_error_or_warning(upgraded):
    assert upgraded["rc"] == 0, "the update (-u) failed:\n" + "\n".join(
        upgraded["update_log"][-30:]
    )
    report = testrun.analyse_log(upgraded["update_log"], common.OUR_ADDONS)
    assert not report["problems"], "\n".join(report["problems"])
    for name in common.OUR_ADDONS:
        manifest = common.ADDONS_DIR / name / "__manifest__.py"
        version = ast.literal_eval(manifest.read_text())["version"]
        assert f"{name}={version}" in upgraded["versions"].split(","), (
            f"{name} is not at {version} after the update: {upgraded['versions']}"
        )


def test_the_photograph_holds_every_kind_of_data(upgraded):
    """A photograph without contracts or documents would prove nothing."""
    empty = [table for table, rows in upgraded["before"].items() if not rows]
    assert not empty, f"the release's demo has no rows in {empty}: seed them"
    assert upgraded["files_before"], "no document attachment in the filestore"


def test_every_row_is_still_there_and_equal(upgraded):
    assert upgraded["after"] is not None, "the update failed"
    expected = {}
    for row_id, row in upgraded["before"]["cmr_consent_log"].items():
        if row["field_name"] == "cmr_quiet_weekdays":
            expected["cmr_consent_log", row_id, "field_name"] = "pressure_quiet_days"
    problems = _differences(upgraded["before"], upgraded["after"], expected)
    assert not problems, "\n".join(problems)
    assert expected, "no quiet day line in the consent log: the rename is untested"


def test_quiet_days_moved_to_the_week_day_booleans(upgraded):
    quiet = upgraded["quiet_before"]
    assert quiet[upgraded["quiet_partner"]] == "0,6"
    assert len(quiet) >= 2, "the demo's quiet person is missing"
    for partner_id, text in quiet.items():
        days = {int(d) for d in text.split(",")}
        row = upgraded["quiet_after"][partner_id]
        got = {day for day, fname in enumerate(QUIET_DAY_FIELDS) if row[fname]}
        assert got == days, f"partner {partner_id}: {text!r} became {row}"
    seeded = upgraded["quiet_after"][upgraded["quiet_partner"]]
    assert seeded["pressure_quiet_mon"] and seeded["pressure_quiet_sun"]
    assert not any(seeded[f] for f in QUIET_DAY_FIELDS[1:6])


def test_attachment_files_keep_their_content(upgraded):
    assert upgraded["files_after"] == upgraded["files_before"]
    for att_id, sha in upgraded["files_before"].items():
        assert upgraded["before"]["document_attachments"][att_id]["checksum"] == sha


def test_the_comparison_sees_a_lost_row_and_a_changed_value():
    before = {"t": {1: {"id": 1, "a": 1, "write_date": "x"}, 2: {"id": 2, "a": 2}}}
    after = {"t": {1: {"id": 1, "a": 5, "write_date": "y"}}}
    assert _differences(before, after, {}) == [
        "t 1.a: 1 became 5",
        "t 2: missing after the update",
    ]
    assert _differences(before, after, {("t", 1, "a"): 5}) == [
        "t 2: missing after the update"
    ]
    after["t"][2] = {"id": 2}
    assert "t 2: column a is gone" in _differences(before, after, {})


def test_a_clone_without_the_release_fails_clearly(monkeypatch):
    test_upgrade = sys.modules[__name__]
    monkeypatch.setattr(test_upgrade, "RELEASE_TAG", "no-such-tag-18.0.0")
    monkeypatch.setattr(test_upgrade, "RELEASE_COMMIT", "0" * 40)
    with pytest.raises(pytest.fail.Exception, match="neither tag no-such-tag"):
        test_upgrade._release_ref()
