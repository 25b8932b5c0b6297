"""The gate: the one way to person data. Decides under the agreement, audits, hands out values.

Every function here that shows or changes person data checks the viewer's rights, applies the
information sharing agreement (``governance.lens``), writes its ``AuditEntry`` and returns frozen
dataclasses (``governance.results``), all inside one ``transaction.atomic``: if the audit row
cannot be written, nothing is returned. Refusals are audited too (``access_denied``) and then
raised.

``viewer`` is always the Django user (``request.user``); a user without a ``Staff`` profile, or
inactive, can do nothing. The API (keyword-only arguments throughout):

Finding and opening
    search_people(*, viewer, query, ip, limit=25) -> SearchResults
        NHS Number (any spacing), names (any case, typos, nicknames), dates of birth
        (1942-03-03, 3/3/1942, 3/3/42, 3 March 1942, 03031942), postcodes, districts
        (WV10), sectors (WV10 6), years, and combinations. ``PersonSummary.relationship`` is
        "assigned" | "caseload" | "steward" | "break_glass" | "none". ``known_to`` lists only
        organisations this viewer may be told about. Audited ("search").
    open_record(*, viewer, person_id, purpose, ip, timeline_partner=None, timeline_kind=None,
                timeline_page=1, page_size=25) -> RecordView
        Raises NoAccess (unknown or retired id, or a role that may not open records: one
        message for all) or BreakGlassRequired (a real person, but no legitimate relationship;
        the viewer may request break-glass). ``RecordView.access`` is "assigned" | "caseload" |
        "steward" | "break_glass". Audited ("view_person", with what was shown and withheld).
    export_caseload(*, viewer, ip) -> list[PersonSummary]
        The viewer's teams' caseloads and assignments, for direct care. Audited ("export").
    who_am_i(*, viewer) -> ViewerInfo            (no person data; for headers and navigation)
    is_data_steward(user) -> bool

Break-glass
    request_break_glass(*, viewer, person_id, reason, ip) -> BreakGlassGrant
        Raises NoAccess (unknown id or the role has no break-glass), InvalidRequest (reason
        shorter than the agreement's minimum). Time-limited (agreement: break_glass.hours).
    open_break_glass_reviews(*, viewer, ip, include_closed=False) -> list[BreakGlassReview]
    close_break_glass_review(*, viewer, grant_id, outcome, note, ip) -> None
        outcome: "appropriate" | "inappropriate" | "unclear" (InvalidRequest otherwise, or
        when already closed, or "inappropriate" without a note).

Audit (data stewards)
    search_audit(*, viewer, ip, username=None, person_id=None, action=None, date_from=None,
                 date_to=None, limit=500) -> list[AuditRow]
    access_report_for_person(*, viewer, person_id, ip) -> list[AuditRow]

Linkage (data stewards)
    open_review_queue(*, viewer, ip, limit=50) -> list[ReviewPairView]
    decide_review_pair(*, viewer, pair_id, decision, reason, ip) -> None   # same|different|not_sure
    split_link(*, viewer, person_id, source, source_record_id, reason, ip) -> int (new person id)
    merge_people(*, viewer, person_id, other_person_id, reason, ip) -> int (kept person id)
        InvalidRequest (shown on the form): the same person twice, no reason, an unknown
        other record number, or a person with no linked record.

Person-centred writes (legitimate relationship or break-glass, and a role that may edit)
    record_what_matters(*, viewer, person_id, text, ip) -> WhatMattersEntry
    add_person_who_matters(*, viewer, person_id, name, relationship, contact, ip)
        -> PersonWhoMatters
    record_sharing_preference(*, viewer, person_id, national_opt_out, objects_to_sharing,
                              note, ip) -> None
    (InvalidRequest for empty or over-long text.)

Exceptions: NoAccess (always the message ``NO_ACCESS_MESSAGE``), BreakGlassRequired
(``person_id``), InvalidRequest (a ValueError whose message is fit to show).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from wraparound.core import nhs_number as nhs
from wraparound.governance import linkage, postcodes, search
from wraparound.governance.agreement import CATEGORIES, Agreement, RoleRules, current
from wraparound.governance.lens import Lens, partner_label
from wraparound.governance.models import (
    Assignment,
    AuditEntry,
    BreakGlass,
    CaseloadEntry,
    PersonSearchIndex,
    SharingPreference,
    Staff,
)
from wraparound.governance.results import (
    AuditRow,
    BreakGlassGrant,
    BreakGlassReview,
    FlagItem,
    Involvement,
    PersonHeader,
    PersonSummary,
    PersonWhoMatters,
    ProblemItem,
    ProvenanceItem,
    RecordView,
    ReviewPairView,
    SearchResults,
    TimelineEntry,
    TimelinePage,
    WhatMattersEntry,
)
from wraparound.governance.roles import Permission, Role, has_permission
from wraparound.identity.models import Person
from wraparound.plans import actions as plan_actions
from wraparound.plans.models import PersonWhoMatters as PersonWhoMattersRow
from wraparound.plans.models import WhatMattersToMe
from wraparound.sources.models import Event, SourceRecord

__all__ = [
    "NO_ACCESS_MESSAGE",
    "BreakGlassRequired",
    "InvalidRequest",
    "NoAccess",
    "ViewerInfo",
    "access_report_for_person",
    "add_person_who_matters",
    "close_break_glass_review",
    "decide_review_pair",
    "export_caseload",
    "is_data_steward",
    "merge_people",
    "open_break_glass_reviews",
    "open_record",
    "open_review_queue",
    "record_sharing_preference",
    "record_what_matters",
    "request_break_glass",
    "search_audit",
    "search_people",
    "split_link",
    "who_am_i",
]

NO_ACCESS_MESSAGE = "You cannot open this record."
FLAG_TYPES = ("Flag", "AllergyIntolerance")
FLAG_CODES = ("key_safe", "risk_to_staff", "flag", "alert", "allergy")
ACTIVE_PROBLEM = ("active", "recurrence", "relapse", "")
SUMMARY_EVENT_LIMIT = 2000


class NoAccess(Exception):
    """No such record, or no right to it: one exception and one message for both (no IDOR)."""

    def __init__(self, message: str = NO_ACCESS_MESSAGE):
        super().__init__(message)


class BreakGlassRequired(Exception):
    """The person exists but the viewer has no legitimate relationship: break-glass may help."""

    def __init__(self, person_id: int):
        self.person_id = person_id
        super().__init__("You have no care relationship with this person.")


class InvalidRequest(ValueError):
    """The request cannot be done as asked; the message is fit to show the user."""


# --- the viewer ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Viewer:
    user_id: int
    username: str
    display_name: str
    role: str
    organisation: str
    own_partner: str
    staff_id: int
    team_ids: tuple[int, ...]
    team_names: tuple[str, ...]
    areas: tuple[str, ...]
    agreement: Agreement
    rules: RoleRules

    def may(self, permission: Permission) -> bool:
        return has_permission(self.role, permission)

    def lens(self, objection: bool = False) -> Lens:
        return Lens(
            agreement=self.agreement,
            rules=self.rules,
            own_partner=self.own_partner,
            objection=objection,
        )


@dataclass(frozen=True)
class ViewerInfo:
    username: str
    display_name: str
    role: str
    role_label: str
    organisation: str
    teams: list[str]
    is_steward: bool
    can_search: bool
    can_export: bool
    agreement_version: str


def _viewer(user) -> _Viewer:
    """The viewer's role, organisation and teams, read fresh on every gate call (one query).

    Not cached between calls: a role or team change applies to the very next call. Plain
    values rather than model instances, because this runs on every page.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise NoAccess()
    rows = list(
        Staff.objects.filter(user_id=user.pk)
        .order_by("teams__name")
        .values_list(
            "id",
            "role",
            "organisation__name",
            "organisation__partner",
            "teams__id",
            "teams__name",
            "teams__neighbourhood",
        )
    )
    if not rows:
        raise NoAccess()
    staff_id, role, organisation, partner = rows[0][:4]
    teams = [(tid, name, areas) for *_, tid, name, areas in rows if tid is not None]
    agreement = current()
    return _Viewer(
        user_id=user.pk,
        username=user.get_username(),
        display_name=user.get_full_name() or user.get_username(),
        role=role,
        organisation=organisation,
        own_partner=partner,
        staff_id=staff_id,
        team_ids=tuple(tid for tid, _, _ in teams),
        team_names=tuple(name for _, name, _ in teams),
        areas=tuple(area for _, _, areas in teams for area in areas or ()),
        agreement=agreement,
        rules=agreement.rules_for(role),
    )


def _require(v: _Viewer, permission: Permission) -> None:
    if not v.may(permission):
        raise NoAccess()


def who_am_i(*, viewer) -> ViewerInfo:
    v = _viewer(viewer)
    try:
        role_label = Role(v.role).label
    except ValueError:
        role_label = v.role
    return ViewerInfo(
        username=v.username,
        display_name=v.display_name,
        role=v.role,
        role_label=role_label,
        organisation=v.organisation,
        teams=list(v.team_names),
        is_steward=v.may(Permission.SEARCH_AUDIT),
        can_search=v.may(Permission.SEARCH_PEOPLE),
        can_export=v.may(Permission.EXPORT_CASELOAD),
        agreement_version=v.agreement.version,
    )


def is_data_steward(user) -> bool:
    """For navigation only; every steward function checks again."""
    try:
        return _viewer(user).may(Permission.SEARCH_AUDIT)
    except NoAccess:
        return False


# --- audit ---------------------------------------------------------------------------------


def _audit(
    v: _Viewer,
    action: str,
    ip: str | None,
    *,
    person_id: int | None = None,
    purpose: str = "",
    query: str = "",
    detail: dict | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        at=timezone.now(),
        user_id=v.user_id,
        username=v.username,
        role=v.role,
        organisation=v.organisation,
        ip=(ip or "")[:64],
        action=action,
        person_id=person_id,
        purpose=(purpose or "")[:2000],
        query=(query or "")[:500],
        detail=detail or {},
    )


def _refuse(v: _Viewer, ip: str | None, person_id, why: str, purpose: str = "") -> None:
    """Record the refusal in its own transaction, so it stays when the exception unwinds."""
    with transaction.atomic():
        _audit(
            v,
            AuditEntry.Action.ACCESS_DENIED,
            ip,
            person_id=person_id if isinstance(person_id, int) else None,
            purpose=purpose,
            detail={"why": why},
        )


# --- people and relationships --------------------------------------------------------------


def _person_id(raw) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**62 else None


def _person(person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    return Person.objects.filter(id=person_id, retired=False).first()


def _objections(person_ids) -> set[int]:
    return set(
        SharingPreference.objects.filter(
            person_id__in=list(person_ids), objects_to_sharing=True
        ).values_list("person_id", flat=True)
    )


def _relationships(v: _Viewer, postcodes_by_id: dict[int, str]) -> dict[int, str]:
    """Each person's relationship to the viewer, strongest first: assigned, caseload (their
    teams' neighbourhoods or caseload lists), steward (agreement: all people), break-glass.

    Each step asks the database only about the people the steps before left undecided, so a
    person in the viewer's neighbourhood costs one query (are they assigned?), not four.
    """
    ids = list(postcodes_by_id)
    assigned = set(
        Assignment.objects.filter(
            staff_id=v.staff_id, person_id__in=ids, ended_at=None
        ).values_list("person_id", flat=True)
    )
    areas = list(v.areas)
    out: dict[int, str] = {}
    undecided = []
    for pid, postcode in postcodes_by_id.items():
        if pid in assigned:
            out[pid] = "assigned"
        elif postcodes.in_neighbourhood(postcode, areas):
            out[pid] = "caseload"
        else:
            undecided.append(pid)
    if undecided and v.team_ids:
        listed = set(
            CaseloadEntry.objects.filter(
                team_id__in=v.team_ids, person_id__in=undecided
            ).values_list("person_id", flat=True)
        )
        for pid in listed:
            out[pid] = "caseload"
        undecided = [pid for pid in undecided if pid not in listed]
    if undecided and v.rules.all_people:
        out.update(dict.fromkeys(undecided, "steward"))
        undecided = []
    if undecided:
        glass = set(
            BreakGlass.objects.filter(
                user_id=v.user_id, person_id__in=undecided, expires_at__gt=timezone.now()
            ).values_list("person_id", flat=True)
        )
        for pid in undecided:
            out[pid] = "break_glass" if pid in glass else "none"
    return {pid: out[pid] for pid in postcodes_by_id}


def _active_grant(v: _Viewer, person_id: int) -> BreakGlass | None:
    return (
        BreakGlass.objects.filter(
            user_id=v.user_id, person_id=person_id, expires_at__gt=timezone.now()
        )
        .order_by("-expires_at")
        .first()
    )


def _display_name(given: str, family: str) -> str:
    return " ".join(part for part in (given.strip(), family.strip()) if part) or "Name not recorded"


def _age(dob: dt.date | None, today: dt.date | None = None) -> int | None:
    if not dob:
        return None
    today = today or timezone.localdate()
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def _nhs(number: str) -> tuple[str | None, bool]:
    number = nhs.normalise(number)
    if not number:
        return None, False
    return nhs.formatted(number), nhs.is_valid(number)


def _organisation_name(display_name: str, partner: str) -> str:
    return display_name or partner_label(partner)


def _known_to(v: _Viewer, person_ids: list[int], objections: set[int]) -> dict[int, list[str]]:
    """Organisations that know each person, as far as this viewer may be told."""
    out: dict[int, set[str]] = {pid: set() for pid in person_ids}
    lenses = {False: v.lens(False), True: v.lens(True)}
    rows = SourceRecord.objects.filter(link__person_id__in=person_ids).values_list(
        "link__person_id", "source__name", "source__partner", "source__display_name"
    )
    for pid, name, partner, display in rows:
        if lenses[pid in objections].may_name(partner, name):
            out.setdefault(pid, set()).add(_organisation_name(display, partner))
    return {pid: sorted(names) for pid, names in out.items()}


def _summaries(v: _Viewer, person_ids: list[int]) -> list[PersonSummary]:
    people = {
        p["id"]: p
        for p in Person.objects.filter(id__in=person_ids, retired=False).values(
            "id", "given_name", "family_name", "date_of_birth", "postcode", "address", "nhs_number"
        )
    }
    ordered = [pid for pid in person_ids if pid in people]
    relationships = _relationships(v, {pid: people[pid]["postcode"] for pid in ordered})
    known = _known_to(v, ordered, _objections(ordered))
    summaries = []
    for pid in ordered:
        p = people[pid]
        number, valid = _nhs(p["nhs_number"])
        summaries.append(
            PersonSummary(
                person_id=pid,
                display_name=_display_name(p["given_name"], p["family_name"]),
                age=_age(p["date_of_birth"]),
                date_of_birth=p["date_of_birth"],
                address=p["address"],
                postcode=postcodes.normalise(p["postcode"]),
                nhs_number=number,
                nhs_valid=valid,
                known_to=known.get(pid, []),
                relationship=relationships[pid],
            )
        )
    return summaries


# --- search --------------------------------------------------------------------------------


def search_people(*, viewer, query: str, ip: str | None, limit: int = 25) -> SearchResults:
    v = _viewer(viewer)
    _require(v, Permission.SEARCH_PEOPLE)
    limit = max(1, min(int(limit), 100))
    query = (query or "").strip()[:200]
    with transaction.atomic():
        found = search.find(query, limit=limit)
        results = _summaries(v, found.person_ids)
        notice = None
        if not found.total and not PersonSearchIndex.objects.exists():
            notice = (
                "Search is not ready yet: an administrator needs to run "
                "'wraparound reindex-search'."
            )
        _audit(
            v,
            AuditEntry.Action.SEARCH,
            ip,
            query=query,
            purpose="find a person",
            detail={"results": [r.person_id for r in results], "total": found.total},
        )
    return SearchResults(
        query=query,
        results=results,
        total=found.total,
        truncated=found.total > len(results),
        understood=found.understood,
        ignored=found.ignored,
        notice=notice,
        viewer_is_steward=v.may(Permission.SEARCH_AUDIT),
    )


# --- the record ----------------------------------------------------------------------------


def _decide(
    v: _Viewer, person_id_raw, ip: str | None, purpose: str
) -> tuple[Person, str, BreakGlass | None]:
    """Who may open what: returns the person and the access, or audits the refusal and raises."""
    person_id = _person_id(person_id_raw)
    if not v.may(Permission.VIEW_PERSON):
        _refuse(v, ip, person_id, "role may not open records", purpose)
        raise NoAccess()
    person = _person(person_id)
    if person is None:
        _refuse(v, ip, person_id, "no such person", purpose)
        raise NoAccess()
    relationship = _relationships(v, {person.id: person.postcode})[person.id]
    grant = None
    if relationship == "break_glass":
        grant = _active_grant(v, person.id)
    if relationship == "none":
        _refuse(v, ip, person.id, "no legitimate relationship", purpose)
        if v.may(Permission.BREAK_GLASS):
            raise BreakGlassRequired(person.id)
        raise NoAccess()
    return person, relationship, grant


def _linked_records(person_id: int) -> list[dict]:
    return list(
        SourceRecord.objects.filter(link__person_id=person_id)
        .order_by("source__name", "source_record_id")
        .values(
            "id",
            "source_id",
            "source__name",
            "source__partner",
            "source__display_name",
            "source_record_id",
            "nhs_number",
            "nhs_number_valid",
            "given_name",
            "family_name",
            "date_of_birth",
            "postcode",
            "phone",
            "link__rule",
            "link__match_probability",
        )
    )


def _events_q(records: list[dict]) -> Q | None:
    if not records:
        return None
    return reduce(
        or_,
        (Q(source_id=r["source_id"], subject_record_id=r["source_record_id"]) for r in records),
    )


def _date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


def _text(value) -> str:
    return str(value).strip() if value not in (None, "") else ""


def _involvements(value) -> list[dict]:
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict) and _text(item.get("name"))]


def open_record(
    *,
    viewer,
    person_id: int,
    purpose: str,
    ip: str | None,
    timeline_partner: str | None = None,
    timeline_kind: str | None = None,
    timeline_page: int = 1,
    page_size: int = 25,
) -> RecordView:
    v = _viewer(viewer)
    person, access, grant = _decide(v, person_id, ip, purpose)
    with transaction.atomic():
        view, detail = _build_record(
            v,
            person,
            access,
            grant,
            timeline_partner=timeline_partner,
            timeline_kind=timeline_kind,
            timeline_page=timeline_page,
            page_size=page_size,
        )
        _audit(
            v,
            AuditEntry.Action.VIEW_PERSON,
            ip,
            person_id=person.id,
            purpose=purpose or "direct care",
            detail=detail,
        )
    return view


def _build_record(
    v: _Viewer,
    person: Person,
    access: str,
    grant: BreakGlass | None,
    *,
    timeline_partner: str | None,
    timeline_kind: str | None,
    timeline_page: int,
    page_size: int,
) -> tuple[RecordView, dict]:
    preference = SharingPreference.objects.filter(person_id=person.id).first()
    objection = bool(preference and preference.objects_to_sharing)
    lens = v.lens(objection)
    is_steward = v.rules.provenance == "full" and v.may(Permission.REVIEW_LINKAGE)
    name = _display_name(person.given_name, person.family_name)

    records = _linked_records(person.id)
    sources = {r["source_id"]: r for r in records}
    q = _events_q(records)

    # What exists, grouped, to decide what is shown and what is withheld (one indexed query).
    withheld_reasons: set[str] = set()
    withheld_categories: set[str] = set()
    shown_partners: set[str] = set()
    kinds: set[str] = set()
    groups: list[dict] = []
    if q is not None:
        groups = list(
            Event.objects.filter(q, on_timeline=True)
            .values("source_id", "sensitive_category", "kind")
            .annotate(n=Count("id"))
        )
        for group in groups:
            src = sources[group["source_id"]]
            partner, source_name = src["source__partner"], src["source__name"]
            category = group["sensitive_category"]
            reason = lens.withheld_reason(partner, source_name, category)
            if reason is None:
                shown_partners.add(partner)
                if group["kind"]:
                    kinds.add(group["kind"])
            else:
                withheld_reasons.add(reason)
                withheld_categories |= lens.categories(partner, source_name, category)

    # Timeline: detail from the partners and categories the lens allows, newest first.
    detail_records = [
        r
        for r in records
        if lens.may_see_detail(r["source__partner"], r["source__name"], "")
        and (not timeline_partner or r["source__partner"] == timeline_partner)
    ]
    blocked = sorted(CATEGORIES - v.rules.sensitive)
    page_size = max(1, min(int(page_size or 25), 100))
    entries: list[TimelineEntry] = []
    total = 0
    page = max(1, int(timeline_page or 1))
    timeline_q = _events_q(detail_records)
    if timeline_q is not None:
        events = Event.objects.filter(timeline_q, on_timeline=True).exclude(
            sensitive_category__in=blocked
        )
        if timeline_kind:
            events = events.filter(kind=timeline_kind)
        # The total comes from the groups above (the same rows: the detail records are every
        # record of the sources the lens allows), which saves counting the timeline again.
        detail_sources = {r["source_id"] for r in detail_records}
        total = sum(
            g["n"]
            for g in groups
            if g["source_id"] in detail_sources
            and g["sensitive_category"] not in blocked
            and (not timeline_kind or g["kind"] == timeline_kind)
        )
        pages = max(1, math.ceil(total / page_size))
        page = min(page, pages)
        rows = events.order_by(F("occurred_at").desc(nulls_last=True), "-id").values(
            "source_id", "occurred_at", "kind", "summary", "extra"
        )[(page - 1) * page_size : page * page_size]
        for row in rows:
            src = sources[row["source_id"]]
            extra = row["extra"] if isinstance(row["extra"], dict) else {}
            organisation = _text(extra.get("organisation")) or _organisation_name(
                src["source__display_name"], src["source__partner"]
            )
            entries.append(
                TimelineEntry(
                    occurred_at=row["occurred_at"],
                    kind=row["kind"],
                    summary=row["summary"],
                    partner=partner_label(src["source__partner"]),
                    source_name=_organisation_name(
                        src["source__display_name"], src["source__partner"]
                    ),
                    organisation=organisation,
                )
            )
    pages = max(1, math.ceil(total / page_size))
    timeline = TimelinePage(
        entries=entries,
        page=page,
        pages=pages,
        total=total,
        partners=[(code, partner_label(code)) for code in sorted(shown_partners)],
        kinds=sorted(kinds),
    )

    # Summary items and problems from partners' events.
    flags: list[FlagItem] = []
    problems: list[ProblemItem] = []
    involved: list[Involvement] = []
    partner_people: list[PersonWhoMatters] = []
    seen_flags: set[str] = set()
    seen_problems: set[str] = set()
    seen_involved: set[tuple[str, str]] = set()
    seen_people: set[str] = set()
    if q is not None:
        summary_events = (
            Event.objects.filter(q)
            .filter(
                Q(resource_type__in=(*FLAG_TYPES, "Condition", "RelatedPerson"))
                | Q(code__in=FLAG_CODES)
                | Q(extra__has_key="involved")
                | Q(extra__has_key="related_person")
            )
            .order_by(F("occurred_at").desc(nulls_last=True), "-id")
            .values(
                "source_id",
                "resource_type",
                "code",
                "kind",
                "status",
                "summary",
                "occurred_at",
                "sensitive_category",
                "extra",
            )[:SUMMARY_EVENT_LIMIT]
        )
        for event in summary_events:
            src = sources[event["source_id"]]
            partner, source_name = src["source__partner"], src["source__name"]
            category = event["sensitive_category"]
            extra = event["extra"] if isinstance(event["extra"], dict) else {}
            label = partner_label(partner)
            text = _text(event["summary"])
            is_flag = event["resource_type"] in FLAG_TYPES or event["code"] in FLAG_CODES
            if is_flag and lens.may_see_summary(partner, source_name, category, safety=True):
                if event["status"] not in ("inactive", "resolved", "entered-in-error"):
                    shown = (
                        f"Allergy: {text}"
                        if event["resource_type"] == "AllergyIntolerance"
                        else text
                    )
                    if shown and shown.lower() not in seen_flags:
                        seen_flags.add(shown.lower())
                        flags.append(
                            FlagItem(text=shown, partner=label, date=_date(event["occurred_at"]))
                        )
            if (
                event["resource_type"] == "Condition"
                and event["status"] in ACTIVE_PROBLEM
                and lens.may_see_detail(partner, source_name, category)
                and text
                and text.lower() not in seen_problems
            ):
                seen_problems.add(text.lower())
                problems.append(
                    ProblemItem(text=text, partner=label, date=_date(event["occurred_at"]))
                )
            if not lens.may_see_summary(partner, source_name, category):
                continue
            for item in _involvements(extra.get("involved")):
                key = (_text(item.get("name")).lower(), _text(item.get("organisation")).lower())
                if key in seen_involved or len(involved) >= 40:
                    continue
                seen_involved.add(key)
                involved.append(
                    Involvement(
                        name=_text(item.get("name")),
                        role=_text(item.get("role")),
                        organisation=_text(item.get("organisation"))
                        or _organisation_name(src["source__display_name"], partner),
                        contact=_text(item.get("contact") or item.get("phone")),
                        source=_organisation_name(src["source__display_name"], partner),
                    )
                )
            related = extra.get("related_person")
            if isinstance(related, dict) and _text(related.get("name")):
                key = _text(related.get("name")).lower()
                if key not in seen_people:
                    seen_people.add(key)
                    partner_people.append(
                        PersonWhoMatters(
                            name=_text(related.get("name")),
                            relationship=_text(related.get("relationship")),
                            contact=_text(related.get("contact") or related.get("phone")),
                            source=_organisation_name(src["source__display_name"], partner),
                        )
                    )

    # Staff assigned through Wraparound come first among those involved.
    staff_rows = (
        Assignment.objects.filter(person_id=person.id, ended_at=None)
        .order_by("assigned_at")
        .values(
            "role_in_care",
            "staff__role",
            "staff__job_title",
            "staff__phone",
            "staff__email",
            "staff__organisation__name",
            "staff__user__first_name",
            "staff__user__last_name",
            "staff__user__username",
        )
    )
    assigned = []
    for a in staff_rows:
        # Staff.display_name, from plain values: full name, else the username.
        full_name = f"{a['staff__user__first_name']} {a['staff__user__last_name']}".strip()
        staff_name = full_name or a["staff__user__username"]
        organisation = a["staff__organisation__name"]
        key = (staff_name.lower(), organisation.lower())
        if key in seen_involved:
            continue
        seen_involved.add(key)
        assigned.append(
            Involvement(
                name=staff_name,
                role=a["role_in_care"] or a["staff__job_title"] or Role(a["staff__role"]).label,
                organisation=organisation,
                contact=" / ".join(x for x in (a["staff__phone"], a["staff__email"]) if x),
                source="Wraparound",
            )
        )
    involved = assigned + involved

    # The team's own words.
    what_matters = [
        WhatMattersEntry(
            text=row.text,
            recorded_by=row.recorded_by,
            recorded_at=row.recorded_at,
            is_current=i == 0,
        )
        for i, row in enumerate(WhatMattersToMe.objects.filter(person_id=person.id)[:50])
    ]
    team_people = [
        PersonWhoMatters(
            name=row.name,
            relationship=row.relationship,
            contact=row.contact,
            source=f"Recorded by {row.recorded_by}",
        )
        for row in PersonWhoMattersRow.objects.filter(person_id=person.id, ended_at=None)
    ]

    # Header: identity, the contact number from a partner the viewer may be told about.
    number, valid = _nhs(person.nhs_number)
    warning = None
    if not number:
        warning = "No NHS Number: check who this is with the person before acting."
    elif not valid:
        warning = f"No valid NHS Number ({number} fails the check): check who this is."
    distinct_valid = {r["nhs_number"] for r in records if r["nhs_number_valid"]}
    if len(distinct_valid) > 1:
        warning = "Linked records hold different NHS Numbers: tell the data steward."
    phone = next(
        (
            r["phone"]
            for r in records
            if r["phone"] and lens.may_name(r["source__partner"], r["source__name"])
        ),
        "",
    )
    header = PersonHeader(
        person_id=person.id,
        display_name=name,
        age=_age(person.date_of_birth),
        date_of_birth=person.date_of_birth,
        nhs_number=number,
        nhs_number_warning=warning,
        address=person.address,
        postcode=postcodes.normalise(person.postcode),
        preferred_contact=phone,
    )

    provenance = _provenance(lens, records, is_steward)
    if any(not lens.may_name(r["source__partner"], r["source__name"]) for r in records):
        # A feed we may not name knows the person: say so without saying which.
        withheld_reasons.add("objection" if objection and not is_steward else "generic")

    can_edit = v.may(Permission.EDIT_PERSON_CENTRED) and access in (
        "assigned",
        "caseload",
        "break_glass",
    )
    sharing_note = None
    if objection:
        sharing_note = "Has objected to sharing information between organisations."
    if preference and preference.national_opt_out:
        note = "Has registered a national data opt-out (left out of planning and research data)."
        sharing_note = f"{sharing_note} {note}" if sharing_note else note

    view = RecordView(
        person=header,
        what_matters=what_matters,
        people_who_matter=team_people + partner_people,
        involved=involved,
        flags=flags,
        problems=problems[:50],
        timeline=timeline,
        provenance=provenance,
        withheld=lens.withheld_lines(withheld_reasons, name),
        access=access,
        can_edit=can_edit,
        is_steward=is_steward,
        break_glass_expires_at=grant.expires_at if grant else None,
        sharing_note=sharing_note,
        agreement_version=v.agreement.version,
    )
    detail = {
        "access": access,
        "agreement": v.agreement.version,
        "shown_partners": sorted(shown_partners),
        "withheld": sorted(withheld_reasons),
        "withheld_categories": sorted(withheld_categories),
        "objection": objection,
        "timeline": {"partner": timeline_partner, "kind": timeline_kind, "page": page},
    }
    if grant:
        detail["break_glass_id"] = grant.id
    return view, detail


def _provenance(lens: Lens, records: list[dict], is_steward: bool) -> list[ProvenanceItem]:
    items = []
    seen = set()
    for r in records:
        partner, source_name = r["source__partner"], r["source__name"]
        nameable = lens.may_name(partner, source_name)
        organisation = _organisation_name(r["source__display_name"], partner)
        if is_steward:
            number, _ = _nhs(r["nhs_number"])
            items.append(
                ProvenanceItem(
                    source=organisation if nameable else "A protected service",
                    source_record_id=r["source_record_id"] if nameable else "",
                    partner=partner_label(partner) if nameable else "",
                    nhs_number=number,
                    nhs_valid=r["nhs_number_valid"],
                    name=_display_name(r["given_name"], r["family_name"]),
                    date_of_birth=r["date_of_birth"],
                    postcode=postcodes.normalise(r["postcode"]),
                    rule=r["link__rule"] or "",
                    match_probability=r["link__match_probability"],
                    source_code=source_name if nameable else "",
                    can_split=nameable and len(records) > 1,
                )
            )
        elif nameable and organisation not in seen:
            seen.add(organisation)
            items.append(
                ProvenanceItem(
                    source=organisation,
                    source_record_id="",
                    partner=partner_label(partner),
                    nhs_number=None,
                    nhs_valid=None,
                    name="",
                    date_of_birth=None,
                    postcode="",
                    rule="",
                    match_probability=None,
                )
            )
    return items


# --- exports -------------------------------------------------------------------------------


def export_caseload(*, viewer, ip: str | None) -> list[PersonSummary]:
    """The viewer's teams' caseloads and their own assignments, for direct care."""
    v = _viewer(viewer)
    _require(v, Permission.EXPORT_CASELOAD)
    with transaction.atomic():
        ids: set[int] = set(
            Assignment.objects.filter(staff_id=v.staff_id, ended_at=None).values_list(
                "person_id", flat=True
            )
        )
        ids |= set(
            CaseloadEntry.objects.filter(team_id__in=v.team_ids).values_list("person_id", flat=True)
        )
        tokens = []
        for area in v.areas:
            tokens.append(f"ps:{area}" if " " in area else f"pd:{area}")
        if tokens:
            ids |= set(
                PersonSearchIndex.objects.filter(token__in=tokens).values_list(
                    "person_id", flat=True
                )
            )
        summaries = [
            s
            for chunk in _chunks(sorted(ids), 500)
            for s in _summaries(v, chunk)
            if s.relationship in ("assigned", "caseload")
        ]
        summaries.sort(
            key=lambda s: (
                s.display_name.split(" ")[-1].lower(),
                s.display_name.lower(),
                s.person_id,
            )
        )
        _audit(
            v,
            AuditEntry.Action.EXPORT,
            ip,
            purpose="caseload list for direct care",
            detail={"what": "caseload", "person_ids": [s.person_id for s in summaries]},
        )
    return summaries


def _chunks(items: list[int], size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- break-glass ---------------------------------------------------------------------------


def request_break_glass(*, viewer, person_id: int, reason: str, ip: str | None) -> BreakGlassGrant:
    v = _viewer(viewer)
    pid = _person_id(person_id)
    if not v.may(Permission.BREAK_GLASS):
        _refuse(v, ip, pid, "role may not use break-glass")
        raise NoAccess()
    reason = (reason or "").strip()
    minimum = v.agreement.break_glass_min_reason
    if len(reason) < minimum:
        raise InvalidRequest(f"Give a fuller reason (at least {minimum} characters).")
    person = _person(pid)
    if person is None:
        _refuse(v, ip, pid, "break-glass for no such person")
        raise NoAccess()
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlass.objects.create(
            user_id=v.user_id,
            username=v.username,
            role=v.role,
            organisation=v.organisation,
            person_id=person.id,
            reason=reason[:2000],
            granted_at=now,
            expires_at=now + dt.timedelta(hours=v.agreement.break_glass_hours),
        )
        _audit(
            v,
            AuditEntry.Action.BREAK_GLASS,
            ip,
            person_id=person.id,
            purpose=reason,
            detail={"break_glass_id": grant.id, "expires_at": grant.expires_at.isoformat()},
        )
    return BreakGlassGrant(
        grant_id=grant.id,
        person_id=person.id,
        reason=grant.reason,
        granted_at=grant.granted_at,
        expires_at=grant.expires_at,
    )


def _review(grant: BreakGlass, names: dict[int, str]) -> BreakGlassReview:
    views = AuditEntry.objects.filter(
        action=AuditEntry.Action.VIEW_PERSON,
        user_id=grant.user_id,
        person_id=grant.person_id,
        at__gte=grant.granted_at,
        at__lte=grant.expires_at,
    ).count()
    return BreakGlassReview(
        grant_id=grant.id,
        username=grant.username,
        role=grant.role,
        organisation=grant.organisation,
        person_id=grant.person_id,
        person_name=names.get(grant.person_id, "Record no longer in use"),
        reason=grant.reason,
        granted_at=grant.granted_at,
        expires_at=grant.expires_at,
        views=views,
        outcome=grant.outcome,
        reviewed_by=grant.reviewed_by,
        reviewed_at=grant.reviewed_at,
        review_note=grant.review_note,
    )


def open_break_glass_reviews(
    *, viewer, ip: str | None, include_closed: bool = False
) -> list[BreakGlassReview]:
    v = _viewer(viewer)
    _require(v, Permission.REVIEW_BREAK_GLASS)
    with transaction.atomic():
        grants = BreakGlass.objects.order_by("-granted_at")
        if not include_closed:
            grants = grants.filter(reviewed_at=None)
        grants = list(grants[:500])
        names = {
            p["id"]: _display_name(p["given_name"], p["family_name"])
            for p in Person.objects.filter(id__in=[g.person_id for g in grants]).values(
                "id", "given_name", "family_name"
            )
        }
        reviews = [_review(g, names) for g in grants]
        _audit(
            v,
            AuditEntry.Action.BREAK_GLASS_REVIEW,
            ip,
            purpose="break-glass review list",
            detail={"grants": [g.id for g in grants]},
        )
    return reviews


def close_break_glass_review(
    *, viewer, grant_id: int, outcome: str, note: str, ip: str | None
) -> None:
    v = _viewer(viewer)
    _require(v, Permission.REVIEW_BREAK_GLASS)
    if outcome not in BreakGlass.Outcome.values:
        raise InvalidRequest("Choose an outcome: appropriate, inappropriate or unclear.")
    note = (note or "").strip()
    if outcome == BreakGlass.Outcome.INAPPROPRIATE and not note:
        raise InvalidRequest("Say what follow-up will happen.")
    with transaction.atomic():
        grant = BreakGlass.objects.select_for_update().filter(id=_person_id(grant_id)).first()
        if grant is None:
            raise NoAccess()
        if grant.reviewed_at is not None:
            raise InvalidRequest("This break-glass access has already been reviewed.")
        if grant.user_id == v.user_id:
            raise InvalidRequest("Another data steward must review your own break-glass access.")
        grant.reviewed_at = timezone.now()
        grant.reviewed_by = v.username
        grant.outcome = outcome
        grant.review_note = note[:2000]
        grant.save(update_fields=["reviewed_at", "reviewed_by", "outcome", "review_note"])
        _audit(
            v,
            AuditEntry.Action.BREAK_GLASS_REVIEW,
            ip,
            person_id=grant.person_id,
            purpose=f"closed break-glass review: {outcome}",
            detail={"break_glass_id": grant.id, "outcome": outcome, "note": note[:500]},
        )


# --- audit (stewards) ----------------------------------------------------------------------


def _row(entry: AuditEntry) -> AuditRow:
    detail = entry.detail if isinstance(entry.detail, dict) else {}
    parts = []
    if detail.get("access"):
        parts.append(f"access: {detail['access']}")
    if detail.get("shown_partners"):
        parts.append("shown: " + ", ".join(partner_label(p) for p in detail["shown_partners"]))
    if detail.get("withheld_categories") or detail.get("withheld"):
        withheld = [w.split(":", 1)[-1] for w in detail.get("withheld", [])]
        parts.append(
            "withheld: "
            + ", ".join(sorted(set(withheld) | set(detail.get("withheld_categories", []))))
        )
    if "total" in detail:
        parts.append(f"{detail['total']} matched")
    if detail.get("why"):
        parts.append(f"refused: {detail['why']}")
    if detail.get("person_ids") is not None:
        parts.append(f"{len(detail['person_ids'])} people")
    try:
        label = AuditEntry.Action(entry.action).label
    except ValueError:
        label = entry.action
    return AuditRow(
        entry_id=entry.id,
        at=entry.at,
        username=entry.username,
        role=entry.role,
        organisation=entry.organisation,
        ip=entry.ip,
        action=entry.action,
        action_label=label,
        person_id=entry.person_id,
        purpose=entry.purpose,
        query=entry.query,
        shown="; ".join(parts),
    )


def search_audit(
    *,
    viewer,
    ip: str | None,
    username: str | None = None,
    person_id: int | None = None,
    action: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = 500,
) -> list[AuditRow]:
    v = _viewer(viewer)
    _require(v, Permission.SEARCH_AUDIT)
    filters = {
        "username": username,
        "person_id": person_id,
        "action": action,
        "date_from": date_from.isoformat() if date_from else None,
        "date_to": date_to.isoformat() if date_to else None,
    }
    with transaction.atomic():
        entries = AuditEntry.objects.all()
        if username:
            entries = entries.filter(username__iexact=username.strip())
        if person_id is not None:
            entries = entries.filter(person_id=_person_id(person_id))
        if action:
            entries = entries.filter(action=action.strip())
        if date_from:
            entries = entries.filter(at__gte=_start_of(date_from))
        if date_to:
            entries = entries.filter(at__lt=_start_of(date_to + dt.timedelta(days=1)))
        rows = [_row(e) for e in entries.order_by("-at", "-id")[: max(1, min(int(limit), 5000))]]
        _audit(
            v,
            AuditEntry.Action.AUDIT_SEARCH,
            ip,
            person_id=_person_id(person_id) if person_id is not None else None,
            purpose="audit search",
            detail={
                "filters": {k: val for k, val in filters.items() if val is not None},
                "rows": len(rows),
            },
        )
    return rows


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def access_report_for_person(*, viewer, person_id: int, ip: str | None) -> list[AuditRow]:
    """Everybody who looked at, changed, exported or tried to open one person's record.

    Searches are not included: a search row records the query and the people it returned, and
    a person appearing in a list of results is not a look at their record.
    """
    v = _viewer(viewer)
    _require(v, Permission.SUBJECT_ACCESS_REPORT)
    pid = _person_id(person_id)
    if pid is None:
        raise NoAccess()
    looked = (
        AuditEntry.Action.VIEW_PERSON,
        AuditEntry.Action.ACCESS_DENIED,
        AuditEntry.Action.BREAK_GLASS,
        AuditEntry.Action.CHANGE,
        AuditEntry.Action.SHARING_PREFERENCE,
        AuditEntry.Action.LINKAGE_DECISION,
    )
    with transaction.atomic():
        entries = list(
            AuditEntry.objects.filter(person_id=pid, action__in=looked).order_by("-at", "-id")[
                :5000
            ]
        )
        for export in AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).order_by("-at")[
            :5000
        ]:
            if pid in (export.detail or {}).get("person_ids", []):
                entries.append(export)
        entries.sort(key=lambda e: (e.at, e.id), reverse=True)
        rows = [_row(e) for e in entries]
        _audit(
            v,
            AuditEntry.Action.ACCESS_REPORT,
            ip,
            person_id=pid,
            purpose="subject access report",
            detail={"rows": len(rows)},
        )
    return rows


# --- person-centred writes -----------------------------------------------------------------


def _for_edit(v: _Viewer, person_id, ip: str | None) -> Person:
    person, access, _ = _decide(v, person_id, ip, "edit")
    if not v.may(Permission.EDIT_PERSON_CENTRED) or access not in (
        "assigned",
        "caseload",
        "break_glass",
    ):
        _refuse(v, ip, person.id, "may not change this record")
        raise NoAccess()
    return person


def _by(v: _Viewer) -> str:
    try:
        role = Role(v.role).label
    except ValueError:
        role = v.role
    return f"{v.display_name} ({role}, {v.organisation})"


def record_what_matters(*, viewer, person_id: int, text: str, ip: str | None) -> WhatMattersEntry:
    v = _viewer(viewer)
    person = _for_edit(v, person_id, ip)
    with transaction.atomic():
        try:
            row = plan_actions.record_what_matters(
                person_id=person.id, text=text, by=_by(v), by_user_id=v.user_id
            )
        except plan_actions.InvalidEntry as exc:
            raise InvalidRequest(str(exc)) from None
        _audit(
            v,
            AuditEntry.Action.CHANGE,
            ip,
            person_id=person.id,
            purpose="recorded what matters to the person",
            detail={"what": "what_matters", "entry_id": row.id},
        )
    return WhatMattersEntry(
        text=row.text, recorded_by=row.recorded_by, recorded_at=row.recorded_at, is_current=True
    )


def add_person_who_matters(
    *, viewer, person_id: int, name: str, relationship: str, contact: str = "", ip: str | None
) -> PersonWhoMatters:
    v = _viewer(viewer)
    person = _for_edit(v, person_id, ip)
    with transaction.atomic():
        try:
            row = plan_actions.add_person_who_matters(
                person_id=person.id,
                name=name,
                relationship=relationship,
                contact=contact,
                by=_by(v),
                by_user_id=v.user_id,
            )
        except plan_actions.InvalidEntry as exc:
            raise InvalidRequest(str(exc)) from None
        _audit(
            v,
            AuditEntry.Action.CHANGE,
            ip,
            person_id=person.id,
            purpose="added a person who matters",
            detail={"what": "person_who_matters", "entry_id": row.id},
        )
    return PersonWhoMatters(
        name=row.name,
        relationship=row.relationship,
        contact=row.contact,
        source=f"Recorded by {row.recorded_by}",
    )


def record_sharing_preference(
    *,
    viewer,
    person_id: int,
    national_opt_out: bool,
    objects_to_sharing: bool,
    note: str = "",
    ip: str | None,
) -> None:
    """What the person told us about sharing; takes effect on the next search or view."""
    v = _viewer(viewer)
    _require(v, Permission.RECORD_SHARING_PREFERENCE)
    person, access, _ = _decide(v, person_id, ip, "record sharing preference")
    with transaction.atomic():
        SharingPreference.objects.update_or_create(
            person_id=person.id,
            defaults={
                "national_opt_out": bool(national_opt_out),
                "objects_to_sharing": bool(objects_to_sharing),
                "note": (note or "").strip()[:2000],
                "recorded_by": v.username,
            },
        )
        _audit(
            v,
            AuditEntry.Action.SHARING_PREFERENCE,
            ip,
            person_id=person.id,
            purpose="recorded the person's sharing preference",
            detail={
                "national_opt_out": bool(national_opt_out),
                "objects_to_sharing": bool(objects_to_sharing),
            },
        )


# --- linkage (stewards) --------------------------------------------------------------------


def open_review_queue(*, viewer, ip: str | None, limit: int = 50) -> list[ReviewPairView]:
    v = _viewer(viewer)
    _require(v, Permission.REVIEW_LINKAGE)
    lens = v.lens(False)
    with transaction.atomic():
        pairs = linkage.open_pairs(limit=max(1, min(int(limit), 500)))
        views = [linkage.pair_view(pair, lens) for pair in pairs]
        _audit(
            v,
            AuditEntry.Action.LINKAGE_REVIEW,
            ip,
            purpose="linkage review queue",
            detail={"pairs": [p.pair_id for p in views]},
        )
    return views


def decide_review_pair(*, viewer, pair_id: int, decision: str, reason: str, ip: str | None) -> None:
    v = _viewer(viewer)
    _require(v, Permission.REVIEW_LINKAGE)
    if decision not in ("same", "different", "not_sure"):
        raise InvalidRequest("Choose link, keep apart or not sure.")
    with transaction.atomic():
        outcome = linkage.decide_pair(
            pair_id=_person_id(pair_id), decision=decision, reason=reason or "", by=v.username
        )
        if outcome is None:
            raise NoAccess()
        for pid in outcome.person_ids or [None]:
            _audit(
                v,
                AuditEntry.Action.LINKAGE_DECISION,
                ip,
                person_id=pid,
                purpose=reason or "",
                detail={"pair_id": outcome.pair_id, "decision": decision},
            )


def split_link(
    *, viewer, person_id: int, source: str, source_record_id: str, reason: str, ip: str | None
) -> int:
    v = _viewer(viewer)
    _require(v, Permission.REVIEW_LINKAGE)
    person, _, _ = _decide(v, person_id, ip, "split a linked record")
    if not (reason or "").strip():
        raise InvalidRequest("Enter why this record belongs to someone else.")
    with transaction.atomic():
        new_person_id = linkage.split(
            person_id=person.id,
            source=source,
            source_record_id=source_record_id,
            reason=reason,
            by=v.username,
        )
        if new_person_id is None:
            raise NoAccess()
        search.index_people([person.id, new_person_id])
        _audit(
            v,
            AuditEntry.Action.LINKAGE_DECISION,
            ip,
            person_id=person.id,
            purpose=reason,
            detail={"split": f"{source}:{source_record_id}", "new_person_id": new_person_id},
        )
    return new_person_id


def merge_people(
    *, viewer, person_id: int, other_person_id: int, reason: str, ip: str | None
) -> int:
    v = _viewer(viewer)
    _require(v, Permission.REVIEW_LINKAGE)
    person, _, _ = _decide(v, person_id, ip, "merge two people")
    try:
        other, _, _ = _decide(v, other_person_id, ip, "merge two people")
    except (NoAccess, BreakGlassRequired):
        # A steward may open anyone (agreement: all_people), so this names no one; the
        # refusal is already audited. Said on the merge form rather than as a refusal page.
        raise InvalidRequest(
            "There is no record with that number to merge with: check the record number."
        ) from None
    if person.id == other.id:
        raise InvalidRequest("Choose a different person to merge with.")
    if not (reason or "").strip():
        raise InvalidRequest("Enter why these records are the same person.")
    with transaction.atomic():
        try:
            kept = linkage.merge(
                person_id=person.id, other_person_id=other.id, reason=reason, by=v.username
            )
        except ValueError as exc:
            raise InvalidRequest(str(exc)) from None
        search.index_people([person.id, other.id])
        _audit(
            v,
            AuditEntry.Action.LINKAGE_DECISION,
            ip,
            person_id=person.id,
            purpose=reason,
            detail={"merged": [person.id, other.id], "kept": kept},
        )
    return kept
