"""Real Odoo server processes on one test database, for the tests that need
more than one node (test_two_nodes.py) or a process to kill
(test_reminder_kill.py).

The database is copied from a template kept in the test cluster, keyed on
the addons' content, the Odoo source and the scenario script
(``_nodes_scenario.py``): a rerun on the same tree starts in seconds. The
servers send mail to a small SMTP sink of the test (the only thing that is
not real: nothing leaves the machine).
"""

import contextlib
import hashlib
import os
import shutil
import socket
import socketserver
import subprocess
import sys
import threading
import time
import xmlrpc.client
from pathlib import Path

from _devtool import common, odoo_src, postgres

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "_nodes_scenario.py"
MODULES = ",".join(common.with_test_modules(common.OUR_ADDONS))
ODOO_TIMEOUT = int(os.environ.get("EDU_NODES_TIMEOUT", "1800"))


class SmtpSink:
    """An SMTP server that accepts every message and keeps only a count
    (and the raw DATA of each, for the tests that look inside)."""

    def __init__(self):
        sink = self
        self.messages = []
        self.lock = threading.Lock()

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"220 sink ESMTP\r\n")
                while line := self.rfile.readline():
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        self.wfile.write(b"250-sink\r\n250 8BITMIME\r\n")
                    elif verb == b"DATA":
                        self.wfile.write(b"354 go on\r\n")
                        data = []
                        while (part := self.rfile.readline()) not in (b".\r\n", b""):
                            data.append(part)
                        with sink.lock:
                            sink.messages.append(b"".join(data))
                        self.wfile.write(b"250 queued\r\n")
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 ok\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def nodes_cluster():
    return postgres.external_postgres(False) or postgres.embedded_postgres(
        "test", common.TEST_PG_PORT, fast=True
    )


def odoo_command(odoo, db, data_dir, *args):
    cmd = odoo_src.odoo_cmd(sys.executable, odoo) + PG.odoo_args()
    cmd += ["--addons-path", odoo_src.addons_path(odoo)]
    cmd += ["--data-dir", str(data_dir), "-d", db, *args]
    return cmd


PG = None


def _cache_key(odoo):
    digest = hashlib.sha1()
    for part in (
        odoo_src.addons_hash(),
        MODULES,
        ",".join(map(str, odoo.addons_paths)),
        (odoo.addons_paths[-1].parent / "release.py").read_text(),
        SCENARIO.read_text(),
    ):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()[:12]


def _build_template(odoo, tpl, data_dir, log_file):
    """Install the addons with demo data in ``tpl`` and run the scenario
    script in it (an Odoo shell)."""
    building = common.ident(f"{tpl}_{os.getpid()}")
    PG.drop_db(building)
    install = odoo_command(odoo, building, data_dir, "-i", MODULES)
    install += ["--stop-after-init", "--max-cron-threads", "0", "--no-http"]
    with open(log_file, "w", encoding="utf-8") as log:
        for cmd, stdin in (
            (install, None),
            (shell_cmd(odoo, building, data_dir), SCENARIO.read_text()),
        ):
            proc = subprocess.run(
                cmd,
                input=stdin,
                text=True,
                env=odoo_src.odoo_env(odoo),
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=ODOO_TIMEOUT,
            )
            assert proc.returncode == 0, f"building {tpl} failed, see {log_file}"
    try:
        PG.psql(f'ALTER DATABASE "{building}" RENAME TO "{tpl}"')
    except common.UserError:  # another run built it first
        PG.drop_db(building)


def shell_cmd(odoo, db, data_dir):
    """An Odoo shell on ``db`` reading its script from stdin."""
    base = odoo_src.odoo_cmd(sys.executable, odoo)
    return [
        *base,
        "shell",
        *PG.odoo_args(),
        "--addons-path",
        odoo_src.addons_path(odoo),
        "--data-dir",
        str(data_dir),
        "-d",
        db,
        "--no-http",
        "--max-cron-threads",
        "0",
        "--log-level",
        "warn",
    ]


def template_db(odoo, data_dir):
    """The template's name, built first when missing."""
    global PG  # noqa: PLW0603
    PG = PG or nodes_cluster()
    key = _cache_key(odoo)
    tpl = common.ident(f"edu_nodes_tpl_{key}")
    logs = common.LOCAL / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    if not PG.db_exists(tpl):
        started = time.monotonic()
        _build_template(odoo, tpl, data_dir, logs / f"nodes-template-{key}.log")
        print(f"\n[nodes] template {tpl} built in {time.monotonic() - started:.0f} s")
    return tpl


def fresh_database(odoo, name, data_dir):
    """A new database ``name`` copied from the (cached) template."""
    tpl = template_db(odoo, data_dir)
    PG.drop_db(name)
    PG.psql(f'CREATE DATABASE "{name}" TEMPLATE "{tpl}"')
    return PG


def drop_database(name, data_dir):
    PG.drop_db(name)
    shutil.rmtree(data_dir / "filestore" / name, ignore_errors=True)


def _wait_port(port, proc, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=1),
        ):
            return True
        time.sleep(0.3)
    return False


class Node:
    """One ``odoo-bin`` server process (threaded, one cron thread) on ``db``."""

    def __init__(self, odoo, db, data_dir, smtp_port, log_file, cron=True):
        self.port = common.free_port()
        self.db = db
        self.log_file = log_file
        cmd = odoo_command(odoo, db, data_dir)
        cmd += ["--http-port", str(self.port), "--http-interface", "127.0.0.1"]
        cmd += ["--gevent-port", str(common.free_port())]
        cmd += ["--max-cron-threads", "1" if cron else "0", "--db-filter", f"^{db}$"]
        cmd += ["--smtp", "127.0.0.1", "--smtp-port", str(smtp_port)]
        cmd += ["--log-level", "info"]
        env = odoo_src.odoo_env(odoo)
        # a cron change (nextcall) wakes the cron threads of every node
        env["ODOO_NOTIFY_CRON_CHANGES"] = "1"
        self.log = open(log_file, "w", encoding="utf-8")  # noqa: SIM115
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        if not _wait_port(self.port, self.proc):
            self.stop()
            raise AssertionError(f"the node did not start, see {log_file}")

    def rpc(self, model, method, *args, **kwargs):
        """``execute_kw`` as admin (its own connection: thread-safe)."""
        url = f"http://127.0.0.1:{self.port}"
        common_ep = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
        uid = common_ep.authenticate(self.db, "admin", "admin", {})
        assert uid, "admin/admin does not log in"
        models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)
        return models.execute_kw(self.db, uid, "admin", model, method, args, kwargs)

    def log_lines(self):
        self.log.flush()
        return Path(self.log_file).read_text(encoding="utf-8").splitlines()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def at_once(*calls):
    """Run the callables at the same moment (one thread each, released by a
    barrier): their results or exceptions, in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(idx, call):
        barrier.wait()
        try:
            results[idx] = call()
        except Exception as exc:  # noqa: BLE001
            results[idx] = exc

    threads = [
        threading.Thread(target=run, args=(idx, call)) for idx, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
