"""Stored codes rendered into the reader's words: one renderer for every
text the addons keep as a code and its arguments.

The pressure engine stores why a message was held back as a reason code and
its arguments (:mod:`.reasons`); the portal's consent log stores a changed
preference as a field name and the value's code (``cmr.consent.log``). Both
are read in the reader's language, often many lines of a batch with the same
code: :func:`renderer` turns a ``(code, args)`` into text through the
caller's templates and renders each distinct pair once.

Pure: the caller gives the templates (already in the reader's language) and
the look-ups; tested without a database (``tests/test_pressure_reasons.py``,
``tests/test_render.py``).
"""

from collections.abc import Callable, Mapping


def label(table: Mapping, code, default=None):
    """The label of ``code`` in ``table``; ``default`` (else the code itself,
    as stored) when the table does not know it."""
    if code in table:
        return table[code]
    return code if default is None else default


def label_list(table: Mapping, codes: str, separator=", "):
    """The labels of a comma-separated list of codes (``sms,phone``)."""
    return separator.join(label(table, code) for code in codes.split(","))


def renderer(
    template: Callable,
    params: Callable | None = None,
    fallback: Callable | None = None,
):
    """A function ``(code, args) -> text``.

    :param template: ``(code, args)`` -> the text for that code: a
      ``%(name)s`` sentence, a function ``params -> text``, or None when the
      code has none;
    :param params: ``(code, args)`` -> the arguments of the sentence in the
      reader's words (default: ``args`` as stored);
    :param fallback: ``(code, args)`` -> the text of a code without template
      (default: empty).

    The text of each distinct ``(code, args)`` is rendered once; arguments
    that are not plain values are rendered every time.
    """
    memo = {}

    def text(code, args):
        found = template(code, args)
        if not found:
            return fallback(code, args) if fallback else ""
        values = params(code, args) if params else args
        return found(values) if callable(found) else found % values

    def render(code, args=None):
        args = args or {}
        try:
            key = (code, *sorted(args.items()))
            if key not in memo:
                memo[key] = text(code, args)
            return memo[key]
        except TypeError:  # stored arguments that are not plain values
            return text(code, args)

    return render
