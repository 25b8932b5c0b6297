"""The audit row every gate call writes, and refusals that are recorded before they are raised."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from wraparound.governance.access.viewer import _Viewer
from wraparound.governance.models import AuditEntry


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
        staff_name=v.display_name[:300],
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


def _refused(v: _Viewer, ip: str | None, *, permission: str, tried: str) -> None:
    """A privileged action the viewer's role may not take: recorded, in its own transaction."""
    with transaction.atomic():
        _audit(
            v,
            AuditEntry.Action.REFUSED,
            ip,
            purpose=f"refused: {tried}"[:2000],
            detail={"permission": permission, "tried": tried[:300]},
        )
