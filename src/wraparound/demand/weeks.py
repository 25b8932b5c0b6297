"""Week numbers and durations worked out inside the database, fast on SQLite and PostgreSQL.

Django's ``TruncWeek`` and datetime arithmetic run as Python functions on SQLite, once per row:
with 100,000 requests the learning page took seconds. These expressions are plain SQL on both
databases, so a week's count costs the database a scan and nothing more.

A week is numbered from Monday 3 January 2000 (week 0) in local time (``settings.TIME_ZONE``).
PostgreSQL converts each instant with ``AT TIME ZONE``; SQLite has no time zones, so the UTC
offsets in force over the charts' window are worked out here (``_offsets``) and written into
the SQL as a ``CASE`` over the stored UTC text (which sorts like time).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import FloatField, Func, IntegerField

EPOCH = dt.date(2000, 1, 3)  # a Monday
EPOCH_JULIAN_DAY = 2451546.5  # julianday('2000-01-03 00:00:00')
# A hair over the float error of julianday() near today, so an instant exactly at local
# midnight on a Monday is never put in the week before.
EPSILON_DAYS = 1e-8


def monday_of(week: int) -> dt.date:
    return EPOCH + dt.timedelta(weeks=int(week))


def week_of(day: dt.date) -> int:
    return (day - EPOCH).days // 7


@lru_cache(maxsize=16)
def _offsets(tzname: str, first: dt.date, last: dt.date) -> tuple[tuple[str, float], ...]:
    """(UTC instant from which it applies, offset in days) for each change of offset in the
    window; the first entry applies from the start. Changes are found day by day, then to the
    second by halving."""
    zone = ZoneInfo(tzname)

    def offset(second: int) -> float:
        moment = dt.datetime.fromtimestamp(second, dt.UTC)
        return moment.astimezone(zone).utcoffset().total_seconds() / 86400

    second = int(dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC).timestamp())
    end = int(dt.datetime.combine(last, dt.time(), tzinfo=dt.UTC).timestamp())
    found = [("", offset(second))]
    while second < end:
        following = second + 86400
        if offset(following) != offset(second):
            low, high = second, following  # offset(low) is the old one, offset(high) the new
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(middle) == offset(low) else (low, middle)
            at = dt.datetime.fromtimestamp(high, dt.UTC)
            found.append((at.strftime("%Y-%m-%d %H:%M:%S"), offset(high)))
        second = following
    return tuple(found)


class LocalWeek(Func):
    """The local week number of a datetime column (see the module's docstring)."""

    output_field = IntegerField()

    def __init__(self, expression, *, first: dt.date, last: dt.date):
        super().__init__(expression)
        self.first, self.last = first, last

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return (
                f"((DATE_TRUNC('week', {column} AT TIME ZONE %s))::date - DATE '2000-01-03') / 7",
                (*params, settings.TIME_ZONE),
            )
        if connection.vendor != "sqlite":
            raise NotImplementedError("LocalWeek: SQLite and PostgreSQL only")
        spans = _offsets(settings.TIME_ZONE, self.first, self.last)
        whens = [
            f"WHEN {column} < '{until}' THEN {before!r}"
            for (_, before), (until, _) in zip(spans, spans[1:], strict=False)
        ]
        offset_sql = f"(CASE {' '.join(whens)} ELSE {spans[-1][1]!r} END)" if whens else "0.0"
        if not whens:
            offset_sql = repr(spans[0][1])
        sql = (
            f"CAST((julianday({column}) + {offset_sql} - {EPOCH_JULIAN_DAY!r}"
            f" + {EPSILON_DAYS!r}) / 7 AS INTEGER)"
        )
        return sql, tuple(params) * (1 + len(whens))


class SecondsBetween(Func):
    """Whole seconds from ``start`` to ``end`` (SQLite's clock resolves milliseconds)."""

    output_field = FloatField()

    def __init__(self, end, start):
        super().__init__(end, start)

    def as_sql(self, compiler, connection, **extra):
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        if connection.vendor == "postgresql":
            sql = f"EXTRACT(EPOCH FROM ({end} - {start}))"
        elif connection.vendor == "sqlite":
            sql = f"ROUND((julianday({end}) - julianday({start})) * 86400.0, 3)"
        else:
            raise NotImplementedError("SecondsBetween: SQLite and PostgreSQL only")
        return sql, (*end_params, *start_params)
