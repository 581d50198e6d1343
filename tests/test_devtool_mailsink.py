"""The demo's outgoing mail server (scripts/edudev/mailsink.py), for real:
aiosmtpd's Maildir sink started from this Python, a message sent to it with
smtplib as Odoo's ir.mail_server does, read back from the Maildir."""

import mailbox
import smtplib
import sys
from email.message import EmailMessage

import pytest
from _devtool import common, mailsink


def test_sink_keeps_what_is_sent(tmp_path):
    maildir = tmp_path / "mail"
    proc, port = mailsink.start_sink(sys.executable, maildir=maildir)
    try:
        message = EmailMessage()
        message["From"] = "admissions@example.com"
        message["To"] = "Mira Novak <mira.novak@example.com>"
        message["Subject"] = "Your payment was received"
        message.set_content("Thank you.")
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.send_message(message)
    finally:
        mailsink.stop_sink(proc)
    assert proc.poll() is not None, "the sink stops with make run"
    kept = list(mailbox.Maildir(maildir))
    assert [m["Subject"] for m in kept] == ["Your payment was received"]
    assert "mira.novak@example.com" in kept[0]["To"]


def test_sink_that_cannot_start_says_so(tmp_path):
    with pytest.raises(common.UserError, match="EDU_SMTP=off"):
        mailsink.start_sink(tmp_path / "no-python", maildir=tmp_path / "mail")


@pytest.mark.parametrize(
    ("value", "args"),
    [
        ("off", []),
        ("smtp.example.edu:587", ["--smtp", "smtp.example.edu", "--smtp-port", "587"]),
    ],
)
def test_edu_smtp_chooses_the_server(monkeypatch, value, args):
    monkeypatch.setenv("EDU_SMTP", value)
    odoo_args, sink, line = mailsink.outgoing_mail(sys.executable)
    assert (odoo_args, sink) == (args, None)
    assert line.startswith("outgoing mail: ")


def test_edu_smtp_bad_value_is_refused(monkeypatch):
    monkeypatch.setenv("EDU_SMTP", "smtp.example.edu")
    with pytest.raises(common.UserError, match="host:port"):
        mailsink.outgoing_mail(sys.executable)
