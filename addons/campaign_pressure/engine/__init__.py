"""The pressure engine's parts that need no database.

- :mod:`.records`: the named records a check passes around (rules, windows,
  the message, a person as the counting statement returns them, a verdict);
- :mod:`.timeframes`: time zones, calendar periods, quiet hours and days;
- :mod:`.decide`: the decision itself, a pure function (requests in,
  verdicts out), unit-tested without a database (``tests/test_pressure_decide.py``);
- :mod:`.reasons`: why a message is held back: the reason codes, their
  sentences and the renderer (``tests/test_pressure_reasons.py``);
- :mod:`.sql`: the builders of the counting statement (needs ``odoo.tools.SQL``).

The model ``campaign.pressure.engine`` keeps the entry points (check and
reserve, evaluate, log) and the ORM around them (``models/campaign_pressure_engine.py``;
its reasons in ``campaign_pressure_reasons.py``, the send paths' helpers in
``campaign_pressure_sends.py``).

This package imports nothing of Odoo: the repository's plain pytest tests
load it without a server.
"""
