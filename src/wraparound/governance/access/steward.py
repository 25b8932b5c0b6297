"""The data steward's work: audit search, the subject access report, and linkage decisions
(review queue, split, merge), each audited; every refusal of a non-steward is audited too.

Audit pages speak plainly: staff names, role labels, dates like "3 March 2026, 14:05", what
was shown in words. Sensitive category names appear only to a role the agreement lets see
them (stewards: none), so rows say "some information withheld (3 items)" instead.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone

from wraparound.core.names import name_parts
from wraparound.core.nhs_number import normalise as nhs_normalise
from wraparound.governance import linkage
from wraparound.governance.access import search
from wraparound.governance.access.audit import _audit
from wraparound.governance.access.errors import BreakGlassRequired, InvalidRequest, NoAccess
from wraparound.governance.access.lens import partner_label
from wraparound.governance.access.relationship import _decide, _person_id
from wraparound.governance.access.results import AccessReport, AuditRow, ReviewPairView
from wraparound.governance.access.summaries import _display_name
from wraparound.governance.access.viewer import _require, _Viewer, _viewer
from wraparound.governance.models import AuditEntry, AuditPersonIndex
from wraparound.governance.roles import Permission, Role
from wraparound.identity.models import Person, PersonChange

PLAIN_PURPOSES = {
    "direct_care": "Direct care",
    "direct care": "Direct care",
    "linkage check": "Checking which records belong to whom",
    "subject access report": "Subject access report",
    "audit search": "Searching the audit trail",
}
_CODE = re.compile(r"^[a-z]+(_[a-z]+)+$")


def _role_label(role: str) -> str:
    try:
        return Role(role).label
    except ValueError:
        return role.replace("_", " ").capitalize() if role else ""


def _plain_purpose(purpose: str) -> str:
    text = (purpose or "").strip()
    if text.lower() in PLAIN_PURPOSES:
        return PLAIN_PURPOSES[text.lower()]
    if _CODE.match(text):
        return text.replace("_", " ").capitalize()
    return text


def _when(at: dt.datetime) -> str:
    """'3 March 2026, 14:05' in local time."""
    local = timezone.localtime(at)
    return f"{local.day} {local:%B %Y, %H:%M}"


def _shown_partners(partners: list[str], v: _Viewer) -> str:
    """Partners shown to someone, named only as the naming rule lets this viewer be told.

    "shown: GP practice, Mental health trust" on the steward's audit page said who is known to
    the mental health trust, which the steward's own view of the person never names.
    """
    named, protected = [], 0
    for partner in partners:
        category = v.agreement.sensitive_partners.get(partner)
        if category and category not in v.rules.sensitive:
            protected += 1
        else:
            named.append(partner_label(partner))
    if protected:
        named.append("a protected service" if protected == 1 else f"{protected} protected services")
    return ", ".join(named)


def _shown_words(detail: dict, v: _Viewer) -> str:
    """What a row showed and withheld, in words this viewer may read.

    Sensitive category names appear only when the viewer's role lists them (stewards list
    none): otherwise the row says "some information withheld (3 items)". Withheld
    organisations are named only when the viewer's role may see their detail.
    """
    parts = []
    if detail.get("summary"):
        # A staff account change ("… made an account for Eve Newman (eve.new): Data steward"):
        # names no person, and is how a steward sees who was given which powers.
        parts.append(str(detail["summary"]))
    if detail.get("access"):
        parts.append(f"access: {str(detail['access']).replace('_', ' ')}")
    if detail.get("shown_partners"):
        parts.append("shown: " + _shown_partners(detail["shown_partners"], v))
    allowed = v.rules.sensitive
    named, hidden = set(), 0
    for category in detail.get("withheld_categories") or []:
        if category in allowed:
            named.add(str(category).replace("_", " "))
        else:
            hidden += 1
    for reason in detail.get("withheld") or []:
        kind, _, what = str(reason).partition(":")
        if kind == "partner" and what in v.rules.detail_from:
            named.add(f"from {partner_label(what)}")
        elif kind == "objection":
            named.add("the person objects to sharing")
        elif kind in ("partner", "generic", "category"):
            hidden += 1 if not detail.get("withheld_categories") else 0
        else:
            hidden += 1
    if named:
        parts.append("withheld: " + ", ".join(sorted(named)))
    if hidden:
        parts.append(f"some information withheld ({hidden} item{'s' if hidden != 1 else ''})")
    if "total" in detail:
        parts.append(f"{detail['total']} matched")
    if detail.get("why"):
        parts.append(f"refused: {detail['why']}")
    if detail.get("tried"):
        parts.append(f"refused: {detail['tried']}")
    if detail.get("person_ids") is not None:
        parts.append(f"{len(detail['person_ids'])} people")
    return "; ".join(parts)


EXPORT_WORDS = {
    "caseload": "Exported in a caseload list",
    "caseload_screen": "Listed on a caseload screen (My caseload or the team's caseload)",
    "links": "Exported in the list of which records belong to whom",
}


def _what_for(entry: AuditEntry, pid: int | None, detail: dict) -> str:
    """What the row did to or showed of person ``pid``, in the words of a letter to them."""
    action = entry.action
    listed = pid is not None and entry.person_id != pid
    if action == AuditEntry.Action.SEARCH:
        return (
            f"Listed in search results for '{entry.query}'"
            if entry.query
            else "Listed in search results"
        )
    if action == AuditEntry.Action.EXPORT:
        return EXPORT_WORDS.get(str(detail.get("what", "")), "Exported in a list")
    if action == AuditEntry.Action.VIEW_PERSON:
        if detail.get("access") == "break_glass":
            return "Opened the record in an emergency (break-glass)"
        return "Opened the record"
    if action == AuditEntry.Action.MEETING_VIEW:
        what = str(detail.get("what", ""))
        if what == "minutes":
            return "Named in the minutes of an MDT meeting, read by a member of staff"
        if what == "meeting_page":
            return "Listed on an MDT meeting's case list"
        return "Looked at in an MDT meeting (multidisciplinary team)"
    if action == AuditEntry.Action.MEETING:
        return "Put forward for, or discussed at, an MDT meeting"
    if action == AuditEntry.Action.LINKAGE_REVIEW:
        return "Shown to a data steward checking which records belong to whom"
    words = {
        AuditEntry.Action.ACCESS_DENIED: "Tried to open the record, and was refused",
        AuditEntry.Action.BREAK_GLASS: "Asked for emergency access to the record",
        AuditEntry.Action.CHANGE: "Changed the record",
        AuditEntry.Action.SHARING_PREFERENCE: "Recorded the person's wishes about sharing",
        AuditEntry.Action.LINKAGE_DECISION: "Decided which records belong to the person",
        AuditEntry.Action.ACCESS_REPORT: "Wrote a report of who looked at the record",
        AuditEntry.Action.AUDIT_SEARCH: "Searched the audit trail for the person",
        AuditEntry.Action.BREAK_GLASS_REVIEW: "Reviewed emergency access to the record",
    }
    if action in words:
        return words[action]
    try:
        label = AuditEntry.Action(action).label
    except ValueError:
        label = action
    return f"{label} (listed)" if listed else label


def _row(entry: AuditEntry, v: _Viewer, pid: int | None = None) -> AuditRow:
    detail = entry.detail if isinstance(entry.detail, dict) else {}
    try:
        label = AuditEntry.Action(entry.action).label
    except ValueError:
        label = entry.action
    why = _plain_purpose(entry.purpose)
    if not why and entry.action == AuditEntry.Action.SEARCH:
        why = "Finding a person"
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
        shown=_shown_words(detail, v),
        staff_name=entry.staff_name or entry.username,
        role_label=_role_label(entry.role),
        when=_when(entry.at),
        what=_what_for(entry, pid, detail),
        why=why,
    )


def require_steward(*, viewer, ip: str | None, tried: str) -> None:
    """For steward pages that show nothing yet: refuse, and audit, anyone else."""
    _require(_viewer(viewer), Permission.SEARCH_AUDIT, ip, tried)


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
    _require(v, Permission.SEARCH_AUDIT, ip, "search the audit trail")
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
            entries = entries.filter(
                id__in=AuditPersonIndex.objects.filter(person_id=_person_id(person_id)).values(
                    "entry_id"
                )
            )
        if action:
            entries = entries.filter(action=action.strip())
        if date_from:
            entries = entries.filter(at__gte=_start_of(date_from))
        if date_to:
            entries = entries.filter(at__lt=_start_of(date_to + dt.timedelta(days=1)))
        pid = _person_id(person_id) if person_id is not None else None
        rows = [
            _row(e, v, pid) for e in entries.order_by("-at", "-id")[: max(1, min(int(limit), 5000))]
        ]
        _audit(
            v,
            AuditEntry.Action.AUDIT_SEARCH,
            ip,
            person_id=pid,
            purpose="audit search",
            detail={
                "filters": {k: val for k, val in filters.items() if val is not None},
                "rows": len(rows),
            },
        )
    return rows


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _find_person(
    *, person_id: int | None, nhs_number: str | None, name: str | None, date_of_birth
) -> Person:
    """The person a subject access request is about, by NHS Number or by name and birth date."""
    people = Person.objects.filter(retired=False)
    if nhs_number:
        digits = nhs_normalise(nhs_number)
        if len(digits) != 10:
            raise InvalidRequest("Enter a 10-digit NHS Number, like 943 476 5919.")
        found = list(people.filter(nhs_number=digits)[:2])
        if not found:
            raise InvalidRequest("Nobody has that NHS Number here. Check it, or search by name.")
    elif name or date_of_birth:
        if not (name and date_of_birth):
            raise InvalidRequest("Enter both the person's full name and their date of birth.")
        wanted = set(name_parts(name))
        if len(wanted) < 2:
            raise InvalidRequest("Enter the person's full name: given name and family name.")
        found = [
            p
            for p in people.filter(date_of_birth=date_of_birth)
            if wanted <= set(name_parts(f"{p.given_name} {p.family_name}"))
        ]
        if not found:
            raise InvalidRequest("Nobody with that name and date of birth is here. Check both.")
    elif person_id is not None:
        found = list(Person.objects.filter(id=_person_id(person_id))[:1])
        if not found:
            raise NoAccess()
    else:
        raise InvalidRequest("Enter an NHS Number, or a full name and date of birth.")
    if len(found) > 1:
        raise InvalidRequest(
            "More than one person matches: use the NHS Number, or ask the person for it."
        )
    return found[0]


def _earlier_ids(pid: int) -> list[int]:
    """This person's id and every id whose records were merged or split into it, as audit
    rows written before the change name the old ids."""
    ids, frontier = {pid}, {pid}
    for _ in range(20):
        earlier = (
            set(
                PersonChange.objects.filter(to_person_id__in=frontier).values_list(
                    "from_person_id", flat=True
                )
            )
            - ids
        )
        if not earlier:
            break
        ids |= earlier
        frontier = earlier
    return sorted(ids)


def access_report_for_person(
    *,
    viewer,
    ip: str | None,
    person_id: int | None = None,
    nhs_number: str | None = None,
    name: str | None = None,
    date_of_birth: dt.date | None = None,
    page: int = 1,
    page_size: int = 50,
    whole: bool = False,
) -> AccessReport:
    """Every audit row that showed one person: looks, changes, refusals, searches that listed
    them, exports and lists that named them (``AuditPersonIndex``), newest first.

    Paged for the screen; ``whole=True`` gives every row (for the download or print). The
    report is itself audited.
    """
    v = _viewer(viewer)
    _require(v, Permission.SUBJECT_ACCESS_REPORT, ip, "write a subject access report")
    person = _find_person(
        person_id=person_id, nhs_number=nhs_number, name=name, date_of_birth=date_of_birth
    )
    ids = _earlier_ids(person.id)
    page_size = max(1, min(int(page_size), 500))
    with transaction.atomic():
        entries = AuditEntry.objects.filter(
            id__in=AuditPersonIndex.objects.filter(person_id__in=ids).values("entry_id")
        ).order_by("-at", "-id")
        total = entries.count()
        pages = max(1, -(-total // page_size))
        page = max(1, min(int(page or 1), pages))
        chosen = entries if whole else entries[(page - 1) * page_size : page * page_size]
        rows = [_row(e, v, person.id) for e in chosen.iterator(chunk_size=2000)]
        _audit(
            v,
            AuditEntry.Action.ACCESS_REPORT,
            ip,
            person_id=person.id,
            purpose="subject access report",
            detail={
                "rows": total,
                "shown": len(rows),
                "whole": whole,
                "found_by": "nhs_number"
                if nhs_number
                else ("name_and_date_of_birth" if name else "record"),
            },
        )
    return AccessReport(
        person_id=person.id,
        person_name=_display_name(person.given_name, person.family_name),
        date_of_birth=person.date_of_birth,
        nhs_number=person.nhs_number,
        rows=rows,
        total=total,
        page=1 if whole else page,
        pages=1 if whole else pages,
        page_size=total if whole else page_size,
    )


def open_review_queue(*, viewer, ip: str | None, limit: int = 50) -> list[ReviewPairView]:
    v = _viewer(viewer)
    _require(v, Permission.REVIEW_LINKAGE, ip, "open the linkage review queue")
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
    _require(v, Permission.REVIEW_LINKAGE, ip, "decide a linkage review pair")
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
    _require(v, Permission.REVIEW_LINKAGE, ip, f"split a record off person {person_id}")
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
    _require(v, Permission.REVIEW_LINKAGE, ip, f"merge person {person_id} with {other_person_id}")
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
