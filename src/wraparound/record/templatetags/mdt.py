"""What the header and the person page need to offer MDT meetings (no person data).

The header's "MDT meetings" link is for staff in a team; the person page's "Nominate for an
MDT meeting" lists the upcoming meetings of the viewer's teams. Both ask the gate; every
meeting page checks again for itself.
"""

from django import template

from wraparound.governance import access

register = template.Library()


def _user(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return request, None
    return request, user


@register.simple_tag(takes_context=True)
def in_a_team(context) -> bool:
    """Show "MDT meetings" in the header: only staff in a team have meetings to go to."""
    request, user = _user(context)
    if user is None:
        return False
    cached = getattr(request, "_wraparound_in_a_team", None)
    if cached is None:
        try:
            cached = bool(access.who_am_i(viewer=user).teams)
        except access.NoAccess:
            cached = False
        request._wraparound_in_a_team = cached
    return cached


@register.simple_tag(takes_context=True)
def nomination_meetings(context) -> list[tuple[int, str]]:
    """Upcoming meetings of the viewer's teams: (id, "North MDT, 3 March 2026")."""
    _, user = _user(context)
    if user is None:
        return []
    try:
        return access.meetings_for_nomination(viewer=user)
    except access.NoAccess:
        return []
