"""Person-centred writes: what matters, people who matter, sharing preferences.

Only with a legitimate relationship (or break-glass) and a role that may edit; the write and
its audit row share one transaction.
"""

from __future__ import annotations

from django.db import transaction

from wraparound.governance.access.audit import _audit, _refuse
from wraparound.governance.access.errors import InvalidRequest, NoAccess
from wraparound.governance.access.relationship import _decide
from wraparound.governance.access.results import PersonWhoMatters, WhatMattersEntry
from wraparound.governance.access.viewer import _require, _Viewer, _viewer
from wraparound.governance.models import AuditEntry, SharingPreference
from wraparound.governance.roles import Permission, Role
from wraparound.identity.models import Person
from wraparound.plans import actions as plan_actions


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


RECORDED_BY_LENGTH = 200  # plans.models: WhatMattersToMe / PersonWhoMatters.recorded_by


def _by(v: _Viewer) -> str:
    try:
        role = Role(v.role).label
    except ValueError:
        role = v.role
    # "recorded by" holds 200 characters; a name may be 300 (Django's first + last name). The
    # name gives way first, so the role and organisation are still read by the next worker.
    suffix = f" ({role}, {v.organisation})"
    room = max(RECORDED_BY_LENGTH - len(suffix), 20)
    name = v.display_name if len(v.display_name) <= room else v.display_name[: room - 1] + "…"
    return (name + suffix)[:RECORDED_BY_LENGTH]


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
