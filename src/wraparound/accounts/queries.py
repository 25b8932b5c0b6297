"""What the accounts screen reads: staff, their roles, organisations and teams. No person data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch

from wraparound.governance.models import Organisation, Staff, Team
from wraparound.governance.roles import Role


@dataclass(frozen=True)
class Account:
    staff_id: int
    name: str
    username: str
    role: str
    role_label: str
    organisation: str
    teams: tuple[str, ...]
    job_title: str
    active: bool
    last_login: dt.datetime | None


def _label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role


def _account(staff: Staff) -> Account:
    user = staff.user
    return Account(
        staff_id=staff.pk,
        name=user.get_full_name() or user.get_username(),
        username=user.get_username(),
        role=staff.role,
        role_label=_label(staff.role),
        organisation=staff.organisation.name,
        teams=tuple(t.name for t in staff.teams.all()),
        job_title=staff.job_title,
        active=user.is_active,
        last_login=user.last_login,
    )


def _staff():
    return Staff.objects.select_related("user", "organisation").prefetch_related(
        Prefetch("teams", queryset=Team.objects.order_by("name"))
    )


def list_accounts() -> list[Account]:
    """Everyone with a login, active first, then by name."""
    rows = [_account(s) for s in _staff()]
    return sorted(rows, key=lambda a: (not a.active, a.name.casefold(), a.username))


def get_account(staff_id: int) -> Account | None:
    staff = _staff().filter(pk=staff_id).first()
    return _account(staff) if staff else None


def get_staff(staff_id: int) -> Staff | None:
    """The profile itself, for filling in the change form."""
    return _staff().filter(pk=staff_id).first()


def organisations():
    return Organisation.objects.order_by("name")


def teams():
    return Team.objects.order_by("name")
