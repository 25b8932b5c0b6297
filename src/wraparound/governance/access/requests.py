"""Requests for help through the gate: log one, the team's queue, one request, and its changes.

A request is person data. Who sees it: the members of the request's team see it as summary
(the caller's words, the owner, the hand-offs and contacts; never the record behind it); a
receptionist sees only the requests they logged, and of the person only the identity summary
(name and date of birth). Anyone else is refused, audited, with one message (no oracle).
Every change names who made it (``by``) and writes its audit row in the same transaction.
Only the owner closes a request or hands it on, so there is always one named person who
answers for it until the person says they are helped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from wraparound.frontdoor import actions as fd
from wraparound.frontdoor import queries as fq
from wraparound.frontdoor.models import HelpRequest, RequestContact
from wraparound.governance.access.audit import _audit, _refuse
from wraparound.governance.access.errors import InvalidRequest, NoAccess
from wraparound.governance.access.relationship import _person, _person_id, _relationships
from wraparound.governance.access.summaries import _display_name
from wraparound.governance.access.viewer import _require, _Viewer, _viewer
from wraparound.governance.models import AuditEntry, AuditPersonIndex, Staff
from wraparound.governance.roles import Permission, Role
from wraparound.identity.models import Person
from wraparound.sources.sensitivity import category_for

CALLER_RELATIONSHIPS: list[tuple[str, str]] = list(HelpRequest.CallerRelationship.choices)
CHANNELS: list[tuple[str, str]] = list(HelpRequest.Channel.choices)
URGENT_CONDITIONS: list[tuple[str, str]] = list(HelpRequest.UrgentCondition.choices)
URGENT_OUTCOMES: list[tuple[str, str]] = list(HelpRequest.UrgentOutcome.choices)
REQUEST_AGREES: list[tuple[str, str]] = list(HelpRequest.Agrees.choices)
DEMANDS: list[tuple[str, str]] = list(RequestContact.Demand.choices)
FAILURE_KINDS: list[tuple[str, str]] = list(RequestContact.FailureKind.choices)
SECTION_LIMIT = 25
WITHHELD = (
    "Not shown: these words mention sensitive information your role may not see. "
    "Ask the request's owner."
)
NOT_FOUND = "That person is not one you can log a request for: search again"


@dataclass(frozen=True)
class RequestItem:
    request_id: int
    person_id: int | None
    person_name: str  # identity summary: name and date of birth, or the details to find them
    person_dob: dt.date | None
    what_is_needed: str
    caller: str
    channel: str
    received_at: dt.datetime
    received_by: str
    owner: str  # "" when nobody owns it yet
    owner_staff_id: int | None
    urgent: bool
    urgent_condition: str
    clock: str  # "1 h 5 min left", "Not seen: 15 min over 2 hours", "Seen after 2 h 15 min"
    clock_overdue: bool
    first_visit_at: dt.datetime | None
    urgent_outcome: str
    status: str
    status_label: str
    what_helped: str
    person_agrees: str
    handoffs: int
    contacts: int
    stuck: str  # why it is stuck, in words, or ""


@dataclass(frozen=True)
class HandoffItem:
    at: dt.datetime
    from_name: str
    to_name: str
    reason: str
    by_name: str


@dataclass(frozen=True)
class ContactItem:
    at: dt.datetime
    who: str
    what: str
    demand: str
    failure_kind: str
    suggested: str
    recorded_by: str


@dataclass(frozen=True)
class RequestQueue:
    urgent: list[RequestItem]
    unowned: list[RequestItem]
    mine: list[RequestItem]
    stuck: list[RequestItem]
    others: list[RequestItem]
    logged_by_me: list[RequestItem]  # a receptionist's own list
    is_receptionist: bool
    teams: list[str]
    totals: dict[str, int] = field(default_factory=dict)  # how many each section holds


@dataclass(frozen=True)
class HelpRequestView:
    item: RequestItem
    handoffs: list[HandoffItem]
    contacts: list[ContactItem]
    colleagues: list[tuple[int, str]] = field(default_factory=list)
    suggested_demand: str = ""
    suggested_failure_kind: str = ""
    is_member: bool = False
    is_owner: bool = False


# --- plain words ------------------------------------------------------------------------------


def duration_words(span: dt.timedelta) -> str:
    """ "2 h 15 min", "45 min", "1 h" (whole minutes, rounded down)."""
    minutes = max(0, int(span.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    return f"{hours} h" if hours else f"{minutes} min"


def clock(row: fq.RequestRow, now: dt.datetime) -> tuple[str, bool]:
    """The 2-hour clock of an urgent request, in words, and whether it ran out."""
    if not row.urgent:
        return "", False
    due = row.received_at + fd.URGENT_RESPONSE
    if row.first_visit_at is not None:
        took = row.first_visit_at - row.received_at
        late = row.first_visit_at > due
        if late:
            return f"Seen after {duration_words(took)}", True
        return f"Seen within 2 hours (after {duration_words(took)})", False
    if row.status != HelpRequest.Status.OPEN:
        return "Closed without a visit recorded", True
    if now <= due:
        return f"{duration_words(due - now)} left", False
    return f"Not seen yet: {duration_words(now - due)} over 2 hours", True


def stuck_words(row: fq.RequestRow, now: dt.datetime) -> str:
    if not row.is_stuck(now):
        return ""
    why = []
    if row.handoffs >= fq.STUCK_HANDOFFS:
        why.append(f"handed off {row.handoffs} times")
    if row.contacts >= fq.STUCK_CONTACTS:
        why.append(f"{row.contacts} further contacts")
    days = (now - row.received_at).days
    if days > fq.STUCK_DAYS:
        why.append(f"open {days} days")
    return ", ".join(why).capitalize()


def _label(choices, value: str) -> str:
    return dict(choices).get(value, value)


def _words(v: _Viewer, text: str, *, own: bool = False) -> str:
    """The caller's words, unless they speak of a sensitive category this viewer's role may
    not see (the agreement's ``sensitive``; the same classifier as the partners' feeds and the
    contact notes). Whoever wrote them sees them. The category is not named: that would tell."""
    if own or not text:
        return text
    category = category_for(words=text, clinical=False)
    if category and category not in v.rules.sensitive:
        return WITHHELD
    return text


def _item(v: _Viewer, row: fq.RequestRow, people: dict[int, dict], now: dt.datetime) -> RequestItem:
    person = people.get(row.person_id) if row.person_id else None
    if person:
        name = _display_name(person["given_name"], person["family_name"])
        dob = person["date_of_birth"]
    else:
        name, dob = (row.person_details or "Not found yet"), None
    text, overdue = clock(row, now)
    caller = _label(CALLER_RELATIONSHIPS, row.caller_relationship)
    if row.caller_name:
        # "Jo Ash (family, friend or unpaid carer)", but "Sue Bell (GP receptionist)".
        caller = f"{row.caller_name} ({caller[0].lower() + caller[1:] if caller[1:2].islower() else caller})"
    return RequestItem(
        request_id=row.request_id,
        person_id=row.person_id,
        person_name=name,
        person_dob=dob,
        what_is_needed=_words(v, row.what_is_needed, own=row.received_by_user_id == v.user_id),
        caller=caller,
        channel=_label(CHANNELS, row.channel),
        received_at=row.received_at,
        received_by=row.received_by_name,
        owner=row.owner_name,
        owner_staff_id=row.owner_staff_id,
        urgent=row.urgent,
        urgent_condition=_label(URGENT_CONDITIONS, row.urgent_condition),
        clock=text,
        clock_overdue=overdue,
        first_visit_at=row.first_visit_at,
        urgent_outcome=_label(URGENT_OUTCOMES, row.urgent_outcome),
        status=row.status,
        status_label=_label(HelpRequest.Status.choices, row.status),
        what_helped=row.what_helped,
        person_agrees=_label(REQUEST_AGREES, row.person_agrees_helped),
        handoffs=row.handoffs,
        contacts=row.contacts,
        stuck=stuck_words(row, now),
    )


def _items(v: _Viewer, rows: list[fq.RequestRow]) -> list[RequestItem]:
    ids = {r.person_id for r in rows if r.person_id}
    people = {
        p["id"]: p
        for p in Person.objects.filter(id__in=ids, retired=False).values(
            "id", "given_name", "family_name", "date_of_birth"
        )
    }
    now = timezone.now()
    return [_item(v, r, people, now) for r in rows]


# --- who may ----------------------------------------------------------------------------------


def _by(v: _Viewer) -> fd.By:
    return fd.By(staff_id=v.staff_id, user_id=v.user_id, name=v.display_name)


def _is_receptionist(v: _Viewer) -> bool:
    return v.role == Role.RECEPTIONIST


def _request_id(raw) -> int:
    value = _person_id(raw)  # the same bounds: a positive id that fits
    if value is None:
        raise NoAccess()
    return value


def _visible(v: _Viewer, request_id, ip: str | None, tried: str) -> fq.RequestRow:
    """The request, if this viewer may see it: a member of its team (not a receptionist), or
    the receptionist who logged it. Otherwise refused and audited, one message for all."""
    row = fq.one(_request_id(request_id))
    member = row is not None and row.team_id in v.team_ids
    if row is not None and _is_receptionist(v):
        member = member and row.received_by_user_id == v.user_id
    if not member or not v.may(Permission.LOG_REQUESTS):
        _refuse(v, ip, row.person_id if row else None, "not the request's team", tried)
        raise NoAccess()
    return row


def _practitioner(v: _Viewer, ip: str | None, tried: str) -> None:
    """Owning, handing on and closing are for the team's practitioners, not the front desk."""
    _require(v, Permission.EDIT_PERSON_CENTRED, ip, tried)


def _change(
    v: _Viewer, ip: str | None, row: fq.RequestRow, purpose: str, what: str, **detail
) -> None:
    _audit(
        v,
        AuditEntry.Action.CHANGE,
        ip,
        person_id=row.person_id,
        purpose=purpose,
        detail={"what": what, "request_id": row.request_id, **detail},
    )


def _apply(v: _Viewer, ip: str | None, row: fq.RequestRow, purpose: str, what: str, write):
    with transaction.atomic():
        try:
            result = write()
        except fd.InvalidHelpRequest as exc:
            raise InvalidRequest(str(exc)) from None
        _change(v, ip, row, purpose, what)
    return result


# --- the gate's calls -------------------------------------------------------------------------


def request_teams(*, viewer) -> list[tuple[int, str]]:
    """The teams this viewer may log a request for (no person data)."""
    v = _viewer(viewer)
    if not v.may(Permission.LOG_REQUESTS):
        raise NoAccess()
    return list(zip(v.team_ids, v.team_names, strict=True))


# How long a person listed to the viewer by search may be chosen for a request afterwards.
LISTED_WITHIN = dt.timedelta(hours=1)


def _may_name(v: _Viewer, person: Person) -> bool:
    """A request may name a person the viewer works with, or one their own search listed in the
    last hour (a strong match): never any record number typed into the form, which would let
    anyone with the front door's permission attach requests to, and so probe, any person."""
    if _relationships(v, {person.id: person.postcode})[person.id] != "none":
        return True
    searches = AuditEntry.objects.filter(
        user_id=v.user_id,
        action=AuditEntry.Action.SEARCH,
        at__gte=timezone.now() - LISTED_WITHIN,
    ).values("id")
    return AuditPersonIndex.objects.filter(person_id=person.id, entry_id__in=searches).exists()


def log_request(
    *,
    viewer,
    what_is_needed: str,
    caller_relationship: str,
    channel: str,
    caller_name: str = "",
    person_id=None,
    person_details: str = "",
    urgent: bool = False,
    urgent_condition: str = "",
    team_id=None,
    ip: str | None,
) -> int:
    """Log a new request for help for one of the viewer's teams; returns its id. Audited."""
    v = _viewer(viewer)
    _require(v, Permission.LOG_REQUESTS, ip, "log a request for help")
    if not v.team_ids:
        raise InvalidRequest("You are not in a team: ask the administrator to add you to one")
    team = v.team_ids[0] if team_id in (None, "") else _person_id(team_id)
    if team not in v.team_ids:
        raise InvalidRequest("Choose one of your teams")
    pid = None
    if person_id not in (None, ""):
        pid = _person_id(person_id)
        person = _person(pid)
        if person is None or not _may_name(v, person):
            raise InvalidRequest(NOT_FOUND)
    with transaction.atomic():
        try:
            req = fd.log_request(
                team_id=team,
                what_is_needed=what_is_needed,
                caller_relationship=caller_relationship,
                channel=channel,
                caller_name=caller_name,
                person_id=pid,
                person_details=person_details,
                urgent=bool(urgent),
                urgent_condition=urgent_condition,
                by=_by(v),
            )
        except fd.InvalidHelpRequest as exc:
            raise InvalidRequest(str(exc)) from None
        _audit(
            v,
            AuditEntry.Action.CHANGE,
            ip,
            person_id=pid,
            purpose="logged a request for help",
            detail={"what": "help_request", "request_id": req.id, "urgent": req.urgent},
        )
    return req.id


def request_queue(*, viewer, ip: str | None) -> RequestQueue:
    """The team's queue: urgent ones on top with their clock, unowned, mine, stuck, the rest.
    A receptionist gets only what they logged. Audited with the people listed.

    Each section shows its oldest ``SECTION_LIMIT`` requests and says how many it holds: a
    queue is for choosing what to do next, and a page of hundreds would hide the urgent ones.
    """
    v = _viewer(viewer)
    _require(v, Permission.LOG_REQUESTS, ip, "see the team's requests")
    receptionist = _is_receptionist(v)
    now = timezone.now()
    with transaction.atomic():
        if receptionist:
            sections = {"logged_by_me": fq.recent_logged_by(v.user_id)}
        else:
            sections = _sections(fq.open_for_teams(v.team_ids), v.staff_id, now)
        totals = {name: len(rows) for name, rows in sections.items()}
        shown = {name: rows[:SECTION_LIMIT] for name, rows in sections.items()}
        listed = [r for rows in shown.values() for r in rows]
        _audit(
            v,
            AuditEntry.Action.VIEW_PERSON,
            ip,
            purpose="the team's requests for help",
            detail={
                "what": "request_queue",
                "request_ids": [r.request_id for r in listed],
                "person_ids": sorted({r.person_id for r in listed if r.person_id}),
            },
        )
        items = iter(_items(v, listed))
    lists = {name: [next(items) for _ in rows] for name, rows in shown.items()}
    return RequestQueue(
        urgent=lists.get("urgent", []),
        unowned=lists.get("unowned", []),
        mine=lists.get("mine", []),
        stuck=lists.get("stuck", []),
        others=lists.get("others", []),
        logged_by_me=lists.get("logged_by_me", []),
        is_receptionist=receptionist,
        teams=list(v.team_names),
        totals=totals,
    )


def _sections(rows: list[fq.RequestRow], staff_id: int, now: dt.datetime) -> dict:
    """Each open request in one section: urgent and not yet seen (least time left first: the
    receipt order is the due order), no owner, mine, stuck, owned by colleagues."""
    sections: dict[str, list[fq.RequestRow]] = {
        "urgent": [],
        "unowned": [],
        "mine": [],
        "stuck": [],
        "others": [],
    }
    for row in rows:
        if row.urgent and row.first_visit_at is None:
            sections["urgent"].append(row)
        elif row.owner_staff_id is None:
            sections["unowned"].append(row)
        elif row.owner_staff_id == staff_id:
            sections["mine"].append(row)
        elif row.is_stuck(now):
            sections["stuck"].append(row)
        else:
            sections["others"].append(row)
    return sections


def open_help_request(*, viewer, request_id, ip: str | None) -> HelpRequestView:
    """One request with its hand-offs and contacts, and what this viewer may do. Audited."""
    v = _viewer(viewer)
    row = _visible(v, request_id, ip, "open a request for help")
    member = not _is_receptionist(v)
    with transaction.atomic():
        item = _items(v, [row])[0]
        handoffs = [
            HandoffItem(h.at, h.from_name, h.to_name, h.reason, h.by_name)
            for h in fq.handoffs(row.request_id)
        ]
        contacts = [
            ContactItem(
                c.at,
                _words(v, c.who),
                _words(v, c.what),
                _label(DEMANDS, c.demand),
                _label(FAILURE_KINDS, c.failure_kind),
                _label(DEMANDS, c.suggested_demand),
                c.recorded_by_name,
            )
            for c in fq.contacts(row.request_id)
        ]
        _audit(
            v,
            AuditEntry.Action.VIEW_PERSON,
            ip,
            person_id=row.person_id,
            purpose="a request for help",
            detail={"what": "help_request", "request_id": row.request_id},
        )
    suggested, kind = fd.suggest_demand(HelpRequest(status=row.status))
    return HelpRequestView(
        item=item,
        handoffs=handoffs,
        contacts=contacts,
        colleagues=_colleagues(row.team_id, exclude=row.owner_staff_id) if member else [],
        suggested_demand=suggested,
        suggested_failure_kind=kind,
        is_member=member and v.may(Permission.EDIT_PERSON_CENTRED),
        is_owner=row.owner_staff_id == v.staff_id,
    )


def _colleagues(team_id: int, exclude: int | None = None) -> list[tuple[int, str]]:
    """Who a request may be handed to: the team's practitioners, by name."""
    practitioners = [r for r in Role.values if r not in (Role.RECEPTIONIST, Role.ADMINISTRATOR)]
    staff = (
        Staff.objects.filter(teams__id=team_id, user__is_active=True, role__in=practitioners)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "id")
    )
    return [(s.id, s.display_name) for s in staff if s.id != exclude]


def take_ownership(*, viewer, request_id, ip: str | None) -> None:
    v = _viewer(viewer)
    row = _visible(v, request_id, ip, "take ownership of a request")
    _practitioner(v, ip, "take ownership of a request")
    _apply(
        v,
        ip,
        row,
        "took ownership of a request for help",
        "help_request_owner",
        lambda: fd.take_ownership(request_id=row.request_id, by=_by(v)),
    )


def hand_off(*, viewer, request_id, to_staff_id, reason: str, ip: str | None) -> None:
    """Give the request to a named colleague in its team, with the reason. Only its owner
    (or anyone, while nobody owns it) hands it on."""
    v = _viewer(viewer)
    row = _visible(v, request_id, ip, "hand off a request")
    _practitioner(v, ip, "hand off a request")
    if row.owner_staff_id not in (None, v.staff_id):
        raise InvalidRequest(f"Only its owner, {row.owner_name}, can hand this request on")
    to = _person_id(to_staff_id)
    names = dict(_colleagues(row.team_id))
    if to not in names:
        raise InvalidRequest("Choose a colleague in the team")
    _apply(
        v,
        ip,
        row,
        "handed off a request for help",
        "help_request_handoff",
        lambda: fd.hand_off(
            request_id=row.request_id, to_staff_id=to, to_name=names[to], reason=reason, by=_by(v)
        ),
    )


def record_contact(
    *,
    viewer,
    request_id,
    who: str,
    what: str,
    demand: str,
    failure_kind: str = "",
    ip: str | None,
) -> None:
    """A further contact about the request, classed by the practitioner (value or failure)."""
    v = _viewer(viewer)
    row = _visible(v, request_id, ip, "record a contact about a request")
    _apply(
        v,
        ip,
        row,
        "recorded a contact about a request for help",
        "help_request_contact",
        lambda: fd.record_contact(
            request_id=row.request_id,
            who=who,
            what=what,
            demand=demand,
            failure_kind=failure_kind,
            by=_by(v),
        ),
    )


def record_urgent_visit(
    *, viewer, request_id, first_visit_at: dt.datetime, outcome: str = "", ip: str | None
) -> None:
    v = _viewer(viewer)
    row = _visible(v, request_id, ip, "record the urgent visit")
    _practitioner(v, ip, "record the urgent visit")
    _apply(
        v,
        ip,
        row,
        "recorded the urgent visit",
        "help_request_visit",
        lambda: fd.record_urgent_visit(
            request_id=row.request_id, first_visit_at=first_visit_at, outcome=outcome, by=_by(v)
        ),
    )


def close_request(
    *, viewer, request_id, helped: bool, what_helped: str, person_agrees: str, ip: str | None
) -> None:
    """Close the request (its owner only): what helped, and whether the person agrees."""
    v = _viewer(viewer)
    row = _visible(v, request_id, ip, "close a request")
    _practitioner(v, ip, "close a request")
    if row.owner_staff_id != v.staff_id:
        raise InvalidRequest("Only the request's owner can close it: take ownership first")
    _apply(
        v,
        ip,
        row,
        "closed a request for help",
        "help_request_closed",
        lambda: fd.close_request(
            request_id=row.request_id,
            helped=bool(helped),
            what_helped=what_helped,
            person_agrees=person_agrees,
            by=_by(v),
        ),
    )


def open_requests_for_person(*, viewer, person_id: int, ip: str | None) -> list[RequestItem]:
    """The person's open requests with the viewer's teams, and who owns each (the person
    page; a receptionist, who never opens records, gets none). Audited when any are shown."""
    v = _viewer(viewer)
    if _is_receptionist(v) or not v.may(Permission.LOG_REQUESTS):
        return []
    with transaction.atomic():
        rows = fq.open_for_person(int(person_id), v.team_ids)
        if rows:
            _audit(
                v,
                AuditEntry.Action.VIEW_PERSON,
                ip,
                person_id=int(person_id),
                purpose="open requests for help on the person's page",
                detail={"what": "open_requests", "request_ids": [r.request_id for r in rows]},
            )
        return _items(v, rows)


def find_person_for_request(*, viewer, request_id, person_id, ip: str | None) -> None:
    """The person a request was logged without has been found (by the gate's search): the
    request is theirs from now on. Audited with the person."""
    v = _viewer(viewer)
    row = _visible(v, request_id, ip, "record who a request is for")
    pid = _person_id(person_id)
    if pid is None or _person(pid) is None:
        raise InvalidRequest(NOT_FOUND)
    with transaction.atomic():
        try:
            fd.find_person(request_id=row.request_id, person_id=pid, by=_by(v))
        except fd.InvalidHelpRequest as exc:
            raise InvalidRequest(str(exc)) from None
        _audit(
            v,
            AuditEntry.Action.CHANGE,
            ip,
            person_id=pid,
            purpose="found the person a request for help is for",
            detail={"what": "help_request_person", "request_id": row.request_id},
        )
