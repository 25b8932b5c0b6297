"""The data steward's work: audit search, the subject access report, and linkage decisions
(review queue, split, merge), each audited.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from wraparound.governance import linkage
from wraparound.governance.access import search
from wraparound.governance.access.audit import _audit
from wraparound.governance.access.errors import BreakGlassRequired, InvalidRequest, NoAccess
from wraparound.governance.access.lens import partner_label
from wraparound.governance.access.relationship import _decide, _person_id
from wraparound.governance.access.results import AuditRow, ReviewPairView
from wraparound.governance.access.viewer import _require, _viewer
from wraparound.governance.models import AuditEntry
from wraparound.governance.roles import Permission


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
