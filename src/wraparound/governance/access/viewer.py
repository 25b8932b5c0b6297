"""Who is asking: the viewer's role, organisation, teams and agreement rules, read fresh per call.

Every gate function starts here; a user without a ``Staff`` profile, or inactive, is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from wraparound.governance.access.errors import NoAccess
from wraparound.governance.access.lens import Lens
from wraparound.governance.agreement import Agreement, RoleRules, current
from wraparound.governance.models import Staff
from wraparound.governance.roles import Permission, Role, has_permission


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


def _require(v: _Viewer, permission: Permission, ip: str | None = None, tried: str = "") -> None:
    """Refuse a role that may not do this, and audit the attempt (``refused``) first.

    The refusal row is written in its own transaction, so it stays when ``NoAccess`` unwinds:
    a housing officer trying a merge or a nurse opening the audit trail leaves a trace.
    """
    if v.may(permission):
        return
    from wraparound.governance.access.audit import _refused

    _refused(v, ip, permission=permission.value, tried=tried or permission.label)
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
