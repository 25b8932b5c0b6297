"""Every change the administrator makes to a staff account, each with its audit row.

A role, an organisation, a team, an active login or a password decides what somebody can see,
so each change writes an ``AuditEntry`` ("account_change") in the same transaction: if the
audit row cannot be written, the change is not made. The row names who changed what for whom
in plain words; it holds no person data (``person_id`` stays empty).

Only a member of staff whose role may manage staff (``Permission.MANAGE_STAFF``) may call
these; anybody else is refused, and the refusal is audited ("refused") before it is raised.
Two rules keep the service administrable: an administrator cannot switch off or demote their
own account, and the last active administrator cannot be removed.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from wraparound.governance.models import AuditEntry, Organisation, Staff, Team
from wraparound.governance.roles import Permission, Role, has_permission

# No 0/o, 1/l/i: a one-time password is read off a screen and typed on another device.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_GROUPS, _GROUP_LENGTH = 4, 4  # 16 characters from 31: about 79 bits


class AccountError(ValueError):
    """The change cannot be made as asked; the message says why, fit to show on the form."""


class NotAnAdministrator(PermissionError):
    """The person asking may not manage staff accounts (already audited as "refused")."""


def may_manage_staff(user) -> bool:
    """Whether ``user`` is an active member of staff whose role may manage accounts."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    role = Staff.objects.filter(user_id=user.pk).values_list("role", flat=True).first()
    return has_permission(role, Permission.MANAGE_STAFF)


def generate_password() -> str:
    """A one-time password, shown once to the administrator to pass on: ``abcd-efgh-jkmn-pqrs``."""
    return "-".join(
        "".join(secrets.choice(_ALPHABET) for _ in range(_GROUP_LENGTH)) for _ in range(_GROUPS)
    )


def _actor(by) -> tuple[str, str]:
    """Role and organisation of whoever acts, as plain values for the audit row."""
    staff = Staff.objects.filter(user_id=getattr(by, "pk", None))
    row = staff.values_list("role", "organisation__name").first()
    return row if row else ("", "")


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role


def _audit(by, ip: str | None, *, summary: str, staff: Staff | None, changes: dict) -> None:
    role, organisation = _actor(by)
    AuditEntry.objects.create(
        at=timezone.now(),
        user_id=by.pk,
        username=by.get_username(),
        role=role,
        organisation=organisation,
        ip=(ip or "")[:64],
        action=AuditEntry.Action.ACCOUNT_CHANGE,
        person_id=None,
        detail={
            "summary": summary,
            "staff_id": staff.pk if staff else None,
            "account": staff.user.get_username() if staff else "",
            "changes": changes,
        },
    )


def record_refusal(
    *, by, ip: str | None, what: str, why: str = "Only an administrator may manage staff accounts."
) -> None:
    """Audit a refused try at an administrator's page, in its own transaction (it must stay)."""
    known = getattr(by, "is_authenticated", False)
    role, organisation = _actor(by) if known else ("", "")
    with transaction.atomic():
        AuditEntry.objects.create(
            at=timezone.now(),
            user_id=by.pk if known else None,
            username=by.get_username() if known else "",
            role=role,
            organisation=organisation,
            ip=(ip or "")[:64],
            action=AuditEntry.Action.REFUSED,
            detail={"why": why, "tried": what},
        )


def _require_administrator(by, ip: str | None, what: str) -> None:
    if not may_manage_staff(by):
        record_refusal(by=by, ip=ip, what=what)
        raise NotAnAdministrator("Only an administrator may manage staff accounts.")


def _check_password(password: str, user) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages)) from None


def _active_administrators() -> int:
    return Staff.objects.filter(role=Role.ADMINISTRATOR, user__is_active=True).count()


def _describe(staff: Staff) -> dict:
    return {
        "role": _role_label(staff.role),
        "organisation": staff.organisation.name,
        "teams": sorted(t.name for t in staff.teams.all()),
    }


@transaction.atomic
def _create_account(
    *,
    by,
    ip: str | None,
    username: str,
    first_name: str,
    last_name: str,
    role: str,
    organisation: Organisation,
    teams: Iterable[Team] = (),
    job_title: str = "",
    phone: str = "",
    email: str = "",
    password: str = "",
) -> tuple[Staff, str]:
    """A new login with its staff profile; returns it and the password to pass on.

    A new account only: a username already taken is refused (never overwritten, which would
    hand somebody else's login a new password). With no password given, a one-time one is
    made; either way it must pass the password rules.
    """
    _require_administrator(by, ip, "create an account")
    username = username.strip()
    if role not in Role.values:
        raise AccountError("Choose a role from the list.")
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(f"The username '{username}' is taken. Choose another.")
    user = User(username=username, first_name=first_name.strip(), last_name=last_name.strip())
    user.email = email.strip()
    password = password or generate_password()
    _check_password(password, user)
    user.set_password(password)
    user.save()
    staff = Staff.objects.create(
        user=user,
        organisation=organisation,
        role=role,
        job_title=job_title.strip(),
        phone=phone.strip(),
        email=email.strip(),
    )
    staff.teams.set(list(teams))
    after = _describe(staff)
    _audit(
        by,
        ip,
        summary=(
            f"{_name(by)} made an account for {_name(user)} ({username}): {after['role']}, "
            f"{after['organisation']}, teams: {', '.join(after['teams']) or 'none'}."
        ),
        staff=staff,
        changes={"created": after},
    )
    return staff, password


def _get(staff_id: int) -> Staff:
    staff = (
        Staff.objects.select_for_update()
        .select_related("user", "organisation")
        .filter(pk=staff_id)
        .first()
    )
    if staff is None:
        raise AccountError("There is no such account.")
    return staff


@transaction.atomic
def _change_account(
    *,
    by,
    ip: str | None,
    staff_id: int,
    first_name: str,
    last_name: str,
    role: str,
    organisation: Organisation,
    teams: Iterable[Team],
    job_title: str = "",
    phone: str = "",
    email: str = "",
) -> Staff:
    """Change role, organisation, teams and contact details; applies from the next page seen.

    The gate reads the viewer's role and teams afresh on every call, so nothing is cached.
    """
    _require_administrator(by, ip, "change an account")
    if role not in Role.values:
        raise AccountError("Choose a role from the list.")
    staff = _get(staff_id)
    before = _describe(staff) | {
        "name": _name(staff.user),
        "job title": staff.job_title,
        "phone": staff.phone,
        "email": staff.email,
    }
    if staff.role == Role.ADMINISTRATOR and role != Role.ADMINISTRATOR:
        if staff.user_id == by.pk:
            raise AccountError("You cannot change your own role. Ask another administrator.")
        if staff.user.is_active and _active_administrators() <= 1:
            raise AccountError("This is the last administrator. Give someone else the role first.")
    user = staff.user
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.email = email.strip()
    user.save(update_fields=["first_name", "last_name", "email"])
    staff.role, staff.organisation = role, organisation
    staff.job_title, staff.phone, staff.email = job_title.strip(), phone.strip(), email.strip()
    staff.save()
    staff.teams.set(list(teams))
    after = _describe(staff) | {
        "name": _name(user),
        "job title": staff.job_title,
        "phone": staff.phone,
        "email": staff.email,
    }
    changes = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    if changes:
        said = "; ".join(
            f"{k} from {_plain(v['from'])} to {_plain(v['to'])}" for k, v in changes.items()
        )
        _audit(
            by,
            ip,
            summary=f"{_name(by)} changed {_name(user)}'s account ({user.username}): {said}.",
            staff=staff,
            changes=changes,
        )
    return staff


def _plain(value) -> str:
    if isinstance(value, list):
        return ", ".join(value) or "none"
    return f"'{value}'" if value else "nothing"


@transaction.atomic
def deactivate_account(*, by, ip: str | None, staff_id: int) -> Staff:
    """Stop a login working at once: Django refuses an inactive user's session on its next page."""
    _require_administrator(by, ip, "switch off an account")
    staff = _get(staff_id)
    if staff.user_id == by.pk:
        raise AccountError("You cannot switch off your own account. Ask another administrator.")
    if not staff.user.is_active:
        raise AccountError(f"{_name(staff.user)}'s account is already switched off.")
    if staff.role == Role.ADMINISTRATOR and _active_administrators() <= 1:
        raise AccountError("This is the last administrator. Give someone else the role first.")
    staff.user.is_active = False
    staff.user.save(update_fields=["is_active"])
    _audit(
        by,
        ip,
        summary=f"{_name(by)} switched off {_name(staff.user)}'s account ({staff.user.username}).",
        staff=staff,
        changes={"active": {"from": True, "to": False}},
    )
    return staff


@transaction.atomic
def _reactivate_account(*, by, ip: str | None, staff_id: int) -> Staff:
    _require_administrator(by, ip, "switch on an account")
    staff = _get(staff_id)
    if staff.user.is_active:
        raise AccountError(f"{_name(staff.user)}'s account is already switched on.")
    staff.user.is_active = True
    staff.user.save(update_fields=["is_active"])
    _audit(
        by,
        ip,
        summary=f"{_name(by)} switched on {_name(staff.user)}'s account ({staff.user.username}).",
        staff=staff,
        changes={"active": {"from": False, "to": True}},
    )
    return staff


@transaction.atomic
def _reset_password(*, by, ip: str | None, staff_id: int) -> tuple[Staff, str]:
    """A new one-time password, returned once; the old one and every open session stop working.

    Django ties a session to a hash of the password, so changing it signs the person out
    everywhere. The password itself is never written to the audit.
    """
    _require_administrator(by, ip, "reset a password")
    staff = _get(staff_id)
    password = generate_password()
    _check_password(password, staff.user)
    staff.user.set_password(password)
    staff.user.save(update_fields=["password"])
    _audit(
        by,
        ip,
        summary=f"{_name(by)} reset the password of {_name(staff.user)} ({staff.user.username}).",
        staff=staff,
        changes={"password": "reset"},
    )
    return staff, password


# Powers that reach every person's record (the data steward) or every account (the
# administrator). One person at this screen could otherwise make such an account, sign in with
# its one-time password and read anyone's record (red team, issue 9): so these accounts are
# made, changed, restored and given new passwords only on the server (``wraparound
# create-staff``), by someone the organisation trusts with the machine, never from the screen.
PRIVILEGED_ROLES = frozenset({Role.DATA_STEWARD, Role.ADMINISTRATOR})
PRIVILEGED_REFUSAL = (
    "Data steward and administrator accounts are made and changed on the server "
    "('wraparound create-staff'), not on this screen, so that no one person here can give "
    "access to everyone's records."
)


def _refuse_privileged(by, ip: str | None, what: str) -> None:
    """Audit the attempt (outside the change's transaction, so it stays) and refuse."""
    _require_administrator(by, ip, what)
    record_refusal(by=by, ip=ip, what=what, why=PRIVILEGED_REFUSAL)
    raise AccountError(PRIVILEGED_REFUSAL)


def _role_of(staff_id: int) -> str | None:
    return Staff.objects.filter(pk=staff_id).values_list("role", flat=True).first()


def _name_of(staff_id: int) -> str:
    staff = Staff.objects.select_related("user").filter(pk=staff_id).first()
    return _name(staff.user) if staff else "an account"


def create_account(*, by, ip: str | None, role: str, **fields) -> tuple[Staff, str]:
    """A new login with its staff profile (see ``_create_account``); never a privileged role."""
    if role in PRIVILEGED_ROLES:
        _refuse_privileged(by, ip, f"create an account with the role {_role_label(role)}")
    return _create_account(by=by, ip=ip, role=role, **fields)


def change_account(*, by, ip: str | None, staff_id: int, role: str, **fields) -> Staff:
    """Change an account (see ``_change_account``); no role change into or out of a privileged one."""
    current_role = _role_of(staff_id)
    if current_role is not None and role != current_role:
        if role in PRIVILEGED_ROLES or current_role in PRIVILEGED_ROLES:
            _refuse_privileged(by, ip, f"change {_name_of(staff_id)}'s role to {_role_label(role)}")
    return _change_account(by=by, ip=ip, staff_id=staff_id, role=role, **fields)


def reactivate_account(*, by, ip: str | None, staff_id: int) -> Staff:
    if _role_of(staff_id) in PRIVILEGED_ROLES:
        _refuse_privileged(by, ip, f"switch on {_name_of(staff_id)}'s account")
    return _reactivate_account(by=by, ip=ip, staff_id=staff_id)


def reset_password(*, by, ip: str | None, staff_id: int) -> tuple[Staff, str]:
    if _role_of(staff_id) in PRIVILEGED_ROLES:
        _refuse_privileged(by, ip, f"reset {_name_of(staff_id)}'s password")
    return _reset_password(by=by, ip=ip, staff_id=staff_id)
