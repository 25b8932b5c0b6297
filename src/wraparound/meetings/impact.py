"""What the team's MDT meetings did, in figures: the measures behind the impact page.

Wolverhampton's stated challenge was "demonstrating the impact and value of the MDT" (seed 002).
This module counts; it decides nothing about who may see what (that is the gate's,
``governance.access.meeting_impact``). Each measure is one small query over the team's own
meetings, case list items and the plan actions agreed at them: a team holds a few hundred
discussions a year, so the rows come back whole and are grouped by local month here. Hospital
events are read only for the people discussed (their linked records, then their events), never by
scanning everybody's.

Definitions, as the page states them:

* a *discussion* is a case list item marked discussed at a meeting that was not cancelled; its
  day is the meeting's local date (the minutes are sometimes typed up later);
* an action *agreed at a meeting* is a plan action whose ``meeting_item_id`` is one of the team's
  items; it is *on time* when its local done date is on or before its due date;
* *nomination to discussion* is whole local days from the nomination to the meeting's date;
* *hospital use* counts emergency admissions and A&E attendances from acute trust feeds in the 90
  days before and the 90 days after each person's first discussion (the day itself is in
  neither), only once those 90 days after have passed. Events in a sensitive category (mental
  health and the rest) are never counted, for anybody.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.db.models.functions import Coalesce
from django.utils import timezone

from wraparound.identity.models import Person
from wraparound.meetings.models import CaseItem, Meeting
from wraparound.plans.models import ActionStatus, PlanAction
from wraparound.sources.models import Event, Partner, SourceRecord

LOOKBACK_MONTHS = 36
"""The charts, and the people followed up for hospital use, go back this many whole months."""
HEADLINE_MONTHS = 12
WINDOW_DAYS = 90
"""Days before and after a discussion in which hospital use is counted."""
Z95 = 1.959963984540054

A_AND_E = "A&E attendance"
ADMISSION = "Admission"
EMERGENCY_ADMISSION_CODES = frozenset({"183452005"})
"""SNOMED CT "Emergency hospital admission". An admission counts as an emergency only when the
trust's feed codes it so: elective and uncoded admissions are left out (the page says so)."""


# --- months -------------------------------------------------------------------------------


def month_of(day: dt.date) -> dt.date:
    """The first of the month ``day`` falls in: how a month is named inside this module."""
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from ``first`` up to but not including ``last`` (both firsts of months)."""
    out, month = [], first
    while month < last:
        out.append(month)
        month = add_months(month, 1)
    return out


def _local_dates():
    """A function from an aware datetime to its local date, with the zone looked up once:
    ``timezone.localtime`` looks it up on every call, which was most of the page's time."""
    zone = timezone.get_current_timezone()
    return lambda moment: moment.astimezone(zone).date()


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


# --- rates with their uncertainty (pure arithmetic) ----------------------------------------


def _poisson_cdf(k: int, mean: float) -> float:
    """P(X ≤ k) for X ~ Poisson(mean), summed in log space so large counts do not overflow."""
    if mean <= 0:
        return 1.0
    log_mean = math.log(mean)
    terms = [i * log_mean - mean - math.lgamma(i + 1) for i in range(k + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def _solve(f, low: float, high: float) -> float:
    """The root of the decreasing function ``f`` between ``low`` and ``high``, by halving."""
    for _ in range(200):
        middle = (low + high) / 2
        if f(middle) > 0:
            low = middle
        else:
            high = middle
        if high - low <= 1e-12 * max(1.0, high):
            break
    return (low + high) / 2


@lru_cache(maxsize=4096)
def poisson_interval(count: int, level: float = 0.95) -> tuple[float, float]:
    """The exact (Garwood) confidence interval for the mean of a Poisson count.

    The lower limit is the mean under which a count this high or higher has probability
    (1 − level)/2, the upper the mean under which a count this low or lower has that
    probability; for 0 events the lower limit is 0. Worked out by halving on the Poisson
    distribution itself, so no statistics library is needed (scipy is not a dependency).
    Kept once worked out: a count's limits never change, and the page asks for the same few.
    """
    if count < 0:
        raise ValueError("A count cannot be negative.")
    tail = (1 - level) / 2
    high = count + 10 * math.sqrt(count + 1) + 10
    upper = _solve(lambda m: _poisson_cdf(count, m) - tail, 0.0, high)
    if count == 0:
        return 0.0, upper
    # P(X ≥ k) = 1 − P(X ≤ k − 1) is ``tail`` at the lower limit.
    lower = _solve(lambda m: _poisson_cdf(count - 1, m) - (1 - tail), 0.0, high)
    return lower, upper


@dataclass(frozen=True)
class Rate:
    """A count of events among ``people`` over the same number of days each, as a rate per 100
    people with its exact 95% interval."""

    events: int
    people: int
    per_100: float
    low: float
    high: float


def rate_per_100(events: int, people: int) -> Rate:
    if people <= 0:
        raise ValueError("A rate needs at least one person.")
    low, high = poisson_interval(events)
    scale = 100 / people
    return Rate(events, people, events * scale, low * scale, high * scale)


@dataclass(frozen=True)
class Difference:
    """After minus before, per 100 people, with an approximate 95% interval."""

    per_100: float
    low: float
    high: float


def difference_per_100(before: int, after: int, people: int) -> Difference:
    """After minus before, per 100 people, ± 1.96 × √(before + after) × 100 / people.

    The normal approximation to the difference of two Poisson counts over equal time, treated as
    independent. The same people are counted twice, and hospital use clusters in a few people,
    so this interval is a guide, not an exact one; with few events it is too narrow.
    """
    if people <= 0:
        raise ValueError("A difference needs at least one person.")
    scale = 100 / people
    half = Z95 * math.sqrt(before + after) * scale
    centre = (after - before) * scale
    return Difference(centre, centre - half, centre + half)


# --- the measures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthValue:
    month: dt.date  # the first of the month
    value: float
    count: int  # how many things it was worked out from
    low: float | None = None  # shortest, for durations
    high: float | None = None  # longest, for durations


@dataclass(frozen=True)
class Discussion:
    meeting_id: int
    person_id: int
    day: dt.date  # the meeting's local date
    waited_days: int  # nomination to discussion


def discussions(team_id: int, since: dt.date) -> list[Discussion]:
    """Every discussion at the team's meetings from ``since`` on, oldest first.

    People whose record was retired (merged away without their items following) are left out:
    they have no linked records, so they would count as people without events. Two queries:
    the discussions, then which of those people are retired.
    """
    rows = (
        CaseItem.objects.filter(
            meeting__team_id=team_id,
            status=CaseItem.Status.DISCUSSED,
            meeting__starts_at__gte=_start_of(since),
        )
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .order_by("meeting__starts_at", "id")
        .values_list("meeting_id", "person_id", "meeting__starts_at", "nominated_at")
    )
    rows = list(rows)
    # By primary key, for these people only: a subquery here scanned every person (no index on
    # ``retired``), most of this query's time at 100,000 people.
    retired = set(
        Person.objects.filter(id__in={row[1] for row in rows}, retired=True).values_list(
            "id", flat=True
        )
    )
    out = []
    _local_date = _local_dates()
    for meeting_id, person_id, starts_at, nominated_at in rows:
        if person_id in retired:
            continue
        day = _local_date(starts_at)
        waited = max(0, (day - _local_date(nominated_at)).days)
        out.append(Discussion(meeting_id, person_id, day, waited))
    return out


def people_by_month(found: list[Discussion], months: list[dt.date]) -> list[MonthValue]:
    """People discussed each month (each person once a month), a real zero in a month without."""
    people: dict[dt.date, set[int]] = defaultdict(set)
    talks: dict[dt.date, int] = defaultdict(int)
    for d in found:
        people[month_of(d.day)].add(d.person_id)
        talks[month_of(d.day)] += 1
    if not people:
        return []
    first = min(people)
    return [
        MonthValue(month=m, value=float(len(people[m])), count=talks[m])
        for m in months
        if m >= first
    ]


def waits_by_month(found: list[Discussion], months: list[dt.date]) -> list[MonthValue]:
    """Median days from nomination to discussion each month, with the shortest and longest."""
    waits: dict[dt.date, list[int]] = defaultdict(list)
    for d in found:
        waits[month_of(d.day)].append(d.waited_days)
    return [
        MonthValue(
            month=m,
            value=float(statistics.median(waits[m])),
            count=len(waits[m]),
            low=float(min(waits[m])),
            high=float(max(waits[m])),
        )
        for m in months
        if waits.get(m)
    ]


@dataclass(frozen=True)
class AgreedAction:
    meeting_day: dt.date
    due_on: dt.date | None
    done_on: dt.date | None  # None while open
    not_needed: bool

    def state(self, today: dt.date) -> str:
        """on_time | late | done_no_date | overdue | not_yet_due | open_no_date | not_needed"""
        if self.not_needed:
            return "not_needed"
        if self.done_on is not None:
            if self.due_on is None:
                return "done_no_date"
            return "on_time" if self.done_on <= self.due_on else "late"
        if self.due_on is None:
            return "open_no_date"
        return "overdue" if self.due_on < today else "not_yet_due"


def agreed_actions(team_id: int) -> list[AgreedAction]:
    """Every plan action agreed at one of the team's meetings, with its meeting's date.

    Two queries: the team's items with their meeting's start, then the actions agreed at them
    (each meeting's date is worked out once, not once per action).
    """
    _local_date = _local_dates()
    met = {
        item_id: _local_date(starts_at)
        for item_id, starts_at in CaseItem.objects.filter(meeting__team_id=team_id)
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .order_by()
        .values_list("id", "meeting__starts_at")
    }
    if not met:
        return []
    rows = (
        PlanAction.objects.filter(meeting_item_id__in=list(met))
        # An action marked done before ``done_at`` existed: its last change is the best date.
        .annotate(done=Coalesce("done_at", "recorded_at"))
        .order_by()
        .values_list("meeting_item_id", "due_on", "status", "done")
    )
    return [
        AgreedAction(
            meeting_day=met[item_id],
            due_on=due_on,
            done_on=_local_date(done) if status == ActionStatus.DONE else None,
            not_needed=status == ActionStatus.NOT_NEEDED,
        )
        for item_id, due_on, status, done in rows
    ]


def on_time_by_month(
    actions: Iterable[AgreedAction], months: list[dt.date], today: dt.date
) -> list[MonthValue]:
    """Of the actions that fell due each month, the percentage done by their due date.

    Actions are placed in the month of their due date; those with no due date, and those no
    longer needed, cannot be on time or late and are left out. Months without any have no point.
    """
    due: dict[dt.date, list[bool]] = defaultdict(list)
    for action in actions:
        state = action.state(today)
        if state in ("on_time", "late", "overdue"):
            due[month_of(action.due_on)].append(state == "on_time")
    return [
        MonthValue(month=m, value=100.0 * sum(due[m]) / len(due[m]), count=len(due[m]))
        for m in months
        if due.get(m)
    ]


@dataclass(frozen=True)
class HospitalUse:
    """Emergency admissions and A&E attendances before and after the people's first discussion."""

    people: int
    admissions_before: int
    admissions_after: int
    attendances_before: int
    attendances_after: int


def first_discussions(found: list[Discussion], today: dt.date) -> dict[int, dt.date]:
    """Each person's first discussion, for people whose 90 days after it have passed."""
    first: dict[int, dt.date] = {}
    for d in found:  # oldest first
        first.setdefault(d.person_id, d.day)
    return {pid: day for pid, day in first.items() if day + dt.timedelta(days=WINDOW_DAYS) < today}


def hospital_use(first: dict[int, dt.date]) -> HospitalUse:
    """Count the people's hospital events around their first discussion (two queries: their
    acute trust records, then those records' encounters within the whole span)."""
    if not first:
        return HospitalUse(0, 0, 0, 0, 0)
    owner: dict[tuple[int, str], int] = {}
    for pid, source_id, record_id in SourceRecord.objects.filter(
        link__person_id__in=list(first), source__partner=Partner.ACUTE
    ).values_list("link__person_id", "source_id", "source_record_id"):
        owner[(source_id, record_id)] = pid
    counts = {"admissions_before": 0, "admissions_after": 0}
    counts |= {"attendances_before": 0, "attendances_after": 0}
    if owner:
        span = dt.timedelta(days=WINDOW_DAYS)
        events = Event.objects.filter(
            resource_type="Encounter",
            kind__in=(A_AND_E, ADMISSION),
            sensitive_category="",
            source_id__in={s for s, _ in owner},
            subject_record_id__in={r for _, r in owner},
            occurred_at__gte=_start_of(min(first.values()) - span),
            occurred_at__lt=_start_of(max(first.values()) + span + dt.timedelta(days=1)),
        ).values_list("source_id", "subject_record_id", "kind", "code", "occurred_at")
        _local_date = _local_dates()
        for source_id, record_id, kind, code, at in events:
            pid = owner.get((source_id, record_id))
            if pid is None:
                continue  # same record number at another acute source
            if kind == ADMISSION and code not in EMERGENCY_ADMISSION_CODES:
                continue
            gap = (_local_date(at) - first[pid]).days
            side = (
                "before" if -WINDOW_DAYS <= gap < 0 else "after" if 0 < gap <= WINDOW_DAYS else ""
            )
            if side:
                what = "admissions" if kind == ADMISSION else "attendances"
                counts[f"{what}_{side}"] += 1
    return HospitalUse(people=len(first), **counts)


def windows(today: dt.date) -> tuple[list[dt.date], dt.date, dt.date]:
    """The charts' whole months (the month under way is left out: a month with its meeting
    still to come would look like a fall), the first day counted, and the headline's first day."""
    this_month = month_of(today)
    months = months_between(add_months(this_month, -LOOKBACK_MONTHS), this_month)
    try:
        headline_from = today.replace(year=today.year - 1) + dt.timedelta(days=1)
    except ValueError:  # 29 February
        headline_from = dt.date(today.year - 1, 3, 1)
    return months, months[0], headline_from


def distinct_people(found: Iterable[Discussion]) -> int:
    return len({d.person_id for d in found})
