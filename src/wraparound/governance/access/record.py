"""Opening a record: the relationship check, then building the ``RecordView`` under the lens.

What is shown and what is withheld are decided together, from one grouped query of the
person's events, so the audit row says both.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from wraparound.core import postcodes
from wraparound.governance.access import doorstep as doorstep_summary
from wraparound.governance.access import notes as contact_notes
from wraparound.governance.access import throttle
from wraparound.governance.access.audit import _audit
from wraparound.governance.access.involved import who_is_involved
from wraparound.governance.access.lens import Lens, partner_label
from wraparound.governance.access.mdt_history import mdt_discussions
from wraparound.governance.access.provenance import _provenance
from wraparound.governance.access.relationship import _decide
from wraparound.governance.access.results import (
    PersonHeader,
    PersonWhoMatters,
    ProblemItem,
    RecordView,
    TimelineEntry,
    TimelinePage,
    WhatMattersEntry,
)
from wraparound.governance.access.summaries import _age, _display_name, _nhs, _organisation_name
from wraparound.governance.access.viewer import _Viewer, _viewer
from wraparound.governance.agreement import CATEGORIES
from wraparound.governance.models import Assignment, AuditEntry, BreakGlass, SharingPreference
from wraparound.governance.roles import Permission
from wraparound.identity.models import Person
from wraparound.notes import queries as note_queries
from wraparound.plans.models import PersonWhoMatters as PersonWhoMattersRow
from wraparound.plans.models import WhatMattersToMe
from wraparound.sources.models import Event, SourceRecord

FLAG_TYPES = (*doorstep_summary.FLAG_TYPES, *doorstep_summary.ALLERGY_TYPES)


FLAG_CODES = (*doorstep_summary.FLAG_CODES, *doorstep_summary.ALLERGY_CODES)


ACTIVE_PROBLEM = ("active", "recurrence", "relapse", "")


SUMMARY_EVENT_LIMIT = 2000


NOTE_KIND = "Contact note"
NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


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
            "problems",
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


def _entry(row: dict, sources: dict[int, dict]) -> TimelineEntry:
    src = sources[row["source_id"]]
    extra = row["extra"] if isinstance(row["extra"], dict) else {}
    source_name = _organisation_name(src["source__display_name"], src["source__partner"])
    return TimelineEntry(
        occurred_at=row["occurred_at"],
        kind=row["kind"],
        summary=row["summary"],
        partner=partner_label(src["source__partner"]),
        source_name=source_name,
        organisation=_text(extra.get("organisation")) or source_name,
    )


def _note_entry(note) -> TimelineEntry:
    """A contact note on the timeline, under the team's own organisation, with its author."""
    by = ", ".join(part for part in (note.written_by, note.role_label) if part)
    flag = f" Safety flag: {note.flag_text}" if note.is_safety_flag and note.flag_text else ""
    correction = f"{note.correction_line}. " if note.correction_line else ""
    later = " (corrected by a later note)" if note.corrected else ""
    return TimelineEntry(
        occurred_at=note.occurred_at,
        kind=NOTE_KIND,
        summary=f"{note.how}: {correction}{note.text}{flag} ({by}){later}",
        partner=partner_label(note.partner),
        source_name=note.organisation,
        organisation=note.organisation,
    )


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
    now = timezone.now()
    throttle.refuse_if_paused(v, ip, now)
    person, access, grant = _decide(v, person_id, ip, purpose)
    throttle.count_record(v, ip, person.id, now)
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
    withheld_count = 0
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
                withheld_count += group["n"]

    # Contact notes the team wrote (``wraparound.notes``): detail of the author's organisation,
    # judged like a partner's entry; withheld ones are counted with the rest.
    note_rows = note_queries.timeline_notes(person.id)
    notes, note_reasons, notes_withheld = contact_notes.visible_notes(lens, note_rows)
    withheld_reasons |= note_reasons
    withheld_count += notes_withheld
    for note in notes:
        shown_partners.add(note.partner)
        kinds.add(NOTE_KIND)
    notes = [
        n
        for n in notes
        if (not timeline_partner or n.partner == timeline_partner)
        and (not timeline_kind or timeline_kind == NOTE_KIND)
    ]

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
    page = max(1, int(timeline_page or 1))
    timeline_q = _events_q(detail_records)
    # The total comes from the groups above (the same rows: the detail records are every
    # record of the sources the lens allows), which saves counting the timeline again.
    detail_sources = {r["source_id"] for r in detail_records}
    total = len(notes) + sum(
        g["n"]
        for g in groups
        if g["source_id"] in detail_sources
        and g["sensitive_category"] not in blocked
        and (not timeline_kind or g["kind"] == timeline_kind)
    )
    pages = max(1, math.ceil(total / page_size))
    page = min(page, pages)
    if timeline_q is not None:
        events = Event.objects.filter(timeline_q, on_timeline=True).exclude(
            sensitive_category__in=blocked
        )
        if timeline_kind:
            events = events.filter(kind=timeline_kind)
        rows = events.order_by(F("occurred_at").desc(nulls_last=True), "-id").values(
            "source_id", "occurred_at", "kind", "summary", "extra"
        )
        # With notes to merge, the page's entries are among the newest page × size of each.
        first = 0 if notes else (page - 1) * page_size
        entries = [_entry(row, sources) for row in rows[first : page * page_size]]
    if notes:
        entries = sorted(
            entries + [_note_entry(n) for n in notes],
            key=lambda e: e.occurred_at or NEVER,
            reverse=True,
        )[(page - 1) * page_size : page * page_size]
    timeline = TimelinePage(
        entries=entries,
        page=page,
        pages=pages,
        total=total,
        partners=[(code, partner_label(code)) for code in sorted(shown_partners)],
        kinds=sorted(kinds),
    )

    # Summary items and problems from partners' events, newest first (one query): the doorstep
    # (flags, allergies, medicines, resuscitation decisions), problems, who is involved.
    problems: list[ProblemItem] = []
    partner_items: list[dict] = []
    partner_people: list[PersonWhoMatters] = []
    seen_problems: set[str] = set()
    seen_people: set[str] = set()
    summary_events: list[dict] = []
    if q is not None:
        summary_events = list(
            Event.objects.filter(q)
            .filter(
                Q(
                    resource_type__in=(
                        *FLAG_TYPES,
                        *doorstep_summary.MEDICINE_TYPES,
                        "Condition",
                        "RelatedPerson",
                    )
                )
                | Q(code__in=FLAG_CODES)
                | Q(extra__has_key="involved")
                | Q(extra__has_key="related_person")
                | Q(extra__has_key="care_decision")
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
        if (
            event["resource_type"] == "Condition"
            and event["status"] in ACTIVE_PROBLEM
            and lens.may_see_detail(partner, source_name, category)
            and text
            and text.lower() not in seen_problems
        ):
            seen_problems.add(text.lower())
            problems.append(ProblemItem(text=text, partner=label, date=_date(event["occurred_at"])))
        if not lens.may_see_summary(partner, source_name, category):
            continue
        organisation = _organisation_name(src["source__display_name"], partner)
        for item in _involvements(extra.get("involved")):
            named = _text(item.get("organisation"))
            partner_items.append(
                {
                    "name": _text(item.get("name")),
                    "role": _text(item.get("role")),
                    "organisation": named or organisation,
                    # Only the feed's own name (a Flag's author has no organisation of its
                    # own): the same person at a named practice is the same line.
                    "vague": named in ("", organisation, label),
                    "contact": _text(item.get("contact") or item.get("phone")),
                    "source": organisation,
                    "partner": partner,
                    "kind": event["kind"],
                    "resource_type": event["resource_type"],
                    "status": event["status"],
                    "occurred_at": event["occurred_at"],
                }
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
                        source=organisation,
                    )
                )

    # Staff assigned through Wraparound come first among those involved; a "lead" or "key
    # worker" among them is the doorstep's named lead.
    assignments = list(
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
    involved_now, involved_before, involved = who_is_involved(
        partner_items=partner_items, assignments=assignments
    )
    doorstep, flags, doorstep_detail = doorstep_summary._doorstep(
        lens,
        person_id=person.id,
        records=records,
        sources=sources,
        events=summary_events,
        assignments=assignments,
        note_rows=note_rows if len(note_rows) < note_queries.TIMELINE_LIMIT else None,
    )

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
            if r["phone"]
            and lens.may_name_source(
                r["source__partner"], r["source__name"], r["source__display_name"]
            )
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
    if any(
        not lens.may_name_source(r["source__partner"], r["source__name"], r["source__display_name"])
        for r in records
    ):
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
        withheld=lens.withheld_lines(withheld_reasons, name, withheld_count),
        access=access,
        can_edit=can_edit,
        is_steward=is_steward,
        break_glass_expires_at=grant.expires_at if grant else None,
        sharing_note=sharing_note,
        agreement_version=v.agreement.version,
        doorstep=doorstep,
        involved_now=involved_now,
        involved_before=involved_before,
        plan=_plan_summary(v, person.id, lens),
        mdt=mdt_discussions(person.id, lens),
    )
    detail = {
        "access": access,
        "agreement": v.agreement.version,
        "shown_partners": sorted(shown_partners),
        "withheld": sorted(withheld_reasons),
        "withheld_categories": sorted(withheld_categories),
        "withheld_items": withheld_count,
        "objection": objection,
        "timeline": {"partner": timeline_partner, "kind": timeline_kind, "page": page},
        "doorstep": doorstep_detail,
    }
    if grant:
        detail["break_glass_id"] = grant.id
    return view, detail


def _plan_summary(v: _Viewer, person_id: int, lens: Lens):
    """The plan's summary for the person page, once the plan's gate module exists (H-B)."""
    try:
        from wraparound.governance.access import plan
    except ImportError:
        return None
    return plan._plan_summary(v, person_id, lens)
