"""What the header needs to know about the person logged in (no person data)."""

from django import template

from wraparound.governance import access

register = template.Library()


@register.simple_tag(takes_context=True)
def viewer_is_steward(context) -> bool:
    """Show the 'Data steward' menu item; every steward page checks again through the gate.

    A view that already asked the gate (the person page: ``RecordView.is_steward``) passes
    ``viewer_is_steward`` in the context, which saves a second look-up of the viewer.
    """
    known = context.get("viewer_is_steward")
    if known is not None:
        return bool(known)
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return access.is_data_steward(user)
