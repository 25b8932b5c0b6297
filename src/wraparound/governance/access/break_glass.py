"""Break-glass: time-limited access without a care relationship, and the steward's review of it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from wraparound.governance.access.audit import _audit, _refuse
from wraparound.governance.access.errors import InvalidRequest, NoAccess
from wraparound.governance.access.relationship import _person, _person_id
from wraparound.governance.access.results import BreakGlassGrant, BreakGlassReview
from wraparound.governance.access.summaries import _display_name
from wraparound.governance.access.viewer import _require, _viewer
from wraparound.governance.models import AuditEntry, BreakGlass
from wraparound.governance.roles import Permission
from wraparound.identity.models import Person


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
