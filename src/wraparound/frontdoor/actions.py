"""Writes of requests for help; called only through ``governance.access.requests``.

The gate decides who may do what (the team's members, the receptionist for what they logged)
and writes the audit row in the same transaction; these functions keep the request's own rules:
one named owner while it is open, a hand-off always has a reason, a closed request is not
changed, an urgent request names its condition.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from wraparound.frontdoor.models import Handoff, HelpRequest, RequestContact

MAX_TEXT = 5_000
MAX_NAME = 200
URGENT_RESPONSE = dt.timedelta(hours=2)
FUTURE_SLACK = dt.timedelta(minutes=5)


class InvalidHelpRequest(ValueError):
    """The request cannot be changed as asked; the message says what to do, fit to show."""


@dataclass(frozen=True)
class By:
    """Who records the change, as plain values (kept on the rows as written)."""

    staff_id: int
    user_id: int
    name: str


def _clean(value: str, what: str, max_length: int = MAX_TEXT, *, required: bool = True) -> str:
    # PostgreSQL refuses NUL in text; nobody types one on purpose.
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        raise InvalidHelpRequest(f"Enter {what}")
    if len(text) > max_length:
        raise InvalidHelpRequest(f"Keep {what} under {max_length:,} characters")
    return text


def _choice(value: str, choices, message: str) -> str:
    if value not in choices.values:
        raise InvalidHelpRequest(message)
    return value


def _open(request_id: int) -> HelpRequest:
    """The request, locked for this change; refused once it is closed."""
    req = HelpRequest.objects.select_for_update().get(id=request_id)
    if req.status != HelpRequest.Status.OPEN:
        raise InvalidHelpRequest("This request is closed: log a new request if more help is needed")
    return req


def _when(moment: dt.datetime | None, what: str, *, not_before: dt.datetime) -> dt.datetime:
    now = timezone.now()
    if moment is None:
        return now
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > now + FUTURE_SLACK:
        raise InvalidHelpRequest(f"The {what} cannot be later than now")
    if moment < not_before:
        raise InvalidHelpRequest(f"The {what} cannot be before the request was received")
    return moment


@transaction.atomic
def log_request(
    *,
    team_id: int,
    what_is_needed: str,
    caller_relationship: str,
    channel: str,
    caller_name: str = "",
    person_id: int | None = None,
    person_details: str = "",
    urgent: bool = False,
    urgent_condition: str = "",
    by: By,
) -> HelpRequest:
    """A new request, unowned, in the caller's words; either the person (found) or enough
    details to find them later."""
    needed = _clean(what_is_needed, "what is needed, in the caller's words")
    details = _clean(person_details, "details to find the person", required=False)
    if person_id is None and not details:
        raise InvalidHelpRequest("Find the person, or write enough to find them later")
    _choice(caller_relationship, HelpRequest.CallerRelationship, "Choose who is asking")
    _choice(channel, HelpRequest.Channel, "Choose how the request came in")
    condition = ""
    if urgent:
        condition = _choice(
            urgent_condition,
            HelpRequest.UrgentCondition,
            "Choose which urgent 2-hour condition this is",
        )
    return HelpRequest.objects.create(
        team_id=team_id,
        person_id=person_id,
        caller_name=_clean(caller_name, "the caller's name", MAX_NAME, required=False),
        caller_relationship=caller_relationship,
        channel=channel,
        person_details=details,
        what_is_needed=needed,
        received_at=timezone.now(),
        received_by_user_id=by.user_id,
        received_by_name=by.name[:300],
        urgent=bool(urgent),
        urgent_condition=condition,
    )


@transaction.atomic
def take_ownership(*, request_id: int, by: By) -> HelpRequest:
    """The viewer owns the request from now on; taking it from someone else is a hand-off
    too, recorded (reason: taken over)."""
    req = _open(request_id)
    if req.owner_staff_id == by.staff_id:
        raise InvalidHelpRequest("You own this request already")
    if req.owner_staff_id is not None:
        Handoff.objects.create(
            request=req,
            at=timezone.now(),
            from_staff_id=req.owner_staff_id,
            from_name=req.owner_name,
            to_staff_id=by.staff_id,
            to_name=by.name[:300],
            reason="Taken over",
            by_name=by.name[:300],
        )
    req.owner_staff_id, req.owner_name = by.staff_id, by.name[:300]
    req.save(update_fields=["owner_staff_id", "owner_name"])
    return req


@transaction.atomic
def hand_off(*, request_id: int, to_staff_id: int, to_name: str, reason: str, by: By) -> Handoff:
    """Give the request to a named colleague, with the reason (the gate checks they are in
    the request's team)."""
    req = _open(request_id)
    if req.owner_staff_id not in (None, by.staff_id):
        # Checked under the row lock: two people cannot both hand on the same request.
        raise InvalidHelpRequest(f"Only its owner, {req.owner_name}, can hand this request on")
    why = _clean(reason, "the reason for the hand-off", 1000)
    if req.owner_staff_id == to_staff_id:
        raise InvalidHelpRequest("They own this request already: choose someone else")
    handoff = Handoff.objects.create(
        request=req,
        at=timezone.now(),
        from_staff_id=req.owner_staff_id,
        from_name=req.owner_name,
        to_staff_id=to_staff_id,
        to_name=to_name[:300],
        reason=why,
        by_name=by.name[:300],
    )
    req.owner_staff_id, req.owner_name = to_staff_id, to_name[:300]
    req.save(update_fields=["owner_staff_id", "owner_name"])
    return handoff


def suggest_demand(req: HelpRequest) -> tuple[str, str]:
    """What the software suggests a further contact is: on a request still open, someone
    contacting again is most often chasing progress (failure demand); the practitioner
    decides. Returns (demand, failure_kind)."""
    if req.status == HelpRequest.Status.OPEN:
        return RequestContact.Demand.FAILURE, RequestContact.FailureKind.CHASING
    return RequestContact.Demand.VALUE, ""


@transaction.atomic
def record_contact(
    *,
    request_id: int,
    who: str,
    what: str,
    demand: str,
    failure_kind: str = "",
    at: dt.datetime | None = None,
    by: By,
) -> RequestContact:
    """A further contact about the request, with the class the practitioner chose and the
    one the software suggested."""
    req = _open(request_id)
    _choice(demand, RequestContact.Demand, "Choose value or failure demand")
    kind = ""
    if demand == RequestContact.Demand.FAILURE:
        kind = _choice(
            failure_kind, RequestContact.FailureKind, "Choose what kind of failure demand it was"
        )
    suggested, _ = suggest_demand(req)
    return RequestContact.objects.create(
        request=req,
        at=_when(at, "contact", not_before=req.received_at),
        who=_clean(who, "who made contact", 300),
        what=_clean(what, "what they said or needed"),
        demand=demand,
        failure_kind=kind,
        suggested_demand=suggested,
        recorded_by_name=by.name[:300],
    )


@transaction.atomic
def record_urgent_visit(
    *, request_id: int, first_visit_at: dt.datetime, outcome: str = "", by: By
) -> HelpRequest:
    """When the urgent request was first seen at home, and what came of it."""
    req = HelpRequest.objects.select_for_update().get(id=request_id)
    if not req.urgent:
        raise InvalidHelpRequest("Only an urgent request has a 2-hour visit to record")
    req.first_visit_at = _when(first_visit_at, "first visit", not_before=req.received_at)
    if outcome:
        req.urgent_outcome = _choice(outcome, HelpRequest.UrgentOutcome, "Choose the outcome")
    req.save(update_fields=["first_visit_at", "urgent_outcome"])
    return req


@transaction.atomic
def close_request(
    *, request_id: int, helped: bool, what_helped: str, person_agrees: str, by: By
) -> HelpRequest:
    """Close the request: what helped (or why not), and whether the person agrees they were
    helped. Only its owner closes it, so there is always one name who answers for it."""
    req = _open(request_id)
    if req.owner_staff_id != by.staff_id:
        raise InvalidHelpRequest("Only the request's owner can close it: take ownership first")
    words = _clean(what_helped, "what helped" if helped else "why the person was not helped")
    _choice(person_agrees, HelpRequest.Agrees, "Say whether the person agrees they were helped")
    if req.urgent and req.first_visit_at is None and helped:
        raise InvalidHelpRequest("Record when the person was first seen before closing")
    req.status = HelpRequest.Status.HELPED if helped else HelpRequest.Status.CLOSED_NOT_HELPED
    req.closed_at = timezone.now()
    req.what_helped = words
    req.person_agrees_helped = person_agrees
    req.save(update_fields=["status", "closed_at", "what_helped", "person_agrees_helped"])
    return req


@transaction.atomic
def find_person(*, request_id: int, person_id: int, by: By) -> HelpRequest:
    """The person a request was logged without has been found."""
    req = _open(request_id)
    req.person_id = person_id
    req.save(update_fields=["person_id"])
    return req


@transaction.atomic
def move_person(*, from_person_id: int, to_person_id: int) -> None:
    """Two records were one person all along: the requests follow the person kept."""
    HelpRequest.objects.filter(person_id=from_person_id).update(person_id=to_person_id)
