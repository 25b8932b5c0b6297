"""Searching that lists many people in a short time is paused, audited and shown to the steward.

Enumeration (107 year searches listing 1,846 people in 6.5 seconds) looks nothing like care
work, where each search is typed by hand and looks for one person. The agreement's ``search``
limits say how many *different* people one viewer may be listed in a window; the count is
worked out from the viewer's own ``search`` audit rows (``detail["results"]`` and
``detail["no_relationship"]``), so there is no second record of who saw whom to keep in step.
A search that would go over a limit lists no one: a ``search_throttled`` row is written, and
searching stays paused for ``pause_minutes``; every search tried while paused is refused and
audited the same way. The data steward sees each pause under "Unusual searching".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from wraparound.governance.access.audit import _audit
from wraparound.governance.access.errors import Paused
from wraparound.governance.access.viewer import _require, _Viewer, _viewer
from wraparound.governance.agreement import SearchLimits
from wraparound.governance.models import AuditEntry
from wraparound.governance.roles import Permission, Role

# How far back the steward's list goes, and how many pause rows it reads at most.
UNUSUAL_DAYS = 90
UNUSUAL_ROWS = 5000


@dataclass(frozen=True)
class Pause:
    until: dt.datetime
    message: str


def _message(v: _Viewer, until: dt.datetime) -> str:
    return (
        f"Searching is paused until {timezone.localtime(until):%H:%M} because you have been "
        "shown more people in a short time than care work usually needs. The data steward "
        f"has been told. {v.agreement.ask_steward}"
    )


def paused(v: _Viewer, now: dt.datetime) -> Pause | None:
    """The pause in force for this viewer, if any (their latest ``search_throttled`` row)."""
    limits = v.agreement.search
    detail = (
        AuditEntry.objects.filter(
            user_id=v.user_id,
            action=AuditEntry.Action.SEARCH_THROTTLED,
            at__gte=now - dt.timedelta(minutes=limits.pause_minutes),
        )
        .order_by("-at", "-id")
        .values_list("detail", flat=True)
        .first()
    )
    if not detail:
        return None
    try:
        until = dt.datetime.fromisoformat(detail["paused_until"])
    except (KeyError, TypeError, ValueError):
        return None
    return Pause(until=until, message=_message(v, until)) if until > now else None


def over_limit(
    v: _Viewer,
    now: dt.datetime,
    listed: list[int],
    strangers: list[int],
    *,
    searching: bool = True,
    guessed: bool = False,
) -> tuple[str, int, int] | None:
    """Would this search take the viewer over a limit? ("people"|"strangers"|"searches", n, min).

    One indexed read of the viewer's own recent search rows (``user_id``, ``action``, ``at``).
    Searches that list no one count too: guessing a date of birth or an NHS Number day by day
    lists no one until the one right guess. Records opened (``view_person`` rows) count as
    people shown: walking ``/people/1/``, ``/people/2/``… opened 337 records in 45 seconds.
    """
    limits = v.agreement.search
    people_since = now - dt.timedelta(minutes=limits.people_minutes)
    strangers_since = now - dt.timedelta(minutes=limits.strangers_minutes)
    people, strange = set(listed), set(strangers)
    searches = 1 if searching else 0  # this one
    guesses = 1 if guessed else 0  # an NHS Number, or full name and birth date, matching no one
    # Without new strangers or a guess their count cannot grow (had it been over, searching
    # would have paused then), so the longer window is read only when this search adds one.
    since = min(people_since, strangers_since) if strangers or guessed else people_since
    opened = AuditEntry.objects.filter(
        user_id=v.user_id, action=AuditEntry.Action.VIEW_PERSON, at__gte=people_since
    ).values_list("person_id", flat=True)
    people.update(pid for pid in opened.iterator(chunk_size=2000) if pid is not None)
    rows = AuditEntry.objects.filter(
        user_id=v.user_id, action=AuditEntry.Action.SEARCH, at__gte=since
    ).values_list("at", "detail")
    for at, detail in rows.iterator(chunk_size=500):
        detail = detail if isinstance(detail, dict) else {}
        if at >= people_since:
            people.update(detail.get("results") or [])
            searches += 1
        if at >= strangers_since:
            strange.update(detail.get("no_relationship") or [])
            guesses += 1 if detail.get("guessed") else 0
    if len(people) > limits.people:
        return "people", len(people), limits.people_minutes
    if searches > limits.searches:
        return "searches", searches, limits.people_minutes
    if (strangers or guessed) and len(strange) + guesses > limits.strangers:
        return "strangers", len(strange) + guesses, limits.strangers_minutes
    return None


def pause(
    v: _Viewer, ip: str | None, query: str, now: dt.datetime, why: str, people: int, minutes: int
) -> Pause:
    """Start a pause: the ``search_throttled`` row the steward's list is built from."""
    until = now + dt.timedelta(minutes=v.agreement.search.pause_minutes)
    _audit(
        v,
        AuditEntry.Action.SEARCH_THROTTLED,
        ip,
        query=query,
        purpose="find a person",
        detail={
            "started": True,
            "why": why,
            "people": people,
            "minutes": minutes,
            "paused_until": until.isoformat(),
        },
    )
    return Pause(until=until, message=_message(v, until))


def refuse_while_paused(v: _Viewer, ip: str | None, query: str, current: Pause) -> None:
    _audit(
        v,
        AuditEntry.Action.SEARCH_THROTTLED,
        ip,
        query=query,
        purpose="find a person",
        detail={"started": False, "paused_until": current.until.isoformat()},
    )


def refuse_if_paused(v: _Viewer, ip: str | None, now: dt.datetime) -> None:
    """Opening a record while paused: refused (``Paused``) and audited, whatever the number."""
    with transaction.atomic():
        current = paused(v, now)
        if current is not None:
            refuse_while_paused(v, ip, "", current)
    if current is not None:
        raise Paused(current.message)


def count_record(v: _Viewer, ip: str | None, person_id: int, now: dt.datetime) -> None:
    """Opening this person's record counts as being shown them; past a limit it pauses."""
    with transaction.atomic():
        over = over_limit(v, now, [person_id], [], searching=False)
        started = pause(v, ip, "", now, *over) if over is not None else None
    if started is not None:
        raise Paused(started.message)


# --- the data steward's list ----------------------------------------------------------------


@dataclass(frozen=True)
class UnusualSearch:
    """One pause of one member of staff's searching, for the data steward."""

    started_at: dt.datetime
    paused_until: dt.datetime
    username: str  # for the link to the audit search only
    staff_name: str
    role: str  # the role's label
    organisation: str
    what: str  # plain words: "412 different people in 10 minutes"
    tried_while_paused: int


def _what(detail: dict) -> str:
    people, minutes = detail.get("people", 0), detail.get("minutes", 0)
    if detail.get("why") == "strangers":
        return (
            f"{people} different people they do not work with (or guesses at their NHS Number "
            f"or date of birth) in {minutes} minutes"
        )
    if detail.get("why") == "searches":
        return f"{people} searches in {minutes} minutes"
    return f"{people} different people in {minutes} minutes"


@dataclass(frozen=True)
class UnusualSearching:
    pauses: list[UnusualSearch]
    limits: SearchLimits  # the agreement's numbers, to say on the page what a pause means


def unusual_searching(*, viewer, ip: str | None) -> UnusualSearching:
    """Every pause in the last ``UNUSUAL_DAYS`` days, newest first (data stewards only)."""
    v = _viewer(viewer)
    _require(v, Permission.SEARCH_AUDIT, ip, "open the unusual searching page")
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            AuditEntry.objects.filter(
                action=AuditEntry.Action.SEARCH_THROTTLED,
                at__gte=now - dt.timedelta(days=UNUSUAL_DAYS),
            )
            .order_by("-at", "-id")
            .values_list("user_id", "username", "role", "organisation", "at", "detail")[
                :UNUSUAL_ROWS
            ]
        )
        names = {
            user.pk: user.get_full_name() or user.get_username()
            for user in get_user_model().objects.filter(id__in={r[0] for r in rows})
        }
        tried: dict[tuple, int] = {}
        for user_id, *_, detail in rows:
            if isinstance(detail, dict) and not detail.get("started"):
                key = (user_id, detail.get("paused_until"))
                tried[key] = tried.get(key, 0) + 1
        out = []
        for user_id, username, role, organisation, at, detail in rows:
            if not isinstance(detail, dict) or not detail.get("started"):
                continue
            try:
                until = dt.datetime.fromisoformat(detail["paused_until"])
            except (KeyError, TypeError, ValueError):
                until = at
            try:
                role_label = Role(role).label
            except ValueError:
                role_label = role
            out.append(
                UnusualSearch(
                    started_at=at,
                    paused_until=until,
                    username=username,
                    staff_name=names.get(user_id, username),
                    role=role_label,
                    organisation=organisation,
                    what=_what(detail),
                    tried_while_paused=tried.get((user_id, detail.get("paused_until")), 0),
                )
            )
        _audit(v, AuditEntry.Action.AUDIT_SEARCH, ip, purpose="unusual searching")
    return UnusualSearching(pauses=out, limits=v.agreement.search)
