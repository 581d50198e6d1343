"""Why a message is held back: reason codes, their sentences, the renderer.

A held decision stores a code and its arguments (``reason_code``,
``reason_args``) on traces and simulations; the sentence is rendered in the
reader's language when it is read. The texts are written here once, each
wrapped in the ``_`` given by the caller (the model passes ``env._``: the
terms are the addon's, exported to its ``.pot`` from this file).

Pure: the renderer (:mod:`.render`, shared with the portal's consent log)
gets the words it needs (channel and response labels,
periods) and two look-ups (a rule's name, a formatted date) from the model,
so it is unit-tested without a database (``tests/test_pressure_reasons.py``).
"""

from collections.abc import Callable
from typing import NamedTuple

from . import render


def labels(_):
    """Why a message is held back: ``[(code, label)]`` (the selection of
    every stored reason)."""
    return [
        ("rule", _("Pressure rule")),
        ("own_cap", _("Person's own cap")),
        ("cooldown", _("Cool-down after a negative response")),
        ("blocked_channel", _("Channel blocked by the person")),
        ("quiet_hours", _("Quiet hours")),
        ("quiet_day", _("Quiet day")),
        ("budget", _("Campaign budget reached")),
        ("capacity", _("Channel capacity of the day reached")),
    ]


def templates(_, detailed=True):
    """Sentence of each reason code, with ``%(name)s`` arguments.
    ``detailed``: the reader may see why a person cools down (the marketing
    team: the response is internal scoring)."""
    sentences = {
        "rule": _(
            "Rule '%(rule)s' reached: %(count)s contact(s) in its window, "
            "threshold %(threshold)s."
        ),
        "own_cap": _(
            "The person's own cap reached: %(count)s contact(s) %(period)s, "
            "threshold %(threshold)s."
        ),
        "cooldown": _(
            "Cool-down until %(until)s after a negative response "
            "(%(response)s): the threshold is lowered to %(threshold)s and "
            "%(count)s contact(s) were made."
        ),
        "cooldown_undated": _(
            "Cool-down after a negative response: the threshold is lowered "
            "to %(threshold)s and %(count)s contact(s) were made."
        ),
        "blocked_channel": _("The person blocked the %(channel)s channel."),
        "quiet_hours": _("Quiet hours of the person."),
        "quiet_day": _("Quiet day of the person: nothing until %(until)s."),
        "quiet_day_undated": _("Quiet days of the person: every day of the week."),
        "budget": _(
            "The campaign's budget is reached: %(remaining)s left of "
            "%(budget)s, one message costs %(cost)s."
        ),
        "capacity": _(
            "The %(channel)s channel can take %(capacity)s message(s) a day: "
            "today's are used."
        ),
    }
    if not detailed:
        sentences["cooldown"] = sentences["cooldown_undated"]
    return sentences


class Words(NamedTuple):
    """The words a sentence takes from the reader's language: labels of
    channels and responses (code -> label), periods, "unknown"."""

    channels: dict
    responses: dict
    periods: dict
    unknown: str


def words(_, channels, responses):
    """The :class:`Words` of the reader's language (``channels`` and
    ``responses``: the selections' labels)."""
    return Words(
        channels=dict(channels),
        responses=dict(responses),
        periods={"week": _("this week"), "month": _("this month")},
        unknown=_("unknown"),
    )


def renderer(
    sentences: dict,
    vocabulary: Words,
    rule_name: Callable[[int], str | None],
    date: Callable[[object], str],
):
    """A function ``(code, args) -> sentence`` (:func:`.render.renderer`).

    :param sentences: :func:`templates` in the reader's language;
    :param rule_name: rule id -> its name now (None when it is deleted);
    :param date: a stored date -> its text for the reader.

    Many people of a batch are held back for the same reason: a sentence is
    rendered once per distinct ``(code, args)``.
    """

    def template(code, args):
        if code in ("cooldown", "quiet_day") and not args.get("until"):
            code = f"{code}_undated"
        return sentences.get(code)

    return render.renderer(
        template,
        params=lambda _code, args: _params(args, vocabulary, rule_name, date),
        # an extension's reason without a code: shown as written
        fallback=lambda _code, args: args.get("text") or "",
    )


def _params(args, vocabulary, rule_name, date):
    """The ``%(name)s`` arguments of a sentence, from the stored ``args``."""
    params = dict(args)
    # the rule's name now, in the reader's language (the name it had when a
    # deleted rule is not found)
    params["rule"] = (
        (args.get("rule_id") and rule_name(args["rule_id"]))
        or args.get("rule_name")
        or "?"
    )
    if args.get("until"):
        params["until"] = date(args["until"])
    if "response" in args:
        params["response"] = render.label(
            vocabulary.responses, args["response"], vocabulary.unknown
        )
    if "period" in args:
        params["period"] = render.label(vocabulary.periods, args["period"])
    if "channel" in args:
        params["channel"] = render.label(vocabulary.channels, args["channel"])
    params.setdefault("count", 0)
    params.setdefault("threshold", 0)
    return params
