"""The reasons of the pressure engine rendered without a database (issue 13,
item 2): the texts, the words of the reader's language and the renderer are
pure (``campaign_pressure/engine/reasons.py``)."""

from _pressure_engine import load

reasons = load("reasons")


def tagged(text):
    """A stand-in translation: every term marked as translated."""
    return f"[uk] {text}"


def render(detailed=True, names=None, calls=None, translate=str):
    names = {1: "Two a month"} if names is None else names
    calls = [] if calls is None else calls

    def rule_name(rule_id):
        calls.append(("rule", rule_id))
        return names.get(rule_id)

    def date(value):
        calls.append(("date", value))
        return f"<{value}>"

    return reasons.renderer(
        reasons.templates(translate, detailed=detailed),
        reasons.words(
            translate, [("email", "Email"), ("sms", "SMS")], [("bounce", "Bounced")]
        ),
        rule_name,
        date,
    )


def test_every_label_has_a_sentence():
    codes = [code for code, _label in reasons.labels(str)]
    assert codes == [
        "rule",
        "own_cap",
        "cooldown",
        "blocked_channel",
        "quiet_hours",
        "quiet_day",
        "budget",
        "capacity",
    ]
    assert set(codes) <= set(reasons.templates(str))


def test_budget_and_capacity_sentences():
    """The economics' holds (issue 15): the amounts as formatted at the
    send, the channel's label in the reader's language."""
    sentence = render()
    assert sentence(
        "budget", {"remaining": "$ 0.50", "budget": "$ 3.00", "cost": "$ 1.00"}
    ) == (
        "The campaign's budget is reached: $ 0.50 left of $ 3.00, one message "
        "costs $ 1.00."
    )
    assert sentence("capacity", {"channel": "sms", "capacity": 40}) == (
        "The SMS channel can take 40 message(s) a day: today's are used."
    )


def test_rule_sentence_names_the_rule_now():
    assert render()("rule", {"rule_id": 1, "count": 2, "threshold": 2}) == (
        "Rule 'Two a month' reached: 2 contact(s) in its window, threshold 2."
    )


def test_deleted_rule_keeps_the_name_it_had_else_a_question_mark():
    sentence = render(names={})
    assert "'Old rule'" in sentence("rule", {"rule_id": 9, "rule_name": "Old rule"})
    assert "'?'" in sentence("rule", {"rule_id": 9})


def test_own_cap_period_and_missing_counts():
    assert render()("own_cap", {"period": "week"}) == (
        "The person's own cap reached: 0 contact(s) this week, threshold 0."
    )
    assert "per fortnight" in render()("own_cap", {"period": "per fortnight"})


def test_cooldown_dated_undated_and_hidden_from_non_marketing_readers():
    args = {"until": "2026-01-09 10:00:00", "response": "bounce", "threshold": 1}
    assert render()("cooldown", args) == (
        "Cool-down until <2026-01-09 10:00:00> after a negative response "
        "(Bounced): the threshold is lowered to 1 and 0 contact(s) were made."
    )
    assert "(unknown)" in render()("cooldown", dict(args, response="spam"))
    undated = (
        "Cool-down after a negative response: the threshold is lowered to 1 "
        "and 0 contact(s) were made."
    )
    assert render()("cooldown", {"threshold": 1}) == undated
    assert render(detailed=False)("cooldown", args) == undated


def test_quiet_day_and_channel():
    sentence = render()
    assert sentence("quiet_day", {"until": "x"}) == (
        "Quiet day of the person: nothing until <x>."
    )
    assert sentence("quiet_day", None) == (
        "Quiet days of the person: every day of the week."
    )
    assert sentence("blocked_channel", {"channel": "sms"}) == (
        "The person blocked the SMS channel."
    )
    assert sentence("blocked_channel", {"channel": "fax"}) == (
        "The person blocked the fax channel."
    )


def test_unknown_code_shows_the_extensions_text():
    assert render()("extension", {"text": "Held by the extension."}) == (
        "Held by the extension."
    )
    assert render()("extension", {}) == ""


def test_sentences_are_in_the_given_language():
    sentence = render(translate=tagged)
    assert sentence("quiet_hours", {}) == "[uk] Quiet hours of the person."
    assert sentence("own_cap", {"period": "month"}).endswith(
        "0 contact(s) [uk] this month, threshold 0."
    )
    assert "([uk] unknown)" in sentence("cooldown", {"until": "d", "response": "x"})


def test_a_sentence_is_rendered_once_per_distinct_reason():
    calls = []
    sentence = render(calls=calls)
    args = {"rule_id": 1, "until": "d", "count": 3}
    assert sentence("rule", args) == sentence("rule", dict(args))
    assert calls == [("rule", 1), ("date", "d")]
    # arguments that are not plain values are rendered, not memoised
    assert sentence("quiet_hours", {"days": [1, 2]}) == "Quiet hours of the person."
