"""The caseloads a team works from: "My caseload" and the team's caseload, with what needs doing.

Whom each list holds follows the agreement's relationships for the role, exactly as opening a
record does (``relationship._relationships``): a volunteer's lists hold only the people
referred or assigned to them; a district nurse's team caseload may add everyone living in the
team's postcode areas (thousands: paged, in name order). What needs doing for each person
(plan actions due or overdue, plan reviews due, new safety flags, admissions and A&E
attendances since the viewer's organisation last saw them) goes through the lens like any
other item, and is worked out only for the people that are ranked or shown, never for a whole
neighbourhood. Every page is audited with the people listed (``detail["person_ids"]``).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from wraparound.governance.access import search
from wraparound.governance.access.audit import _audit, _refused
from wraparound.governance.access.errors import NoAccess
from wraparound.governance.access.relationship import _objections, _relationships
from wraparound.governance.access.results import Caseload, CaseloadRow, ToDo
from wraparound.governance.access.summaries import _summaries
from wraparound.governance.access.viewer import _require, _Viewer, _viewer
from wraparound.governance.models import Assignment, AuditEntry, CaseloadEntry, PersonSearchIndex
from wraparound.governance.roles import Permission
from wraparound.identity.models import Person
from wraparound.meetings.models import CaseItem
from wraparound.notes import queries as note_queries
from wraparound.plans import queries as plan_queries
from wraparound.sources.models import Event, SourceRecord

WHOSE = ("mine", "team")
SORTS = ("name", "most", "next_due")
SHOWS = ("needs", "all")
# A caseload up to this size is ranked and filtered by what needs doing; a bigger one (a whole
# neighbourhood) is listed in name order, with what needs doing worked out for the page only.
RANK_LIMIT = 600
NEW_FLAG_DAYS = 14
REVIEW_WITHIN_DAYS = 7
# Admissions and A&E attendances looked at when the team has never seen the person.
HOSPITAL_LOOKBACK_DAYS = 90
FLAG_TYPES = ("Flag", "AllergyIntolerance")
FLAG_CODES = ("key_safe", "risk_to_staff", "flag", "alert", "allergy")
HOSPITAL_KINDS = ("A&E attendance", "Admission", "Mental health admission")
MAX_PAGE = 100_000


def open_caseload(
    *,
    viewer,
    ip: str | None,
    whose: str = "mine",
    scope: str = "list",
    page: int = 1,
    page_size: int = 25,
    sort: str = "name",
    show: str = "all",
    overdue_only: bool = False,
    today: dt.date | None = None,
) -> Caseload:
    """One page of the viewer's own caseload (``whose="mine"``) or their team's.

    "mine": the people assigned to the viewer by name, and anyone they hold an open plan
    action for. "team", ``scope="list"``: the team's caseload list (referrals) and the people
    assigned to the team's members, as far as the viewer's role counts them;
    ``scope="neighbourhood"``: everyone living in the team's postcode areas (roles whose
    agreement counts the neighbourhood). Unknown values fall back to the defaults; a role
    that may not open records is refused (audited).
    """
    v = _viewer(viewer)
    _require(v, Permission.VIEW_PERSON, ip, "open a caseload")
    if not v.rules.relationships:  # a data steward holds no one: they see records, not caseloads
        _refused(v, ip, permission=Permission.VIEW_PERSON.value, tried="open a caseload")
        raise NoAccess()
    whose = whose if whose in WHOSE else "mine"
    sort = sort if sort in SORTS else "name"
    show = show if show in SHOWS else "all"
    page_size = max(1, min(int(page_size), 100))
    page = max(1, min(int(page), MAX_PAGE))
    today = today or timezone.localdate()
    may_see_neighbourhood = "neighbourhood" in v.rules.relationships and bool(v.areas)
    if whose == "mine":
        scope = "assigned"
    elif scope != "neighbourhood" or not may_see_neighbourhood:
        scope = "list"
    with transaction.atomic():
        if scope == "neighbourhood":
            rows, total, by_todo = _neighbourhood_page(v, page, page_size, today)
            if rows is None:
                rows, total, by_todo = _ranked_page(
                    v,
                    _neighbourhood_ids(v),
                    page,
                    page_size,
                    sort,
                    show,
                    overdue_only,
                    today,
                )
        else:
            ids = _own_ids(v) if whose == "mine" else _team_list_ids(v)
            rows, total, by_todo = _ranked_page(
                v, ids, page, page_size, sort, show, overdue_only, today
            )
        pages = max(1, math.ceil(total / page_size))
        page = min(page, pages)
        listed = [r.person.person_id for r in rows]
        _audit(
            v,
            AuditEntry.Action.EXPORT,
            ip,
            purpose="caseload list for direct care",
            detail={
                "what": "caseload_screen",
                "whose": whose,
                "scope": scope,
                "page": page,
                "person_ids": listed,
            },
        )
    note = None
    if not by_todo:
        who = "Everyone living in your team's areas" if scope == "neighbourhood" else "This list"
        note = (
            f"{who}: {total:,} people, in name order. What needs doing is shown for each "
            "person on the page."
            + (
                " To rank people by what needs doing, use the team's list."
                if scope == "neighbourhood"
                else ""
            )
        )
    return Caseload(
        whose=whose,
        scope=scope,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        page_size=page_size,
        sort=sort if by_todo else "name",
        show=show if by_todo else "all",
        overdue_only=overdue_only if by_todo else False,
        by_todo=by_todo,
        team_names=list(v.team_names),
        may_see_neighbourhood=may_see_neighbourhood,
        note=note,
    )


# --- whom each list holds ------------------------------------------------------------------


def _own_ids(v: _Viewer) -> list[int]:
    """Assigned to the viewer by name, and anyone they hold an open plan action for."""
    ids: set[int] = set()
    if "assigned" in v.rules.relationships:
        ids |= set(
            Assignment.objects.filter(staff_id=v.staff_id, ended_at=None).values_list(
                "person_id", flat=True
            )
        )
    ids |= {a["person_id"] for a in _open_actions(v.staff_id)}
    return sorted(ids)


def _team_list_ids(v: _Viewer) -> list[int]:
    """The team's caseload list (referrals) and the people assigned to the team's members."""
    if not v.team_ids:
        return _own_ids(v)
    ids = set(
        CaseloadEntry.objects.filter(team_id__in=v.team_ids).values_list("person_id", flat=True)
    )
    ids |= set(
        Assignment.objects.filter(staff__teams__id__in=v.team_ids, ended_at=None).values_list(
            "person_id", flat=True
        )
    )
    ids |= set(_own_ids(v))
    return sorted(ids)


def _area_tokens(v: _Viewer) -> list[str]:
    return [search.current_area_token(area) for area in v.areas]


def _neighbourhood_ids(v: _Viewer) -> list[int]:
    return sorted(
        set(
            PersonSearchIndex.objects.filter(token__in=_area_tokens(v)).values_list(
                "person_id", flat=True
            )
        )
    )


# --- ranking -------------------------------------------------------------------------------


def _related(v: _Viewer, ids: list[int]) -> list[int]:
    """Those of ``ids`` the viewer's role counts a relationship with (the same decision as
    opening the record), so a list never names someone the viewer could not open."""
    out: list[int] = []
    for chunk in _chunks(ids, 500):
        people = dict(
            Person.objects.filter(id__in=chunk, retired=False).values_list("id", "postcode")
        )
        decided = _relationships(v, people)
        out.extend(pid for pid, how in decided.items() if how in ("assigned", "caseload"))
    return out


def _ranked_page(
    v: _Viewer,
    ids: list[int],
    page: int,
    page_size: int,
    sort: str,
    show: str,
    overdue_only: bool,
    today: dt.date,
) -> tuple[list[CaseloadRow], int, bool]:
    """A caseload small enough to rank: what needs doing for everyone on it, then the page."""
    ids = _related(v, ids)
    if len(ids) > RANK_LIMIT:
        return _name_page(v, ids, page, page_size, today)
    if sort == "name" and show == "all" and not overdue_only:
        # Everyone in name order: what needs doing is needed for the page only.
        rows, total, _ = _name_page(v, ids, page, page_size, today)
        return rows, total, True
    todos = _todos(v, ids, today)
    names = _names(ids)
    if show == "needs":
        ids = [pid for pid in ids if todos[pid].count]
    if overdue_only:
        ids = [pid for pid in ids if todos[pid].actions_overdue]
    far = dt.date.max
    if sort == "most":
        ids.sort(key=lambda pid: (-todos[pid].count, names[pid], pid))
    elif sort == "next_due":
        ids.sort(key=lambda pid: (todos[pid].next_due or far, names[pid], pid))
    else:
        ids.sort(key=lambda pid: (names[pid], pid))
    total = len(ids)
    page = min(page, max(1, math.ceil(total / page_size)))
    shown = ids[(page - 1) * page_size : page * page_size]
    rows = [CaseloadRow(person=s, todo=todos[s.person_id]) for s in _summaries(v, shown)]
    return rows, total, True


def _name_page(
    v: _Viewer, ids: list[int], page: int, page_size: int, today: dt.date
) -> tuple[list[CaseloadRow], int, bool]:
    total = len(ids)
    names = _names(ids)
    ids = sorted(ids, key=lambda pid: (names[pid], pid))
    page = min(page, max(1, math.ceil(total / page_size)))
    shown = ids[(page - 1) * page_size : page * page_size]
    todos = _todos(v, shown, today)
    return (
        [CaseloadRow(person=s, todo=todos[s.person_id]) for s in _summaries(v, shown)],
        total,
        False,
    )


# The neighbourhood in name order, per set of areas, for a few minutes: ids only, so paging
# through tens of thousands of people does not sort them all again for every page. The key
# includes a fingerprint of who lives there (count and sum of ids, from the search index
# alone), so anyone moving in or out makes a new list at once; a changed name reorders within
# ``NAME_ORDER_SECONDS``. Whether the viewer may list each person is decided again per page.
NAME_ORDER_SECONDS = 300
_NAME_ORDER: dict[tuple, tuple[float, list[int]]] = {}


def _neighbourhood_in_name_order(v: _Viewer, *, fresh: bool = False) -> list[int]:
    tokens = tuple(sorted(set(_area_tokens(v))))
    rows = PersonSearchIndex.objects.filter(token__in=tokens)
    fingerprint = rows.aggregate(n=Count("person_id"), s=Sum("person_id"))
    key = (tokens, fingerprint["n"], fingerprint["s"])
    now = time.monotonic()
    kept = _NAME_ORDER.get(key)
    if not fresh and kept is not None and now - kept[0] < NAME_ORDER_SECONDS:
        return kept[1]
    people = Person.objects.filter(retired=False, id__in=rows.values("person_id"))
    named = people.values_list("id", "family_name", "given_name").iterator(chunk_size=20_000)
    ids = [pid for pid, *_ in sorted(named, key=lambda p: (p[1].lower(), p[2].lower(), p[0]))]
    if len(_NAME_ORDER) >= 16:
        _NAME_ORDER.clear()
    _NAME_ORDER[key] = (now, ids)
    return ids


def _in_name_order(ids: list[int]) -> bool:
    """Is this page still in name order (nobody on it renamed since the list was made)?"""
    names = _names(ids)
    keys = [(*names[pid], pid) for pid in ids]
    return len(names) == len(ids) and keys == sorted(keys)


def _neighbourhood_page(
    v: _Viewer, page: int, page_size: int, today: dt.date
) -> tuple[list[CaseloadRow] | None, int, bool]:
    """Everyone living in the team's areas, in name order, one page at a time.

    Only the page's people have what needs doing worked out. A small neighbourhood
    (``RANK_LIMIT``) is ranked instead (``None``).
    """
    everyone = _neighbourhood_in_name_order(v)
    total = len(everyone)
    if total <= RANK_LIMIT:
        return None, total, True
    page = min(page, max(1, math.ceil(total / page_size)))
    shown = everyone[(page - 1) * page_size : page * page_size]
    if not _in_name_order(shown):
        everyone = _neighbourhood_in_name_order(v, fresh=True)
        shown = everyone[(page - 1) * page_size : page * page_size]
    todos = _todos(v, shown, today)
    rows = [
        CaseloadRow(person=s, todo=todos[s.person_id])
        for s in _summaries(v, shown)
        if s.relationship != "none"
    ]
    return rows, total, False


def _names(ids: list[int]) -> dict[int, tuple[str, str]]:
    out: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(ids, 500):
        for pid, given, family in Person.objects.filter(id__in=chunk).values_list(
            "id", "given_name", "family_name"
        ):
            out[pid] = (family.lower(), given.lower())
    return {pid: out.get(pid, ("", "")) for pid in ids}


# --- what needs doing ----------------------------------------------------------------------


def _open_actions(staff_id: int) -> list[dict]:
    return list(plan_queries.open_actions_for_staff(staff_id))


def _todos(v: _Viewer, ids: list[int], today: dt.date) -> dict[int, ToDo]:
    """What needs doing for each of ``ids``, as far as this viewer may be told."""
    counts: dict[int, tuple[int, int]] = {}
    reviews: dict[int, dt.date] = {}
    own_due: dict[int, dt.date] = {}
    mine: dict[int, list[str]] = {}
    if ids:
        for chunk in _chunks(ids, 500):
            counts.update(plan_queries.action_counts(chunk, today))
            reviews.update(
                plan_queries.reviews_due(chunk, today + dt.timedelta(days=REVIEW_WITHIN_DAYS))
            )
        wanted = set(ids)
        own = [a for a in _open_actions(v.staff_id) if a.get("person_id") in wanted]
        for action in own:
            due = action.get("due_on")
            pid = action.get("person_id")
            if due and (pid not in own_due or due < own_due[pid]):
                own_due[pid] = due
        mine = _own_action_lines(own)
    flags, hospital = _from_events(v, ids, today)
    for pid, texts in _flag_notes(v, ids, today).items():
        flags[pid] = list(dict.fromkeys(flags.get(pid, []) + texts))
    out: dict[int, ToDo] = {}
    for pid in ids:
        due_soon, overdue = counts.get(pid, (0, 0))
        review = reviews.get(pid)
        dates = [d for d in (review, own_due.get(pid)) if d]
        out[pid] = ToDo(
            actions_due=int(due_soon or 0),
            actions_overdue=int(overdue or 0),
            review_due=review,
            new_flags=flags.get(pid, []),
            hospital=hospital.get(pid, []),
            next_due=min(dates) if dates else None,
            mine=mine.get(pid, []),
        )
    return out


def _own_action_lines(actions: list[dict], most: int = 3) -> dict[int, list[str]]:
    """The viewer's own open actions in words, soonest first, saying which MDT agreed each
    (a lead finds on their caseload what the meeting asked of them, issue 12)."""
    agreed = dict(
        CaseItem.objects.filter(
            id__in={a["meeting_item_id"] for a in actions if a.get("meeting_item_id")}
        ).values_list("id", "meeting__starts_at")
    )
    out: dict[int, list[str]] = defaultdict(list)
    for a in actions:  # already soonest due first
        if len(out[a["person_id"]]) >= most:
            continue
        text = a["what"] if len(a["what"]) <= 120 else a["what"][:117] + "..."
        if a.get("due_on"):
            text += f", due {_england(a['due_on'])}"
        when = agreed.get(a.get("meeting_item_id"))
        if when:
            text += f" (agreed at the MDT on {_england(timezone.localtime(when).date())})"
        out[a["person_id"]].append(text)
    return out


def _from_events(
    v: _Viewer,
    ids: list[int],
    today: dt.date,
    *,
    since: dict[int, dt.datetime] | None = None,
    hospital_partners: tuple[str, ...] | None = None,
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """New safety flags, and admissions or A&E attendances since the viewer's organisation
    last saw the person, from partners' events, through the lens (objections included).

    ``since`` (an MDT's "since last discussed") replaces "last seen by the viewer's
    organisation": people it does not name count everything in the lookback.
    ``hospital_partners`` keeps hospital activity to those kinds of partner, outside every
    sensitive category (what an MDT may show to attendees whose role sees acute detail)."""
    flags: dict[int, list[str]] = defaultdict(list)
    hospital: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return flags, hospital
    objecting = _objections(ids)
    lenses = {False: v.lens(False), True: v.lens(True)}
    records: dict[tuple[int, str], tuple[int, str, str]] = {}
    for chunk in _chunks(ids, 500):
        for pid, source_id, record_id, partner, name in SourceRecord.objects.filter(
            link__person_id__in=chunk
        ).values_list(
            "link__person_id", "source_id", "source_record_id", "source__partner", "source__name"
        ):
            records[(source_id, record_id)] = (pid, partner, name)
    if not records:
        return flags, hospital
    start = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=HOSPITAL_LOOKBACK_DAYS), dt.time.min)
    )
    flags_from = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=NEW_FLAG_DAYS), dt.time.min)
    )
    wanted = Q(resource_type__in=FLAG_TYPES) | Q(code__in=FLAG_CODES) | Q(resource_type="Encounter")
    by_source: dict[int, list[str]] = defaultdict(list)
    for source_id, record_id in records:
        by_source[source_id].append(record_id)
    events = []
    for source_id, record_ids in by_source.items():
        for chunk in _chunks(record_ids, 500):
            events.extend(
                Event.objects.filter(
                    wanted,
                    source_id=source_id,
                    subject_record_id__in=chunk,
                    occurred_at__gte=start,
                )
                .order_by("occurred_at", "id")
                .values_list(
                    "source_id",
                    "subject_record_id",
                    "resource_type",
                    "code",
                    "kind",
                    "status",
                    "summary",
                    "occurred_at",
                    "sensitive_category",
                )
            )
    last_seen: dict[int, dt.datetime] = dict(since or {})
    if since is None:
        for source_id, record_id, rtype, _code, _kind, _status, _summary, at, _cat in events:
            pid, partner, _name = records[(source_id, record_id)]
            if rtype == "Encounter" and partner == v.own_partner and at:
                last_seen[pid] = max(at, last_seen.get(pid, at))
        for pid, when in _own_notes_seen(v, ids).items():
            last_seen[pid] = max(when, last_seen.get(pid, when))
    for source_id, record_id, rtype, code, kind, status, summary, at, category in events:
        pid, partner, name = records[(source_id, record_id)]
        lens = lenses[pid in objecting]
        text = (summary or "").strip()
        is_flag = rtype in FLAG_TYPES or code in FLAG_CODES
        if is_flag and at and at >= flags_from and text:
            if status not in ("inactive", "resolved", "entered-in-error") and lens.may_see_summary(
                partner, name, category, safety=True
            ):
                shown = f"Allergy: {text}" if rtype == "AllergyIntolerance" else text
                if shown not in flags[pid]:
                    flags[pid].append(shown)
        if rtype == "Encounter" and kind in HOSPITAL_KINDS and at:
            if hospital_partners is not None and (
                partner not in hospital_partners
                or category
                or lens.source_categories(partner, name)
            ):
                continue
            seen = last_seen.get(pid)
            if (seen is None or at > seen) and lens.may_see_detail(partner, name, category):
                hospital[pid].append(f"{kind}, {_england(timezone.localtime(at).date())}")
    return flags, hospital


def _own_notes_seen(v: _Viewer, ids: list[int]) -> dict[int, dt.datetime]:
    """When someone from the viewer's kind of organisation last wrote a contact note."""
    if not ids:
        return {}
    notes = note_queries.last_notes_for(ids, partner=v.own_partner)
    return {pid: note.occurred_at for pid, note in notes.items() if note.occurred_at}


def _flag_notes(v: _Viewer, ids: list[int], today: dt.date) -> dict[int, list[str]]:
    """Contact notes marked as safety flags in the last 14 days, through the lens (a flag's
    own words are judged by the flag's category, as on the person page)."""
    if not ids:
        return {}
    since = today - dt.timedelta(days=NEW_FLAG_DAYS)
    objecting = _objections(ids)
    lenses = {False: v.lens(False), True: v.lens(True)}
    out: dict[int, list[str]] = {}
    for pid, notes in note_queries.flag_notes_for(ids).items():
        lens = lenses[pid in objecting]
        for note in notes:
            if note.occurred_at is None or timezone.localtime(note.occurred_at).date() < since:
                continue
            if note.flag_text and lens.may_see_summary(
                note.partner, "", note.flag_category, safety=True
            ):
                out.setdefault(pid, []).append(note.flag_text)
    return out


def _england(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]
