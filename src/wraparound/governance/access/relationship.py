"""Who may open whom: assigned, caseload, steward or break-glass, strongest first, as the
agreement's ``relationships`` for the role say.

``_decide`` is the one decision every record-level call goes through; a refusal is audited
before it is raised.
"""

from __future__ import annotations

from django.utils import timezone

from wraparound.core import postcodes
from wraparound.governance.access.audit import _refuse
from wraparound.governance.access.errors import BreakGlassRequired, NoAccess
from wraparound.governance.access.search import Scope, current_area_token
from wraparound.governance.access.viewer import _Viewer
from wraparound.governance.models import Assignment, BreakGlass, CaseloadEntry, SharingPreference
from wraparound.governance.roles import Permission
from wraparound.identity.models import Person


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
    """Each person's relationship to the viewer, strongest first: assigned, caseload, steward,
    break-glass, or "none".

    Which relationships count is the agreement's, per role (``relationships``): ``assigned``
    (named assignment), ``team_caseload`` (on a team's caseload list: a referral) and
    ``neighbourhood`` (living in a team's postcode areas) all show as "caseload" but the
    last two only for roles that list them; a voluntary worker sees people referred or
    assigned to them, not the whole neighbourhood. Each step asks the database only about
    the people the steps before left undecided.
    """
    ids = list(postcodes_by_id)
    counts = v.rules.relationships
    assigned: set[int] = set()
    if "assigned" in counts:
        assigned = set(
            Assignment.objects.filter(
                staff_id=v.staff_id, person_id__in=ids, ended_at=None
            ).values_list("person_id", flat=True)
        )
    areas = list(v.areas) if "neighbourhood" in counts else []
    out: dict[int, str] = {}
    undecided = []
    for pid, postcode in postcodes_by_id.items():
        if pid in assigned:
            out[pid] = "assigned"
        elif areas and postcodes.in_neighbourhood(postcode, areas):
            out[pid] = "caseload"
        else:
            undecided.append(pid)
    if undecided and v.team_ids and "team_caseload" in counts:
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


def _scope(v: _Viewer) -> Scope | None:
    """Whom this viewer works with, for search (the same rules as ``_relationships``)."""
    if v.rules.all_people:
        return None
    counts = v.rules.relationships
    ids: set[int] = set()
    if "assigned" in counts:
        ids |= set(
            Assignment.objects.filter(staff_id=v.staff_id, ended_at=None).values_list(
                "person_id", flat=True
            )
        )
    if "team_caseload" in counts and v.team_ids:
        ids |= set(
            CaseloadEntry.objects.filter(team_id__in=v.team_ids).values_list("person_id", flat=True)
        )
    ids |= set(
        BreakGlass.objects.filter(user_id=v.user_id, expires_at__gt=timezone.now()).values_list(
            "person_id", flat=True
        )
    )
    tokens: tuple[str, ...] = ()
    if "neighbourhood" in counts:
        tokens = tuple(current_area_token(area) for area in v.areas)
    return Scope(person_ids=frozenset(ids), area_tokens=tokens)


def _active_grant(v: _Viewer, person_id: int) -> BreakGlass | None:
    return (
        BreakGlass.objects.filter(
            user_id=v.user_id, person_id=person_id, expires_at__gt=timezone.now()
        )
        .order_by("-expires_at")
        .first()
    )


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
