"""The team's five weekly measures of its front door, counted in the database by week.

Every figure is worked out by the database by week (``weeks.LocalWeek``, ``Count``), in three
queries: requests by the week they arrived, contacts by the week they were made, and closed
requests by the week they closed (one small row each, for the exact median). Nothing is
precomputed or cached, so the page is never out of date. Weeks start on
Monday, in the team's local time (``settings.TIME_ZONE``).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from wraparound.demand.weeks import LocalWeek, SecondsBetween, monday_of, week_of
from wraparound.frontdoor.models import Handoff, HelpRequest, RequestContact

URGENT_WITHIN = dt.timedelta(hours=2)
# The charts look back this far (whole weeks, up to last Sunday): three years of weeks is plenty
# for learning, and bounds the work.
LOOKBACK_WEEKS = 156
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class WeekValue:
    """One week's figure and how many things it was worked out from (shown in the table)."""

    week: dt.date  # the Monday
    value: float
    count: int


@dataclass(frozen=True)
class Measure:
    key: str
    title: str
    units: str
    improvement: str  # "up", "down" or "neutral"
    explanation: str
    points: tuple[WeekValue, ...]


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class _Window:
    """The LOOKBACK_WEEKS whole weeks before this one.

    The week under way is left out: a Monday morning's handful of requests is not a week, and
    charted it would look like a sudden fall (special cause) every Monday.
    """

    start: dt.datetime
    end: dt.datetime
    first: dt.date
    last: dt.date
    today: dt.date

    def week(self, column: str) -> LocalWeek:
        return LocalWeek(column, first=self.first - DAY, last=self.last + DAY)


def _window(today: dt.date) -> _Window:
    last = _monday(today)
    first = last - dt.timedelta(weeks=LOOKBACK_WEEKS)
    tz = timezone.get_current_timezone()
    return _Window(
        start=dt.datetime.combine(first, dt.time(), tzinfo=tz),
        end=dt.datetime.combine(last, dt.time(), tzinfo=tz),
        first=first,
        last=last,
        today=today,
    )


def _received(team_id: int, w: _Window) -> tuple[list[WeekValue], list[WeekValue]]:
    """Requests per week, and urgent ones seen within 2 hours, from one pass by received week.

    A week with no requests is a real zero on the requests chart (the weeks between the first
    request and now are filled), unlike the ratio charts, where a week with nothing to divide by
    has no point at all.
    """
    rows = list(
        HelpRequest.objects.filter(team_id=team_id, received_at__gte=w.start, received_at__lt=w.end)
        .annotate(week=w.week("received_at"), wait=SecondsBetween("first_visit_at", "received_at"))
        .values("week")
        .annotate(
            n=Count("id"),
            n_urgent=Count("id", filter=Q(urgent=True)),
            seen=Count("id", filter=Q(urgent=True, wait__lte=URGENT_WITHIN.total_seconds())),
        )
        .order_by("week")
    )
    if not rows:
        return [], []
    counts = {r["week"]: r["n"] for r in rows}
    requests = [
        WeekValue(week=monday_of(k), value=float(counts.get(k, 0)), count=counts.get(k, 0))
        for k in range(min(counts), week_of(w.last))
    ]
    urgent = [
        WeekValue(
            week=monday_of(r["week"]), value=100.0 * r["seen"] / r["n_urgent"], count=r["n_urgent"]
        )
        for r in rows
        if r["n_urgent"]
    ]
    return requests, urgent


def _failure_share(team_id: int, w: _Window) -> list[WeekValue]:
    """Failure contacts as a percentage of all contacts about the team's requests that week."""
    rows = (
        RequestContact.objects.filter(request__team_id=team_id, at__gte=w.start, at__lt=w.end)
        .annotate(week=w.week("at"))
        .values("week")
        .annotate(n=Count("id"), failure=Count("id", filter=Q(demand="failure")))
        .order_by("week")
    )
    return [
        WeekValue(week=monday_of(r["week"]), value=100.0 * r["failure"] / r["n"], count=r["n"])
        for r in rows
        if r["n"]
    ]


def _closed(team_id: int, w: _Window) -> tuple[list[WeekValue], list[WeekValue]]:
    """End-to-end time (median days, requests closed as helped that week) and hand-offs per
    request (all requests closed that week), from one pass over the week's closed requests.

    One small row per closed request comes back (its week, status, seconds taken and number of
    hand-offs, all worked out in SQL); the median needs every duration, and Python's is exact.
    """
    moves = (
        Handoff.objects.filter(request_id=OuterRef("pk"))
        .values("request_id")
        .annotate(c=Count("id"))
        .values("c")
    )
    rows = (
        HelpRequest.objects.filter(team_id=team_id, closed_at__gte=w.start, closed_at__lt=w.end)
        .annotate(
            week=w.week("closed_at"),
            took=SecondsBetween("closed_at", "received_at"),
            moves=Coalesce(Subquery(moves, output_field=IntegerField()), 0),
        )
        .values_list("week", "status", "took", "moves")
    )
    took: dict[int, list[float]] = defaultdict(list)
    closed: dict[int, list[int]] = defaultdict(list)
    for week, status, seconds, moved in rows:
        closed[week].append(moved)
        if status == "helped":
            took[week].append(seconds / 86400)
    end_to_end = [
        WeekValue(week=monday_of(k), value=statistics.median(v), count=len(v))
        for k, v in sorted(took.items())
    ]
    handoffs = [
        WeekValue(week=monday_of(k), value=sum(v) / len(v), count=len(v))
        for k, v in sorted(closed.items())
    ]
    return end_to_end, handoffs


def team_measures(team_id: int, today: dt.date | None = None) -> list[Measure]:
    """The five measures, in the order the page shows them."""
    today = today or timezone.localdate()
    w = _window(today)
    requests, urgent = _received(team_id, w)
    end_to_end, handoffs = _closed(team_id, w)
    return [
        Measure(
            key="requests",
            title="Requests for help each week",
            units="requests",
            improvement="neutral",
            explanation="How many times someone asked the team for help. Neither up nor down is "
            "better: this is the demand the team exists to meet.",
            points=tuple(requests),
        ),
        Measure(
            key="failure_demand",
            title="Failure demand: share of contacts",
            units="% of contacts",
            improvement="down",
            explanation="Contacts caused by not doing something, or not doing it right: chasing, "
            "asking again, being bounced, a wrong referral, information that should have been "
            "given. Lower is better.",
            points=tuple(_failure_share(team_id, w)),
        ),
        Measure(
            key="end_to_end",
            title="End-to-end time: first contact to helped",
            units="days (median)",
            improvement="down",
            explanation="The median number of days from the first contact to the person saying "
            "they were helped, for requests closed as helped that week. Lower is better.",
            points=tuple(end_to_end),
        ),
        Measure(
            key="handoffs",
            title="Hand-offs per request",
            units="hand-offs per request",
            improvement="down",
            explanation="How many times a request changed owner before it was closed, on average, "
            "for requests closed that week. Lower is better.",
            points=tuple(handoffs),
        ),
        Measure(
            key="urgent_two_hours",
            title="Urgent requests seen within 2 hours",
            units="% of urgent requests",
            improvement="up",
            explanation="Of the urgent requests received that week, how many had a first visit "
            "within 2 hours. Higher is better.",
            points=tuple(urgent),
        ),
    ]
