"""The decision of a pressure check, without a database.

:func:`windows` says in which windows a message is counted;
:func:`decide` takes the people the counting statement could not allow at
once (:class:`~.records.Person`, in request order) and returns one
:class:`~.records.Verdict` each. Order of the checks, first reason wins:

1. the channel blocked by the person (holds transactional messages too);
2. quiet hours (too): held back, or postponed to their end when the message
   can wait;
3. quiet days (marketing only): held back until the next day that is not
   quiet, or postponed to it;
4. the window with the least room, at the full thresholds (a rule, the
   person's own cap) and, during a cool-down, at the lowered ones.

The same person twice in a batch counts the contacts allowed before.
"""

import math
from datetime import datetime

from . import timeframes
from .records import ALLOWED, OWN_PERIODS, Planned, Verdict, Window


def windows(message, rules):
    """Windows a ``message`` is counted in: of the ``rules`` that apply, and
    the person's own caps. A transactional message has none: never capped."""
    if message.exempt:
        return []
    found = []
    for rule in rules:
        if not _rule_applies(rule, message):
            continue
        # a rule on both a rolling window and a calendar period checks both
        # windows against its maximum
        kinds = (
            ("rolling", "calendar")
            if rule.window_type == "both"
            else (rule.window_type,)
        )
        found.extend(
            Window(kind, rule.days, rule.period, rule.channels, rule.scope, rule)
            for kind in kinds
        )
    found.extend(
        Window("calendar", 0, period, None, "marketing", None, period)
        for period in OWN_PERIODS
    )
    return found


def _rule_applies(rule, message):
    if message.channel not in rule.channels:
        return False
    if rule.scope == "campaign":
        return message.campaign_id in rule.campaign_ids
    if rule.scope == "tag":
        return bool(set(rule.tag_ids) & set(message.tag_ids or ()))
    return True


def counts_in(window, contact):
    """Whether a contact (a :class:`Planned`, not yet in the log) counts in
    ``window``."""
    if window.channels and contact.channel not in window.channels:
        return False
    if window.scope == "marketing":
        return not contact.exempt
    if window.scope == "campaign":
        return contact.campaign_id in window.rule.campaign_ids
    if window.scope == "tag":
        return bool(set(window.rule.tag_ids) & set(contact.tag_ids or ()))
    return True


def planned_counts(wins, planned):
    """Weighted contacts per window of the ``planned`` contacts."""
    counts = [0] * len(wins)
    for contact in planned:
        contact = Planned(*contact)
        for i, window in enumerate(wins):
            if counts_in(window, contact):
                counts[i] += contact.weight
    return counts


def tightest(wins, used, weight, person, factor):
    """The window with the least room a new contact would exceed:
    ``(worst, lowered)``, each ``(margin, window, used, threshold)`` or None;
    ``worst`` at the full thresholds, ``lowered`` at the thresholds a
    cool-down lowers by ``factor`` (None: no cool-down). ``used``: contacts
    per window (logged, of this batch, reserved by other mailings)."""
    worst = lowered = None
    for window, count in zip(wins, used, strict=True):
        threshold = window.threshold
        if threshold is None:
            if not person.max_contacts or person.period != window.own:
                continue
            threshold = person.max_contacts
        if count + weight > threshold:
            margin = threshold - count
            if worst is None or margin < worst[0]:
                worst = (margin, window, count, threshold)
        if factor is not None:
            cooled = math.floor(threshold * factor)
            if count + weight > cooled:
                margin = cooled - count
                if lowered is None or margin < lowered[0]:
                    lowered = (margin, window, count, cooled)
    return worst, lowered


def decide(persons, message, wins, cooldown_factor, now, default_tz):
    """One :class:`Verdict` per person of ``persons`` (in request order).

    :param persons: :class:`~.records.Person` records left to decide;
    :param message: the :class:`~.records.Message`;
    :param wins: its windows (:func:`windows`), in the order of the counts;
    :param cooldown_factor: how a cool-down lowers the thresholds;
    :param now: naive UTC;
    :param default_tz: time zone of people who have none (the sender's).
    """
    counted = [counts_in(w, _as_planned(message)) for w in wins]
    added = {}  # person key -> contacts allowed in this batch, per window
    verdicts = []
    for person in persons:
        verdict = _decide_one(
            person, message, wins, cooldown_factor, now, default_tz, added
        )
        verdicts.append(verdict)
        if verdict.allowed:
            mine = added.setdefault(person.key, [0] * len(wins))
            for i, counts in enumerate(counted):
                if counts:
                    mine[i] += message.weight
    return verdicts


def _as_planned(message):
    return Planned(
        message.channel,
        message.weight,
        message.exempt,
        message.campaign_id,
        message.tag_ids,
    )


def _decide_one(person, message, wins, factor, now, default_tz, added):
    if person.blocked:
        args = {"channel": message.channel}
        return Verdict(False, "blocked_channel", args, phone_action="block")
    tz = person.tz or default_tz
    postpone = _quiet_time(person, message, now, tz)
    if postpone is not None and not postpone.allowed:
        return postpone
    until = postpone.postpone_until if postpone else None
    zeros = [0] * len(wins)
    planned = message.reserved.get(person.key)
    extra = planned_counts(wins, planned) if planned else zeros
    mine = added.get(person.key, zeros)
    used = [c + m + e for c, m, e in zip(person.counts, mine, extra, strict=True)]
    cooling = bool(person.cooldown_until and person.cooldown_until > now)
    worst, lowered = tightest(
        wins, used, message.weight, person, factor if cooling else None
    )
    if worst or lowered:
        return _capped(person, worst, lowered)._replace(postpone_until=until)
    return Verdict(postpone_until=until) if until else ALLOWED


def _quiet_time(person, message, now, tz):
    """The person's quiet hours and days at ``now``: None (not quiet), a
    held :class:`Verdict`, or an allowed one postponed to when they end."""
    until = None
    quiet_from, quiet_to = person.quiet_from or 0.0, person.quiet_to or 0.0
    if timeframes.quiet_hours_set(quiet_from, quiet_to) and (
        timeframes.in_quiet_hours(timeframes.local_hour(now, tz), quiet_from, quiet_to)
    ):
        if not message.postpone_quiet:
            return Verdict(False, "quiet_hours", {}, phone_action="warn")
        # a channel that can wait (email): sent when the quiet hours end, if
        # the caps allow it now
        until = timeframes.quiet_end(now, tz, quiet_to)
    days = person.quiet_days
    if days and not message.exempt and timeframes.is_quiet_day(now, tz, days):
        after = timeframes.after_quiet_days(now, tz, days, quiet_from, quiet_to)
        if not (message.postpone_quiet and after):
            args = {"until": _to_string(after)} if after else {}
            return Verdict(False, "quiet_day", args, phone_action="block")
        until = max(after, until or after)
    return Verdict(postpone_until=until) if until else None


def _capped(person, worst, lowered):
    _margin, window, used, threshold = worst or lowered
    rule = window.rule
    args = {"count": used, "threshold": threshold}
    if not worst:
        # reached only because the cool-down lowers the thresholds: the rule
        # itself was not reached
        code = "cooldown"
        args.update(
            until=_to_string(person.cooldown_until),
            response=person.cooldown_reason or False,
            rule_id=rule.id if rule else False,
        )
    elif rule:
        code = "rule"
        args["rule_id"] = rule.id
    else:
        code = "own_cap"
        args["period"] = window.own
    return Verdict(
        False,
        code,
        args,
        rule.id if rule else False,
        used,
        threshold,
        rule.phone_action if rule else "block",
    )


def _to_string(value):
    """A datetime as Odoo stores it in text (``fields.Datetime.to_string``)."""
    return value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else value
