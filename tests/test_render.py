"""The one renderer of stored codes (``campaign_pressure/engine/render.py``),
used by the pressure engine's hold reasons and the portal's consent log
(issue 13), without a database."""

from _pressure_engine import load

render = load("render")


def test_label_falls_back_to_the_code_or_a_default():
    table = {"sms": "SMS"}
    assert render.label(table, "sms") == "SMS"
    assert render.label(table, "fax") == "fax"
    assert render.label(table, "fax", "unknown") == "unknown"
    assert render.label_list({"sms": "SMS", "phone": "Phone"}, "sms,fax,phone") == (
        "SMS, fax, Phone"
    )


def test_sentence_function_and_fallback():
    templates = {"hello": "Hello %(name)s.", "days": lambda args: f"{args['n']} days"}
    text = render.renderer(
        lambda code, _args: templates.get(code),
        params=lambda _code, args: dict(args, name=args.get("name", "?").title()),
        fallback=lambda code, args: args.get("text") or f"<{code}>",
    )
    assert text("hello", {"name": "ann"}) == "Hello Ann."
    assert text("days", {"n": 3}) == "3 days"
    assert text("gone", {"text": "as written"}) == "as written"
    assert text("gone", None) == "<gone>"
    # no fallback: a code without template reads empty
    assert render.renderer(lambda _code, _args: None)("gone", {}) == ""


def test_each_distinct_code_and_args_rendered_once():
    calls = []

    def template(code, args):
        calls.append((code, tuple(sorted(args.items()))))
        return "%(n)s"

    text = render.renderer(template)
    assert [text("a", {"n": 1}), text("a", {"n": 1}), text("a", {"n": 2})] == [
        "1",
        "1",
        "2",
    ]
    assert calls == [("a", (("n", 1),)), ("a", (("n", 2),))]
    # arguments that are not plain values: rendered every time, not cached
    assert text("a", {"n": [1]}) == "[1]"
    assert text("a", {"n": [1]}) == "[1]"
    assert len(calls) == 4
