"""What the MDT said about a person, for their record and for the next meeting.

Its own module so the record page (``record._build_record``) and meeting mode
(``meetings``) can both read it without importing each other. The caller has already decided
that the viewer may see the person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from wraparound.governance.access.meeting_results import MdtDiscussion
from wraparound.meetings.models import CaseItem, Meeting
from wraparound.plans.models import PlanAction


def _day(value: dt.date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _discussions(person_id: int, exclude_item: int | None = None, limit: int = 5) -> list:
    rows = (
        CaseItem.objects.filter(person_id=person_id, status=CaseItem.Status.DISCUSSED)
        .exclude(id=exclude_item)
        .order_by("-meeting__starts_at")
        .values_list("meeting__starts_at", "decisions")[:limit]
    )
    return [(_local_day(at), decisions) for at, decisions in rows]


def mdt_discussions(person_id: int, limit: int = 5) -> list[MdtDiscussion]:
    """For the person's record (the caller has decided the viewer may see the person): each
    finished discussion, "Discussed at the MDT on 3 March 2026: …", newest first."""
    rows = list(
        CaseItem.objects.filter(
            person_id=person_id,
            status=CaseItem.Status.DISCUSSED,
            meeting__status=Meeting.Status.FINISHED,
        )
        .select_related("meeting")
        .order_by("-meeting__starts_at")[:limit]
    )
    actions: dict[int, list[str]] = defaultdict(list)
    for item_id, what, owner, due in PlanAction.objects.filter(
        meeting_item_id__in=[r.id for r in rows]
    ).values_list("meeting_item_id", "what", "owner_name", "due_on"):
        by = f", by {_day(due)}" if due else ""
        actions[item_id].append(f"{what} – {owner}{by}")
    return [
        MdtDiscussion(
            meeting_id=r.meeting_id,
            meeting_title=r.meeting.title,
            on=_local_day(r.meeting.starts_at),
            decisions=r.decisions,
            actions=actions.get(r.id, []),
        )
        for r in rows
    ]
