"""Reads of the plan that other screens need in bulk: the caseload and "My caseload".

Plain values keyed by ``person_id``; no decision about who may see what. The callers are gate
functions (``governance.access``), which decide which people a viewer may be told about before
they ask, and audit the list they hand out. Each query is one indexed read per chunk of people,
so a caseload of thousands costs a handful of queries, not one per person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from django.db.models import Count, Q

from wraparound.plans.models import OPEN_ACTION, PlanAction, PlanDetails

DUE_SOON_DAYS = 7  # "due soon": due today or in the next week
CHUNK = 5_000  # keeps ``IN (...)`` lists well inside every database's parameter limit


def _chunks(person_ids: Iterable[int]) -> Iterator[list[int]]:
    ids = list(dict.fromkeys(person_ids))
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def open_actions_for_staff(staff_id: int) -> list[dict]:
    """The actions a practitioner has been named for and not finished, soonest due first
    (undated last): ``person_id, action_id, what, due_on, status, meeting_item_id``."""
    rows = PlanAction.objects.filter(owner_staff_id=staff_id, status__in=OPEN_ACTION).values(
        "person_id", "id", "what", "due_on", "status", "meeting_item_id"
    )
    out = [
        {
            "person_id": r["person_id"],
            "action_id": r["id"],
            "what": r["what"],
            "due_on": r["due_on"],
            "status": r["status"],
            "meeting_item_id": r["meeting_item_id"],
        }
        for r in rows
    ]
    out.sort(key=lambda r: (r["due_on"] is None, r["due_on"] or dt.date.min, r["action_id"]))
    return out


def action_counts(person_ids: Iterable[int], today: dt.date) -> dict[int, tuple[int, int]]:
    """For each person with open actions that are due soon or overdue: (due soon, overdue).

    Overdue: due before ``today``. Due soon: due from ``today`` to ``DUE_SOON_DAYS`` ahead.
    People with neither are left out.
    """
    soon_until = today + dt.timedelta(days=DUE_SOON_DAYS)
    out: dict[int, tuple[int, int]] = {}
    for chunk in _chunks(person_ids):
        rows = (
            PlanAction.objects.filter(
                person_id__in=chunk, status__in=OPEN_ACTION, due_on__lte=soon_until
            )
            .values("person_id")
            .annotate(
                due_soon=Count("id", filter=Q(due_on__gte=today)),
                overdue=Count("id", filter=Q(due_on__lt=today)),
            )
        )
        for r in rows:
            out[r["person_id"]] = (r["due_soon"], r["overdue"])
    return out


def reviews_due(person_ids: Iterable[int], by_date: dt.date) -> dict[int, dt.date]:
    """Each person whose plan review falls on or before ``by_date`` (overdue ones included)."""
    out: dict[int, dt.date] = {}
    for chunk in _chunks(person_ids):
        out.update(
            PlanDetails.objects.filter(person_id__in=chunk, review_on__lte=by_date).values_list(
                "person_id", "review_on"
            )
        )
    return out
