"""What the header needs to know about the person logged in (no person data)."""

from django import template

from wraparound.governance import access

register = template.Library()


@register.simple_tag(takes_context=True)
def viewer_is_steward(context) -> bool:
    """Show the 'Data steward' menu item; every steward page checks again through the gate."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return access.is_data_steward(user)
