"""Several nodes, one database (issue 18, item 3).

Two real ``odoo-bin`` server processes (threaded, one cron thread each) run
on one database copied from a cached template (``_nodes.py``: our addons
with demo data and ``_nodes_scenario.py``). The test drives them over
XML-RPC as admin, both calls released at the same moment, and checks the
effects in the database:

- two mailings sent at once, one by each node, to the same 40 people under
  a rule of one email a week: nobody has more than one contact logged, and
  each person got exactly one email;
- the reminder ladder, the segments job (which refreshes the cash-in
  forecast), the account notices job and the journey tick made due on
  both nodes at once (their cron threads race for them): each runs once,
  each reminder is logged and queued exactly once, each payment receipt
  notice is dispatched (and counted in the contact log) once, each journey
  participant gets its email once.

Only SMTP is not real: the nodes send to a sink of the test.
"""

import collections
import os
import re
import time

import pytest
from _devtool import common, odoo_src
from _nodes import Node, SmtpSink, at_once, drop_database, fresh_database

CRONS = {
    "reminders": "edu_crm.ir_cron_tuition_reminders",
    "segments": "edu_crm.ir_cron_partner_segments",
    "journeys": "campaign_pressure.campaign_journey_cron_run",
    "notices": "cmr_portal.ir_cron_account_notices",
}
CRON_WAIT = int(os.environ.get("EDU_NODES_CRON_WAIT", "240"))


@pytest.fixture(scope="module")
def nodes(tmp_path_factory):
    started = time.monotonic()
    odoo = odoo_src.resolve_odoo(allow_clone=False)
    data_dir = tmp_path_factory.mktemp("nodes")
    db = common.ident(f"edu_nodes_{os.getpid()}")
    pg = fresh_database(odoo, db, data_dir)
    # nothing runs by itself: the test makes due what it races
    pg.psql("UPDATE ir_cron SET nextcall = now() + interval '1 year'", db=db)
    pg.psql("DELETE FROM ir_cron_trigger", db=db)
    sink = SmtpSink()
    logs = common.LOCAL / "logs"
    running = []
    try:
        for idx in (1, 2):
            running.append(
                Node(odoo, db, data_dir, sink.port, logs / f"nodes-{db}-{idx}.log")
            )
        print(f"\n[nodes] two nodes up in {time.monotonic() - started:.0f} s")
        yield {"pg": pg, "db": db, "nodes": running, "sink": sink}
    finally:
        for node in running:
            node.stop()
        sink.close()
        drop_database(db, data_dir)
        print(f"\n[nodes] total {time.monotonic() - started:.0f} s")


def _sql(nodes, query):
    return nodes["pg"].psql(query, db=nodes["db"])


def _rows(nodes, query):
    out = _sql(nodes, query)
    return [line.split("|") for line in out.splitlines() if line]


def _xmlid(nodes, xmlid):
    module, name = xmlid.split(".")
    return int(
        _sql(
            nodes,
            f"SELECT res_id FROM ir_model_data WHERE module = '{module}'"
            f" AND name = '{name}'",
        )
    )


def test_sends_from_both_nodes_never_exceed_the_cap(nodes):
    node_1, node_2 = nodes["nodes"]
    mailings = [
        int(x)
        for x in _sql(
            nodes,
            "SELECT id FROM mailing_mailing WHERE subject LIKE 'Two nodes mailing %'"
            " ORDER BY subject",
        ).split()
    ]
    people = [
        int(x)
        for x in _sql(
            nodes, "SELECT id FROM res_partner WHERE name LIKE 'Node person %'"
        ).split()
    ]
    assert len(mailings) == 2 and len(people) == 40
    sent_before = len(nodes["sink"].messages)
    results = at_once(
        lambda: node_1.rpc("mailing.mailing", "action_send_mail", [mailings[0]]),
        lambda: node_2.rpc("mailing.mailing", "action_send_mail", [mailings[1]]),
    )
    assert results == [True, True], results
    ids = ",".join(map(str, people))
    per_person = dict(
        _rows(
            nodes,
            "SELECT p.id, count(c.id) FROM res_partner p"
            " LEFT JOIN campaign_pressure_contact c ON c.partner_id = p.id"
            " AND c.channel = 'email'"
            f" AND c.state != 'released' WHERE p.id IN ({ids}) GROUP BY p.id",
        )
    )
    over = {pid: n for pid, n in per_person.items() if int(n) > 1}
    assert not over, f"over the cap of one email a week: {over}"
    # each person got one of the two mailings, not none, not both
    assert sorted(map(int, per_person.values())) == [1] * 40
    sent = _rows(
        nodes,
        "SELECT res_id, count(*) FROM mailing_trace WHERE trace_status = 'sent'"
        f" AND mass_mailing_id IN ({mailings[0]}, {mailings[1]}) GROUP BY res_id",
    )
    assert sorted(int(n) for _pid, n in sent) == [1] * 40
    held = int(
        _sql(
            nodes,
            "SELECT count(*) FROM mailing_trace WHERE failure_type = 'pressure'"
            f" AND mass_mailing_id IN ({mailings[0]}, {mailings[1]})",
        )
    )
    assert held == 40, "each person's second mailing is held back by the rule"
    assert len(nodes["sink"].messages) - sent_before == 40


def _cron_runs(nodes, name):
    """Lines of both nodes' logs saying the cron ``name`` ran (started by a
    cron thread)."""
    pattern = re.compile(rf"Job '{re.escape(name)}' \(\d+\) completed")
    return [
        line
        for node in nodes["nodes"]
        for line in node.log_lines()
        if pattern.search(line)
    ]


def _wait_crons(nodes, names, before):
    deadline = time.monotonic() + CRON_WAIT
    while time.monotonic() < deadline:
        if all(len(_cron_runs(nodes, n)) > before[n] for n in names):
            # the other node's thread had its chance too
            time.sleep(5)
            return
        time.sleep(1)
    pytest.fail(f"the crons did not run within {CRON_WAIT} s: {names}")


@pytest.fixture(scope="module")
def crons_ran(nodes):
    """The three jobs made due at once; both nodes' cron threads are woken
    (``ODOO_NOTIFY_CRON_CHANGES``) and race for them. Effects measured."""
    node_1, _node_2 = nodes["nodes"]
    names = {
        key: _sql(nodes, f"SELECT cron_name FROM ir_cron WHERE id = {_xmlid(nodes, x)}")
        for key, x in CRONS.items()
    }
    journey = int(
        _sql(nodes, "SELECT id FROM campaign_journey WHERE name = 'Two nodes journey'")
    )
    before = {n: len(_cron_runs(nodes, n)) for n in names.values()}
    last_log = int(_sql(nodes, "SELECT coalesce(max(id), 0) FROM edu_reminder_log"))
    since = _sql(nodes, "SELECT now() AT TIME ZONE 'UTC'")
    stamp_before = _sql(nodes, "SELECT refreshed_at FROM edu_cashin_forecast_stamp")
    # the demo's payments were notified when the template was built: received
    # again now, their receipts are due again for this run
    _sql(
        nodes,
        "DELETE FROM edu_account_notice WHERE kind = 'payment';"
        " UPDATE account_payment SET create_date = now() AT TIME ZONE 'UTC'"
        " WHERE payment_type = 'inbound'",
    )
    # launching enters the walkers and triggers the journey cron (woken)
    assert node_1.rpc("campaign.journey", "action_launch", [journey]) is True
    ids = [_xmlid(nodes, x) for x in CRONS.values() if "journey" not in x]
    node_1.rpc(
        "ir.cron",
        "write",
        ids,
        {"nextcall": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())},
    )
    _wait_crons(nodes, list(names.values()), before)
    return {
        "names": names,
        "before": before,
        "journey": journey,
        "last_log": last_log,
        "since": since,
        "stamp_before": stamp_before,
    }


def test_each_daily_job_ran_once_on_one_node(nodes, crons_ran):
    for key in ("reminders", "segments", "notices"):
        name = crons_ran["names"][key]
        runs = _cron_runs(nodes, name)[crons_ran["before"][name] :]
        assert len(runs) == 1, f"{key} ran {len(runs)} times: {runs}"


def test_each_reminder_is_sent_exactly_once(nodes, crons_ran):
    """Each reminder planned by this run is done, and its emails and SMS are
    in the invoices' chatter as many times as the log counts them, not
    twice."""
    logs = _rows(
        nodes,
        "SELECT l.id, l.state, l.mail_count + l.sms_count,"
        " (SELECT count(*) FROM mail_message msg"
        " JOIN account_move a ON a.id = msg.res_id AND msg.model = 'account.move'"
        " WHERE a.edu_instalment_id = l.instalment_id"
        f"   AND msg.create_date >= '{crons_ran['since']}')"
        f" FROM edu_reminder_log l WHERE l.id > {crons_ran['last_log']}",
    )
    assert logs, "no reminder was due in the template: the test proves nothing"
    assert {state for _id, state, _n, _m in logs} <= {"done", "failed"}, logs
    assert sum(int(n) for _id, _s, n, _m in logs), "no reminder email: proves little"
    for log_id, _state, mail_count, mails in logs:
        assert int(mails) == int(mail_count), f"log {log_id}: {mails} messages"
    dup = _rows(
        nodes,
        "SELECT instalment_id, stage_id, count(*) FROM edu_reminder_log"
        " GROUP BY 1, 2 HAVING count(*) > 1",
    )
    assert not dup


def test_each_payment_notice_was_dispatched_once(nodes, crons_ran):
    """Each payment receipt planned by the run is dispatched once: one
    contact logged per notice (a second dispatch would log and send it
    again), one notice per payment and payer (the unique key)."""
    notices = _rows(
        nodes,
        "SELECT n.id, n.state, (SELECT count(*) FROM campaign_pressure_contact c"
        "  WHERE c.res_model = 'edu.account.notice' AND c.res_id = n.id)"
        " FROM edu_account_notice n WHERE n.kind = 'payment'",
    )
    assert notices, "no payment in the template: the test proves nothing"
    sent = [(nid, int(n)) for nid, state, n in notices if state == "sent"]
    assert sent, f"no receipt sent: {notices}"
    assert {n for _nid, n in sent} == {1}, sent
    assert not {state for _nid, state, _n in notices} - {"sent", "postponed", "failed"}
    assert not _rows(
        nodes,
        "SELECT event_key, partner_id FROM edu_account_notice"
        " GROUP BY 1, 2 HAVING count(*) > 1",
    )


def test_the_forecast_was_refreshed_once(nodes, crons_ran):
    stamp = _sql(nodes, "SELECT refreshed_at FROM edu_cashin_forecast_stamp")
    assert stamp > crons_ran["stamp_before"]


def test_each_walker_got_the_journey_email_once(nodes, crons_ran):
    per_walker = collections.Counter(
        dict(
            _rows(
                nodes,
                "SELECT p.res_id, count(*) FROM campaign_journey_participant p"
                f" WHERE p.journey_id = {crons_ran['journey']} GROUP BY p.res_id",
            )
        )
    )
    assert len(per_walker) == 30
    items = _rows(
        nodes,
        "SELECT i.participant_id, i.state, count(*) FROM"
        " campaign_journey_participant_step i"
        f" WHERE i.journey_id = {crons_ran['journey']} GROUP BY 1, 2",
    )
    assert {state for _p, state, _n in items} == {"done"}, items
    assert sorted(int(n) for _p, _s, n in items) == [1] * 30
