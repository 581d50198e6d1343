"""The pressure engine's decision as a pure function (issue 13, item 2):
requests in, verdicts out, no database, no Odoo.

``campaign_pressure/engine`` imports nothing of Odoo; it is loaded here as a
package of its own (importing ``campaign_pressure`` would load its models)."""

from datetime import datetime

import pytest
from _pressure_engine import load as _load

decide = _load("decide")
records = _load("records")
timeframes = _load("timeframes")

NOW = datetime(2026, 1, 7, 10, 0)  # a Wednesday, 12:00 in Kyiv


def rule(**values):
    base = dict(
        id=1,
        name="Two a month",
        channels=("email", "sms"),
        window_type="rolling",
        days=30,
        period="month",
        max=2,
        scope="marketing",
    )
    return records.Rule(**dict(base, **values))


def person(key="p:1", counts=(0, 0, 0), **values):
    base = dict(
        key=key,
        pid=int(key[2:]) if key.startswith("p:") else None,
        tz="Europe/Kyiv",
        max_contacts=0,
        period="month",
        quiet_from=0.0,
        quiet_to=0.0,
        quiet_days=0,
        cooldown_until=None,
        cooldown_reason=None,
        blocked=False,
        counts=tuple(counts),
    )
    return records.Person(**dict(base, **values))


def run(persons, message=None, rules=None, factor=0.5, now=NOW):
    message = message or records.Message("email")
    rules = (rule(),) if rules is None else rules
    wins = decide.windows(message, rules)
    return decide.decide(persons, message, wins, factor, now, "UTC")


def test_windows_of_a_rule_and_the_own_caps():
    wins = decide.windows(records.Message("email"), [rule(window_type="both")])
    assert [(w.kind, w.rule and w.rule.id, w.own) for w in wins] == [
        ("rolling", 1, None),
        ("calendar", 1, None),
        ("calendar", None, "week"),
        ("calendar", None, "month"),
    ]
    assert [w.threshold for w in wins] == [2, 2, None, None]
    # another channel, another campaign: the rule does not apply
    assert len(decide.windows(records.Message("letter"), [rule()])) == 2
    scoped = rule(scope="campaign", campaign_ids=(7,))
    assert len(decide.windows(records.Message("email", campaign_id=8), [scoped])) == 2
    assert len(decide.windows(records.Message("email", campaign_id=7), [scoped])) == 3
    # transactional: never capped, no window at all
    assert decide.windows(records.Message("email", exempt=True), [rule()]) == []


def test_allowed_below_the_rule_held_at_it():
    low, full = run([person("p:1", (1, 0, 0)), person("p:2", (2, 0, 0))])
    assert low == records.ALLOWED
    assert (full.allowed, full.code, full.rule_id) == (False, "rule", 1)
    assert full.args == {"count": 2, "threshold": 2, "rule_id": 1}
    assert (full.count, full.threshold, full.phone_action) == (2, 2, "warn")


def test_the_same_person_twice_counts_the_first_contact():
    first, second = run([person(counts=(1, 0, 0)), person(counts=(1, 0, 0))])
    assert first.allowed
    assert not second.allowed and second.count == 2


def test_own_cap_of_the_period_and_blocked_channel():
    (own,) = run([person(counts=(0, 0, 3), max_contacts=3, period="month")])
    assert (own.code, own.args) == (
        "own_cap",
        {"count": 3, "threshold": 3, "period": "month"},
    )
    assert own.phone_action == "block"
    (other_period,) = run([person(counts=(0, 0, 3), max_contacts=3, period="week")])
    assert other_period.allowed
    (blocked,) = run([person(blocked=True)], records.Message("sms", exempt=True))
    assert (blocked.allowed, blocked.code, blocked.args) == (
        False,
        "blocked_channel",
        {"channel": "sms"},
    )


def test_cooldown_lowers_the_threshold_and_says_until_when():
    until = datetime(2026, 1, 20)
    (cooling,) = run(
        [person(counts=(1, 0, 0), cooldown_until=until, cooldown_reason="bounce")]
    )
    assert cooling.code == "cooldown"
    assert cooling.args == {
        "count": 1,
        "threshold": 1,
        "until": "2026-01-20 00:00:00",
        "response": "bounce",
        "rule_id": 1,
    }
    (over,) = run([person(counts=(1, 0, 0), cooldown_until=NOW)])  # ended
    assert over.allowed


def test_planned_contacts_of_winning_mailings_count():
    planned = records.Planned("email", 1, False, None, ())
    message = records.Message("email", reserved={"p:1": [planned, tuple(planned)]})
    (held,) = run([person()], message)
    assert (held.code, held.count) == ("rule", 2)
    exempt_plan = records.Planned("email", 5, True, None, ())
    message = records.Message("email", reserved={"p:1": [exempt_plan]})
    assert run([person()], message) == [records.ALLOWED]


@pytest.mark.parametrize(
    ("now", "postpone", "expected"),
    [
        # 22:30 in Kyiv, quiet 21:00-08:00: held back, or postponed to 08:00
        (datetime(2026, 1, 7, 20, 30), False, ("quiet_hours", None)),
        (datetime(2026, 1, 7, 20, 30), True, (False, datetime(2026, 1, 8, 6, 0))),
        (NOW, True, (False, None)),  # 12:00: not quiet
    ],
)
def test_quiet_hours(now, postpone, expected):
    quiet = person(quiet_from=21.0, quiet_to=8.0)
    (verdict,) = run(
        [quiet], records.Message("email", postpone_quiet=postpone), now=now
    )
    assert (verdict.code, verdict.postpone_until) == expected
    assert verdict.allowed == (expected[0] is False)


def test_quiet_days_hold_marketing_until_the_next_free_day():
    weekend = person(quiet_days=1 << 5 | 1 << 6)
    saturday = datetime(2026, 1, 10, 10, 0)
    (held,) = run([weekend], now=saturday)
    # Monday 00:00 in Kyiv is Sunday 22:00 UTC
    assert (held.code, held.args, held.phone_action) == (
        "quiet_day",
        {"until": "2026-01-11 22:00:00"},
        "block",
    )
    (waits,) = run(
        [weekend], records.Message("email", postpone_quiet=True), now=saturday
    )
    assert waits.allowed and waits.postpone_until == datetime(2026, 1, 11, 22, 0)
    # transactional messages still go out; a weekday is not quiet
    exempt = records.Message("email", exempt=True)  # no window: no counts
    assert run([weekend._replace(counts=())], exempt, now=saturday)[0].allowed
    assert run([weekend])[0].allowed
    (always,) = run(
        [person(quiet_days=0b1111111)], records.Message("email", postpone_quiet=True)
    )
    assert (always.allowed, always.code, always.args) == (False, "quiet_day", {})


def test_quiet_day_starting_in_quiet_hours_waits_for_their_end():
    sunday = person(quiet_days=1 << 6, quiet_from=21.0, quiet_to=8.0)
    (verdict,) = run(
        [sunday],
        records.Message("email", postpone_quiet=True),
        now=datetime(2026, 1, 11, 10, 0),
    )
    assert verdict.postpone_until == datetime(2026, 1, 12, 6, 0)  # Monday 08:00


def test_timeframes():
    assert timeframes.quiet_hours_set(None, 0.0) is False
    assert timeframes.quiet_hours_set(21.0, 8.0)
    assert timeframes.in_quiet_hours(23.0, 21.0, 8.0)
    assert not timeframes.in_quiet_hours(12.0, 21.0, 8.0)
    assert timeframes.local_period_start("week", NOW, "Europe/Kyiv") == datetime(
        2026, 1, 4, 22, 0
    )
    assert timeframes.local_period_start("month", NOW, "Nowhere/Unknown") == datetime(
        2026, 1, 1
    )
