"""Best channel per person (issue 15, item 2): the planner as a pure
function, no database (``campaign_pressure/engine/channel_plan.py``)."""

import pytest
from _pressure_engine import load as _load

cp = _load("channel_plan")

TERMS = {
    "email": cp.ChannelTerms("email", 0.01),
    "sms": cp.ChannelTerms("sms", 0.05),
    "phone": cp.ChannelTerms("phone", 2.0, capacity=2, spread=True),
    "letter": cp.ChannelTerms("letter", 1.0),
}
RATES = cp.Rates(
    {
        ("email", None): 0.02,
        ("sms", None): 0.05,
        ("phone", None): 0.30,
        ("letter", None): 0.04,
        ("email", "alumni"): 0.20,
    }
)
ALL = ("email", "sms", "phone", "letter")


def person(ref, options=ALL, **values):
    return cp.Candidate(ref, tuple(options), **values)


def channels(plan):
    return {a.ref: a.channel for a in plan.assignments}


def reasons(plan):
    return {e.ref: e.reason for e in plan.exclusions}


def test_preferred_first_then_the_cheapest_reachable():
    people = [
        person(1, preferred="sms"),
        person(2, options=("phone", "letter"), preferred="email"),
        person(3),
        person(4, options=(), refused=(("email", "blacklist"),)),
    ]
    plan = cp.plan(people, TERMS, RATES, cp.Policy("preferred"))
    assert channels(plan) == {1: "sms", 2: "letter", 3: "email"}
    assert plan.exclusions == (
        cp.Exclusion(4, cp.NO_CHANNEL, (("email", "blacklist"),)),
    )


def test_cheapest_above_the_segment_threshold():
    people = [person(1), person(2, segment="alumni"), person(3, options=("email",))]
    plan = cp.plan(people, TERMS, RATES, cp.Policy("cheapest", threshold=0.1))
    # email answers at 0.20 for alumni only; phone is the cheapest above 0.1
    assert channels(plan) == {1: "phone", 2: "email"}
    assert reasons(plan) == {3: cp.RATE}


def test_a_channel_outside_the_send_is_never_chosen():
    terms = {code: TERMS[code] for code in ("email", "sms")}
    plan = cp.plan([person(1, preferred="phone")], terms, RATES, cp.Policy())
    assert channels(plan) == {1: "email"}


def test_budget_stops_in_order():
    people = [person(i, preferred="letter") for i in range(1, 5)]
    plan = cp.plan(people, TERMS, RATES, cp.Policy("preferred", budget=2.5))
    # two letters (2.0), then the others fall back to email while 0.5 lasts
    assert channels(plan) == {1: "letter", 2: "letter", 3: "email", 4: "email"}
    assert sum(a.cost for a in plan.assignments) == pytest.approx(2.02)
    plan = cp.plan(people, TERMS, RATES, cp.Policy("cheapest", budget=0.015))
    assert channels(plan) == {1: "email"}
    assert reasons(plan) == {2: cp.BUDGET, 3: cp.BUDGET, 4: cp.BUDGET}


def test_capacity_spreads_calls_over_the_following_days():
    terms = dict(
        TERMS,
        phone=cp.ChannelTerms("phone", 2.0, capacity=2, used_today=1, spread=True),
    )
    people = [person(i, options=("phone",)) for i in range(1, 7)]
    plan = cp.plan(people, terms, RATES, cp.Policy("preferred", days=3))
    days = [(a.ref, a.day) for a in plan.assignments]
    # one call left today, two a day for the next two days, then full
    assert days == [(1, 0), (2, 1), (3, 1), (4, 2), (5, 2)]
    assert reasons(plan) == {6: cp.CAPACITY}
    assert plan.totals()["phone"].days == 3
    # an SMS cannot wait: what today's capacity leaves, no more
    terms = dict(TERMS, sms=cp.ChannelTerms("sms", 0.05, capacity=2, used_today=1))
    people = [person(i, options=("sms",)) for i in range(1, 4)]
    plan = cp.plan(people, terms, RATES, cp.Policy("preferred", days=3))
    assert [(a.ref, a.day) for a in plan.assignments] == [(1, 0)]
    assert reasons(plan) == {2: cp.CAPACITY, 3: cp.CAPACITY}


def test_full_channel_falls_back_to_the_next():
    terms = dict(TERMS, phone=cp.ChannelTerms("phone", 2.0, capacity=1, spread=True))
    people = [person(i, preferred="phone") for i in (1, 2)]
    plan = cp.plan(people, terms, RATES, cp.Policy("preferred", days=1))
    assert channels(plan) == {1: "phone", 2: "email"}


def test_expected_greedy_by_response_per_cost():
    """Budget 4.05: everybody on email first (cheap), then the two best
    upgrades per extra cost: phone for the two whose phone answers best."""
    rates = cp.Rates(
        {("email", None): 0.02, ("phone", None): 0.30, ("phone", "hot"): 0.60}
    )
    terms = {
        "email": cp.ChannelTerms("email", 0.01),
        "phone": cp.ChannelTerms("phone", 2.0),
    }
    people = [
        person(1, options=("email", "phone")),
        person(2, options=("email", "phone"), segment="hot"),
        person(3, options=("email", "phone"), segment="hot"),
        person(4, options=("email",)),
    ]
    plan = cp.plan(people, terms, rates, cp.Policy("expected", budget=4.05))
    assert channels(plan) == {1: "email", 2: "phone", 3: "phone", 4: "email"}
    total = plan.totals()
    assert total["phone"].expected == pytest.approx(1.2)
    assert sum(t.cost for t in total.values()) <= 4.05
    # more expected than the cheapest plan of the same people
    cheapest = cp.plan(people, terms, rates, cp.Policy("cheapest", budget=4.05))
    assert sum(a.expected for a in plan.assignments) > sum(
        a.expected for a in cheapest.assignments
    )


def test_expected_falls_back_when_the_best_is_too_dear():
    """Phone's first step beats email's per cost, but the budget cannot pay
    it: the person still gets the email."""
    terms = {
        "email": cp.ChannelTerms("email", 0.5),
        "phone": cp.ChannelTerms("phone", 2.0),
    }
    rates = cp.Rates({("email", None): 0.01, ("phone", None): 0.5})
    plan = cp.plan(
        [person(1, ("email", "phone"))], terms, rates, cp.Policy("expected", budget=1.0)
    )
    assert channels(plan) == {1: "email"}
    plan = cp.plan(
        [person(1, ("email", "phone"))], terms, rates, cp.Policy("expected", budget=0.1)
    )
    assert reasons(plan) == {1: cp.BUDGET}


def test_expected_respects_capacity():
    terms = {
        "email": cp.ChannelTerms("email", 0.01),
        "phone": cp.ChannelTerms("phone", 2.0, capacity=1, spread=True),
    }
    people = [person(i, ("email", "phone")) for i in (1, 2, 3)]
    plan = cp.plan(people, terms, RATES, cp.Policy("expected", days=2))
    assert sorted(channels(plan).values()) == ["email", "phone", "phone"]
    assert sorted(a.day for a in plan.assignments if a.channel == "phone") == [0, 1]


def test_totals_and_reasons():
    people = [person(1, preferred="sms"), person(2, preferred="sms"), person(3, ())]
    plan = cp.plan(people, TERMS, RATES, cp.Policy())
    assert plan.totals() == {"sms": cp.ChannelTotal(2, 0.1, 0.1, 1)}
    assert plan.excluded_by_reason() == {cp.NO_CHANNEL: 1}


def test_unknown_policy():
    with pytest.raises(ValueError):
        cp.plan([], TERMS, RATES, cp.Policy("loudest"))
