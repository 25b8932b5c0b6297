"""The person page's "open requests for help" box: asks the gate, which audits what it shows."""

from django import template

from wraparound.governance import access

register = template.Library()


@register.simple_tag(takes_context=True)
def open_help_requests(context, person_id: int) -> list:
    request = context.get("request")
    if request is None:
        return []
    try:
        return access.open_requests_for_person(
            viewer=request.user, person_id=person_id, ip=request.META.get("REMOTE_ADDR") or None
        )
    except access.NoAccess:
        return []
