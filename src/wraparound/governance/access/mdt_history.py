"""What the MDT said about a person, for their record and for the next meeting.

Its own module so the record page (``record._build_record``) and meeting mode
(``meetings``) can both read it without importing each other. The caller has already decided
that the viewer may see the person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from wraparound.governance.access.lens import Lens
from wraparound.governance.access.meeting_results import MdtDiscussion
from wraparound.meetings.models import CaseItem, Meeting
from wraparound.plans.models import PlanAction


def _day(value: dt.date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def notes_readable(lens: Lens, recorded_partner: str) -> bool:
    """An MDT's notes and decisions are the recording organisation's detail, like a contact
    note: read by roles the agreement gives that organisation's detail (objections apply)."""
    return lens.may_see_detail(recorded_partner, "", "")


def _discussions(
    person_id: int, lens: Lens, exclude_item: int | None = None, limit: int = 5
) -> list:
    rows = (
        CaseItem.objects.filter(person_id=person_id, status=CaseItem.Status.DISCUSSED)
        .exclude(id=exclude_item)
        .order_by("-meeting__starts_at")
        .values_list("meeting__starts_at", "decisions", "recorded_partner")[:limit]
    )
    return [
        (_local_day(at), decisions)
        for at, decisions, partner in rows
        if notes_readable(lens, partner)
    ]


def mdt_discussions(person_id: int, lens: Lens, limit: int = 5) -> list[MdtDiscussion]:
    """For the person's record (the caller has decided the viewer may see the person): each
    finished discussion, "Discussed at the MDT on 3 March 2026: …", newest first; the
    decisions only where the viewer's role reads the recording organisation's detail."""
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
            decisions=r.decisions if notes_readable(lens, r.recorded_partner) else "",
            actions=actions.get(r.id, []),
        )
        for r in rows
    ]
