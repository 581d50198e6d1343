"""The demo's outgoing mail server: ``make run`` hands Odoo an SMTP server on
loopback that keeps every message in a Maildir (``.local/mail``), so that
what the demo sends (account notices, mailings, journey steps, chatter
notifications) is sent as it would be in production and read as sent,
while nothing leaves the machine. Without it, each email failed on
"Connection refused" a minute after the demo server started, and the demo's
notices and traces read as failures.

``EDU_SMTP=host:port`` sends through that server instead (no sink);
``EDU_SMTP=off`` gives Odoo no mail server at all (Odoo's default,
localhost:25). The sink is aiosmtpd's own Maildir handler, run from .venv
(aio-libs' SMTP server, Apache 2.0)."""

import contextlib
import mailbox
import os
import socket
import subprocess
import time

from .common import LOCAL, UserError, free_port, say

MAILDIR = LOCAL / "mail"


def smtp_args(host, port):
    """Odoo's command line for an outgoing mail server."""
    return ["--smtp", host, "--smtp-port", str(port)]


def _parse(value):
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise UserError(f"EDU_SMTP={value!r}: expected host:port, or off")
    return host, int(port)


def _accepting(port):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start_sink(python, maildir=MAILDIR, timeout=30):
    """Start the Maildir SMTP sink on a free loopback port with ``python``
    (a venv with aiosmtpd); return (process, port)."""
    maildir.parent.mkdir(parents=True, exist_ok=True)
    mailbox.Maildir(maildir, create=True)  # aiosmtpd's handler expects one
    port = free_port()
    cmd = [
        str(python),
        "-m",
        "aiosmtpd",
        "--nosetuid",
        "--listen",
        f"127.0.0.1:{port}",
        "--class",
        "aiosmtpd.handlers.Mailbox",
        str(maildir),
    ]
    hint = "(EDU_SMTP=off runs without it)"
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        raise UserError(f"the demo's SMTP sink cannot start: {exc} {hint}") from exc
    deadline = time.monotonic() + timeout
    while not _accepting(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_sink(proc)
            raise UserError(
                f"the demo's SMTP sink did not start on 127.0.0.1:{port} {hint}"
            )
        time.sleep(0.1)
    return proc, port


def stop_sink(proc):
    if proc and proc.poll() is None:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        if proc.poll() is None:
            proc.kill()


def outgoing_mail(python):
    """(Odoo's mail server arguments, the sink's process or None, a line
    for the banner) for ``make run``, from ``EDU_SMTP``."""
    value = os.environ.get("EDU_SMTP", "").strip()
    if value == "off":
        return [], None, "outgoing mail: none (EDU_SMTP=off)"
    if value:
        host, port = _parse(value)
        return smtp_args(host, port), None, f"outgoing mail: {host}:{port}"
    proc, port = start_sink(python)
    say(f"outgoing mail kept in {MAILDIR} (SMTP 127.0.0.1:{port}; nothing leaves)")
    return (
        smtp_args("127.0.0.1", port),
        proc,
        f"outgoing mail: kept in {MAILDIR} (a Maildir), nothing leaves the machine",
    )
