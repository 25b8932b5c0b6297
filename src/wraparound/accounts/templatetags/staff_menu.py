"""What the header offers the member of staff who is logged in (roles only, no person data).

One look-up per page, kept on the request. Every page still checks for itself: this only
decides which links to show, so the administrator is offered accounts and never search.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import reverse

from wraparound.governance.agreement import current
from wraparound.governance.models import Staff
from wraparound.governance.roles import Permission, has_permission

register = template.Library()


@dataclass(frozen=True)
class Menu:
    can_search: bool
    is_steward: bool
    manages_staff: bool
    holds_people: bool = False  # "My caseload" and "Team caseload" (H-D)

    @property
    def home(self) -> str:
        """Where the service name in the header leads: this role's start page."""
        if self.manages_staff and not self.can_search:
            return reverse("accounts:accounts")
        return reverse("record:search")


NOBODY = Menu(can_search=False, is_steward=False, manages_staff=False)


@register.simple_tag(takes_context=True)
def staff_menu(context) -> Menu:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    cached = getattr(request, "_wraparound_menu", None)
    if cached is not None:
        return cached
    role = Staff.objects.filter(user_id=user.pk).values_list("role", flat=True).first()
    menu = Menu(
        can_search=has_permission(role, Permission.SEARCH_PEOPLE),
        is_steward=has_permission(role, Permission.SEARCH_AUDIT),
        manages_staff=has_permission(role, Permission.MANAGE_STAFF),
        holds_people=bool(role)
        and has_permission(role, Permission.VIEW_PERSON)
        and bool(current().rules_for(role).relationships),
    )
    request._wraparound_menu = menu
    return menu


@register.simple_tag
def idle_timeout_seconds() -> int:
    return int(settings.WRAPAROUND_IDLE_TIMEOUT.total_seconds())


@register.simple_tag
def idle_timeout_minutes() -> int:
    return max(1, round(settings.WRAPAROUND_IDLE_TIMEOUT.total_seconds() / 60))


@register.simple_tag
def idle_warning_seconds() -> int:
    return int(settings.WRAPAROUND_IDLE_WARNING.total_seconds())
