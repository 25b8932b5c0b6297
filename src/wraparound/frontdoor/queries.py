"""Reads of requests for help for the gate: the team's queue, one request, a person's open ones.

Rows are plain dataclasses; the gate decides who sees which (``governance.access.requests``).
The queue's counts (hand-offs, contacts) come in the same query as the requests, so the queue
costs a fixed number of queries however long it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from wraparound.frontdoor.actions import URGENT_RESPONSE
from wraparound.frontdoor.models import Handoff, HelpRequest, RequestContact

# A request is stuck when it has been passed around or chased this often, or open this long.
STUCK_HANDOFFS = 3
STUCK_CONTACTS = 3
STUCK_DAYS = 14


@dataclass(frozen=True)
class RequestRow:
    request_id: int
    team_id: int
    person_id: int | None
    person_details: str
    what_is_needed: str
    caller_name: str
    caller_relationship: str
    channel: str
    received_at: dt.datetime
    received_by_user_id: int
    received_by_name: str
    owner_staff_id: int | None
    owner_name: str
    urgent: bool
    urgent_condition: str
    first_visit_at: dt.datetime | None
    urgent_outcome: str
    status: str
    closed_at: dt.datetime | None
    what_helped: str
    person_agrees_helped: str
    handoffs: int
    contacts: int

    def is_stuck(self, now: dt.datetime) -> bool:
        return self.status == HelpRequest.Status.OPEN and (
            self.handoffs >= STUCK_HANDOFFS
            or self.contacts >= STUCK_CONTACTS
            or now - self.received_at > dt.timedelta(days=STUCK_DAYS)
        )

    def due_by(self) -> dt.datetime | None:
        return self.received_at + URGENT_RESPONSE if self.urgent else None


_FIELDS = (
    "id",
    "team_id",
    "person_id",
    "person_details",
    "what_is_needed",
    "caller_name",
    "caller_relationship",
    "channel",
    "received_at",
    "received_by_user_id",
    "received_by_name",
    "owner_staff_id",
    "owner_name",
    "urgent",
    "urgent_condition",
    "first_visit_at",
    "urgent_outcome",
    "status",
    "closed_at",
    "what_helped",
    "person_agrees_helped",
)


def _counted(qs):
    handoffs = (
        Handoff.objects.filter(request=OuterRef("pk"))
        .order_by()
        .values("request")
        .annotate(n=Count("id"))
        .values("n")
    )
    contacts = (
        RequestContact.objects.filter(request=OuterRef("pk"))
        .order_by()
        .values("request")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(
        n_handoffs=Coalesce(Subquery(handoffs), Value(0)),
        n_contacts=Coalesce(Subquery(contacts), Value(0)),
    )


def _rows(qs) -> list[RequestRow]:
    return [
        RequestRow(
            request_id=r["id"],
            **{k: r[k] for k in _FIELDS if k != "id"},
            handoffs=r["n_handoffs"],
            contacts=r["n_contacts"],
        )
        for r in _counted(qs).values(*_FIELDS, "n_handoffs", "n_contacts")
    ]


def open_for_teams(team_ids, *, received_by_user_id: int | None = None) -> list[RequestRow]:
    """Every open request of these teams (only those one person logged, when given), oldest
    first: the queue sorts them into its sections."""
    qs = HelpRequest.objects.filter(team_id__in=list(team_ids), status=HelpRequest.Status.OPEN)
    if received_by_user_id is not None:
        qs = qs.filter(received_by_user_id=received_by_user_id)
    return _rows(qs.order_by("received_at", "id"))


def recent_logged_by(user_id: int, limit: int = 25) -> list[RequestRow]:
    """What one member of staff logged lately, open or closed (the receptionist's list)."""
    qs = HelpRequest.objects.filter(received_by_user_id=user_id).order_by("-received_at", "-id")
    return _rows(qs[:limit])


def one(request_id: int) -> RequestRow | None:
    rows = _rows(HelpRequest.objects.filter(id=request_id))
    return rows[0] if rows else None


def open_for_person(person_id: int, team_ids) -> list[RequestRow]:
    return _rows(
        HelpRequest.objects.filter(
            person_id=person_id, status=HelpRequest.Status.OPEN, team_id__in=list(team_ids)
        ).order_by("received_at", "id")
    )


def handoffs(request_id: int) -> list[Handoff]:
    return list(Handoff.objects.filter(request_id=request_id).order_by("at", "id"))


def contacts(request_id: int) -> list[RequestContact]:
    return list(RequestContact.objects.filter(request_id=request_id).order_by("at", "id"))
