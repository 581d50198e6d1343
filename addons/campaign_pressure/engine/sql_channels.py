"""The counting statement of one message on several channels (issue 15).

A best-channel plan asks, for the same people, whether each of several
channels has room: one statement counts every person's contacts once, in
the union of the channels' windows, and flags each person per channel
(``fl<i>``: the condition of :func:`.sql.flag_condition` with the channel's
block ``b<i>`` and windows). Built from the pieces of :mod:`.sql`; it only
reads (no lock, no reservation) and takes people by partner.
"""

from typing import NamedTuple

from odoo.tools import SQL

from . import sql
from .records import PERSON_COLUMNS


class Channels(NamedTuple):
    """The union of the channels' windows and, per channel (in order), its
    screen and the indexes of its windows in the union."""

    windows: list
    screens: list
    indexes: list


def union(windows_per_channel):
    """``(windows, indexes)``: the distinct windows of the channels, in
    order of appearance, and per channel the indexes of its own."""
    seen = {}
    indexes = []
    for windows in windows_per_channel:
        indexes.append([seen.setdefault(window, len(seen)) for window in windows])
    return list(seen), indexes


def statement(given, channels, now, day_fields, starts):
    """The statement: per flagged person (flagged for at least one channel)
    key, pid, the person's settings (:data:`~.records.PERSON_COLUMNS` but
    ``blocked``), then per channel its block ``b<i>``, then per channel its
    flag ``fl<i>``, then the counts ``w<j>`` of the union's windows.
    ``given``: the :func:`.sql.given_cte` of the people."""
    wins = channels.windows
    first = channels.screens[0]
    persons = sql.persons_cte(
        wins,
        now,
        first,
        day_fields,
        starts,
        blocked=[(f"b{i}", s.channel) for i, s in enumerate(channels.screens)],
    )
    flags = SQL(", ").join(
        SQL(
            "%s AS %s",
            sql.flag_condition(
                screen, now, f"b{i}", [(j, wins[j].threshold) for j in indexes]
            ),
            SQL.identifier(f"fl{i}"),
        )
        for i, (screen, indexes) in enumerate(
            zip(channels.screens, channels.indexes, strict=True)
        )
    )
    flagged = SQL(
        "f AS (SELECT pp.* %s, %s FROM pp %s)",
        SQL(", agg.*") if wins else SQL(),
        flags,
        sql.agg_join(wins, now, first.tags),
    )
    n = len(channels.screens)
    columns = [
        *(col for col in PERSON_COLUMNS if col != "blocked"),
        *(f"b{i}" for i in range(n)),
        *(f"fl{i}" for i in range(n)),
        *(f"w{j}" for j in range(len(wins))),
    ]
    return SQL(
        "WITH %s, persons AS (SELECT * FROM given), %s, %s"
        " SELECT f.key, f.pid, %s FROM f WHERE %s",
        given,
        persons,
        flagged,
        SQL(", ").join(SQL.identifier("f", col) for col in columns),
        SQL(" OR ").join(SQL.identifier("f", f"fl{i}") for i in range(n)),
    )
