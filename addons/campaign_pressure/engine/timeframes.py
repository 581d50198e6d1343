"""Time zones, calendar periods, quiet hours and quiet days.

Every datetime in and out is naive UTC, as Odoo stores them; hours are local
hours as floats (``21.5`` is 21:30). Quiet days are a bit mask: bit
``1 << weekday`` (0: Monday) for each quiet day.
"""

from datetime import datetime, timedelta

import pytz

# span of a calendar period in days, used for the horizon of the log scan and
# for arbitration (scheduled mailings planned within the span are reserved)
PERIOD_SPAN = {"day": 1, "week": 7, "month": 31}


def tzinfo(tz):
    """The time zone named ``tz``; UTC for a name pytz does not know."""
    try:
        return pytz.timezone(tz)
    except pytz.UnknownTimeZoneError:
        return pytz.utc


def local(now, tz):
    """``now`` (naive UTC) as an aware datetime in time zone ``tz``."""
    return pytz.utc.localize(now).astimezone(tzinfo(tz))


def local_hour(now, tz):
    moment = local(now, tz)
    return moment.hour + moment.minute / 60.0


def to_utc(zone, naive_local):
    return zone.localize(naive_local).astimezone(pytz.utc).replace(tzinfo=None)


def local_period_start(period, now, tz):
    """Start (naive UTC) of the calendar period containing ``now`` in time
    zone ``tz``: weeks start on Monday, as PostgreSQL's date_trunc."""
    zone = tzinfo(tz)
    start = local(now, tz).replace(
        tzinfo=None, hour=0, minute=0, second=0, microsecond=0
    )
    if period == "week":
        start -= timedelta(days=start.weekday())
    elif period == "month":
        start = start.replace(day=1)
    return to_utc(zone, start)


def quiet_hours_set(quiet_from, quiet_to):
    """Whether a person's quiet hours are set: they start and end at
    different hours (unset hours are 0). The one rule; the counting
    statement applies it as :func:`..sql.quiet_hours_set`."""
    return (quiet_from or 0.0) != (quiet_to or 0.0)


def in_quiet_hours(hour, start, end):
    """Whether local ``hour`` falls in quiet hours from ``start`` to ``end``
    (over midnight when ``end`` comes first)."""
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


def quiet_end(now, tz, end):
    """End (naive UTC) of the quiet hours a person in time zone ``tz`` is in
    at ``now``; ``end``: local hour they end."""
    moment = local(now, tz)
    day = moment.date()
    if moment.hour + moment.minute / 60.0 >= end:
        day += timedelta(days=1)  # quiet since the evening: ends tomorrow
    naive = datetime.combine(day, datetime.min.time()) + timedelta(
        minutes=round(end * 60)
    )
    return to_utc(tzinfo(tz), naive)


def is_quiet_day(now, tz, quiet_days):
    """Whether ``now`` falls on one of the quiet days (mask) in ``tz``."""
    return bool(quiet_days >> local(now, tz).weekday() & 1)


def after_quiet_days(now, tz, quiet_days, quiet_from, quiet_to):
    """Start (naive UTC) of the person's next day that is not quiet, after
    their quiet hours if the day starts in them; None when every day of the
    week is quiet."""
    zone = tzinfo(tz)
    day = local(now, tz).date()
    for _i in range(7):
        day += timedelta(days=1)
        if quiet_days >> day.weekday() & 1:
            continue
        start = to_utc(zone, datetime.combine(day, datetime.min.time()))
        if quiet_hours_set(quiet_from, quiet_to) and in_quiet_hours(
            0.0, quiet_from or 0.0, quiet_to or 0.0
        ):
            start = quiet_end(start, tz, quiet_to or 0.0)
        return start
    return None
