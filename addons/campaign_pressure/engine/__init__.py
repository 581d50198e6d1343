"""The pressure engine's parts that need no database.

- :mod:`.records`: the named records a check passes around (rules, windows,
  the message, a person as the counting statement returns them, a verdict);
- :mod:`.timeframes`: time zones, calendar periods, quiet hours and days;
- :mod:`.decide`: the decision itself, a pure function (requests in,
  verdicts out), unit-tested without a database (``tests/test_pressure_decide.py``);
- :mod:`.sql`: the builders of the counting statement (needs ``odoo.tools.SQL``).

The model ``campaign.pressure.engine`` keeps the entry points (check and
reserve, evaluate, log) and the ORM around them.

This package imports nothing of Odoo: the repository's plain pytest tests
load it without a server.
"""
