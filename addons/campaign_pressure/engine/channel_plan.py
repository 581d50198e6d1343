"""Best channel per person (issue 15, item 2): a pure planner.

Candidates in, a plan out, no database, no Odoo. The model
(``models/mailing_mailing_channel.py``) gathers, set-based, for every
recipient the channels the person allows, can be reached on and has room
for under the pressure rules (:class:`Candidate`), the economics of each
channel (:class:`ChannelTerms`) and the observed response rates per
channel and segment; :func:`plan` chooses by the campaign's policy:

- ``preferred``: the person's preferred channel, else the cheapest channel
  they can be reached on (the fallback of Mautic's marketing messages);
- ``cheapest``: the cheapest channel whose response rate for the person's
  segment is at least the threshold;
- ``expected``: the most expected responses within the budget, greedy by
  response per cost (the LP-relaxation greedy of the multiple-choice
  knapsack: everyone starts on their cheapest useful channel and the best
  upgrades per extra cost are taken while the budget lasts).

A channel with a daily capacity takes ``capacity`` messages a day. When
its messages can wait (``ChannelTerms.spread``: calls, a task with a planned
date) the ones over it go to the following days (:attr:`Assignment.day`), at
most ``Policy.days`` days ahead; past that (or past today for the others)
the channel is full.

The send then follows the plan; the simulation shows it before sending.
Unit-tested without a database (``tests/test_channel_plan.py``).
"""

from collections import defaultdict
from typing import NamedTuple

POLICIES = ("preferred", "cheapest", "expected")

# why a person is in no channel of the plan
NO_CHANNEL = "no_channel"  # no channel allowed, reachable and with room
RATE = "rate"  # no channel responds at the threshold for the segment
BUDGET = "budget"  # no channel the budget can still pay
CAPACITY = "capacity"  # every channel left is full over the planned days


class Candidate(NamedTuple):
    """A recipient as the planner sees them."""

    ref: int  # the recipient's record id
    options: tuple  # channel codes allowed, reachable and with room
    preferred: str | None = None
    segment: str | None = None
    # (channel, reason) of the channels left out before planning
    refused: tuple = ()


class ChannelTerms(NamedTuple):
    """What a channel costs and takes."""

    code: str
    cost: float  # one message, in the budget's currency
    capacity: int | None = None  # a day; None: no limit
    used_today: int = 0
    # the channel's messages may wait for the following days (calls: a task
    # with a planned date); else it takes what is left of today's capacity
    spread: bool = False


class Policy(NamedTuple):
    kind: str = "preferred"
    threshold: float = 0.0  # rate a channel needs (policy ``cheapest``)
    budget: float | None = None  # what may still be spent; None: no limit
    days: int = 14  # how many days a limited channel is spread over


class Assignment(NamedTuple):
    ref: int
    channel: str
    day: int  # 0: today, 1: tomorrow...
    cost: float
    expected: float  # expected responses (the channel's rate)


class Exclusion(NamedTuple):
    ref: int
    reason: str  # NO_CHANNEL, RATE, BUDGET or CAPACITY
    refused: tuple = ()  # the candidate's (channel, reason) pairs


class ChannelTotal(NamedTuple):
    count: int
    cost: float
    expected: float
    days: int  # how many days the channel's messages are spread over


class Plan(NamedTuple):
    assignments: tuple
    exclusions: tuple

    def totals(self):
        """``{channel: ChannelTotal}`` of the plan."""
        acc = defaultdict(lambda: [0, 0.0, 0.0, 0])
        for a in self.assignments:
            row = acc[a.channel]
            row[0] += 1
            row[1] += a.cost
            row[2] += a.expected
            row[3] = max(row[3], a.day + 1)
        return {code: ChannelTotal(*row) for code, row in acc.items()}

    def excluded_by_reason(self):
        """``{reason: count}`` of the people left out."""
        counts = defaultdict(int)
        for e in self.exclusions:
            counts[e.reason] += 1
        return dict(counts)


class Rates:
    """Observed response rates per (channel, segment); the channel's rate
    over every segment when the segment has none, else ``default``."""

    def __init__(self, rates=None, default=0.0):
        self._rates = dict(rates or {})
        self._default = default

    def __call__(self, channel, segment):
        rate = self._rates.get((channel, segment))
        if rate is None:
            rate = self._rates.get((channel, None), self._default)
        return rate


class _Ledger:
    """Budget and slots left while planning."""

    def __init__(self, terms, policy):
        self.budget = policy.budget
        self.slots = {
            code: (
                None
                if t.capacity is None
                else max(
                    0,
                    t.capacity * (max(policy.days, 1) if t.spread else 1)
                    - t.used_today,
                )
            )
            for code, t in terms.items()
        }

    def refusal(self, code, extra_cost):
        """Why ``code`` cannot be taken (None: it can)."""
        if self.slots[code] is not None and self.slots[code] <= 0:
            return CAPACITY
        if self.budget is not None and extra_cost > self.budget + 1e-9:
            return BUDGET
        return None

    def take(self, code, extra_cost, freed=None):
        if freed is not None and self.slots[freed] is not None:
            self.slots[freed] += 1
        if self.slots[code] is not None:
            self.slots[code] -= 1
        if self.budget is not None:
            self.budget -= extra_cost


def plan(candidates, terms, rates, policy):
    """The plan of ``candidates`` (in the order they would be sent).

    :param candidates: iterable of :class:`Candidate`
    :param terms: ``{code: ChannelTerms}`` of the channels the send may use
    :param rates: a :class:`Rates` (or any ``(channel, segment) -> rate``)
    :param policy: a :class:`Policy`
    :return: a :class:`Plan`
    """
    if policy.kind not in POLICIES:
        raise ValueError(f"unknown policy {policy.kind!r}")
    ledger = _Ledger(terms, policy)
    usable = [(c, [o for o in c.options if o in terms]) for c in candidates]
    if policy.kind == "expected":
        chosen, exclusions = _plan_expected(usable, terms, rates, ledger)
    else:
        chosen, exclusions = _plan_ranked(usable, terms, rates, policy, ledger)
    return Plan(tuple(_spread(chosen, terms, rates)), tuple(exclusions))


def _ranked(candidate, options, terms, rates, policy):
    """The candidate's channels in the order the policy tries them."""
    by_cost = sorted(options, key=lambda code: terms[code].cost)
    if policy.kind == "cheapest":
        return [
            code
            for code in by_cost
            if rates(code, candidate.segment) >= policy.threshold - 1e-12
        ]
    if candidate.preferred in options:
        return [candidate.preferred] + [c for c in by_cost if c != candidate.preferred]
    return by_cost


def _plan_ranked(usable, terms, rates, policy, ledger):
    """Policies ``preferred`` and ``cheapest``: each person in turn, the
    first channel of their ranking the budget and the capacity allow."""
    chosen, exclusions = [], []
    for candidate, options in usable:
        if not options:
            exclusions.append(Exclusion(candidate.ref, NO_CHANNEL, candidate.refused))
            continue
        ranked = _ranked(candidate, options, terms, rates, policy)
        if not ranked:
            exclusions.append(Exclusion(candidate.ref, RATE, candidate.refused))
            continue
        reason = None
        for code in ranked:
            reason = ledger.refusal(code, terms[code].cost)
            if reason is None:
                ledger.take(code, terms[code].cost)
                chosen.append((candidate, code))
                break
        else:
            exclusions.append(Exclusion(candidate.ref, reason, candidate.refused))
    return chosen, exclusions


def _hull(options, terms, rates, segment):
    """The channels worth paying more for, cheapest first: each one
    responds better than every cheaper one, with decreasing extra
    response per extra cost from nothing (the upper convex hull of the
    points (cost, rate) and the origin)."""
    points = sorted(
        ((terms[code].cost, rates(code, segment), code) for code in options),
        key=lambda p: (p[0], -p[1]),
    )
    hull = [(0.0, 0.0, None)]
    for point in points:
        if point[1] <= hull[-1][1]:
            continue  # dearer and not better
        while len(hull) >= 2 and _slope(hull[-2], hull[-1]) <= _slope(hull[-1], point):
            hull.pop()
        hull.append(point)
    return hull[1:]


def _slope(a, b):
    dc = b[0] - a[0]
    return float("inf") if dc <= 0 else (b[1] - a[1]) / dc


def _plan_expected(usable, terms, rates, ledger):
    """Policy ``expected``: the steps from nothing to a channel and from a
    channel to a better one, globally by extra response per extra cost,
    while the budget lasts; then whoever is left, on the cheapest channel
    the budget still pays (reached, even if little is expected)."""
    hulls, steps = {}, []
    # people with the same channels and segment have the same hull: a
    # send has a few such groups, not one per person
    shared = {}
    for order, (candidate, options) in enumerate(usable):
        group = (tuple(options), candidate.segment)
        hull = shared.get(group)
        if hull is None:
            hull = shared[group] = _hull(options, terms, rates, candidate.segment)
        hulls[order] = hull
        previous = (0.0, 0.0, None)
        for level, point in enumerate(hull):
            steps.append((-_slope(previous, point), order, level))
            previous = point
    steps.sort()
    chosen_code, stopped = {}, set()
    for _ratio, order, level in steps:
        if order in stopped:
            continue
        hull = hulls[order]
        freed = hull[level - 1][2] if level else None
        extra = hull[level][0] - (hull[level - 1][0] if level else 0.0)
        if ledger.refusal(hull[level][2], extra) is not None:
            stopped.add(order)  # keeps the channel it has, if any
            continue
        ledger.take(hull[level][2], extra, freed)
        chosen_code[order] = hull[level][2]
    chosen, exclusions = [], []
    for order, (candidate, options) in enumerate(usable):
        code, reason = chosen_code.get(order), NO_CHANNEL
        for option in sorted(options, key=lambda c: terms[c].cost) if not code else ():
            reason = ledger.refusal(option, terms[option].cost)
            if reason is None:
                ledger.take(option, terms[option].cost)
                code = option
                break
        if code:
            chosen.append((candidate, code))
        else:
            exclusions.append(Exclusion(candidate.ref, reason, candidate.refused))
    return chosen, exclusions


def _spread(chosen, terms, rates):
    """Assignments of the chosen ``(candidate, channel)`` pairs: a limited
    channel's messages over the days, ``capacity`` a day after what is used
    today."""
    position = defaultdict(int)
    rate_of = {}
    for candidate, code in chosen:
        t = terms[code]
        day = 0
        if t.capacity:
            day = (t.used_today + position[code]) // t.capacity
            position[code] += 1
        key = (code, candidate.segment)
        rate = rate_of.get(key)
        if rate is None:
            rate = rate_of[key] = rates(code, candidate.segment)
        yield Assignment(candidate.ref, code, day, t.cost, rate)
