"""What the gate raises: a refusal, a refusal that break-glass may lift, or a request to fix.

``NoAccess`` carries one message for "no such record" and "no right to it", so a refusal never
tells anyone that a record exists.
"""

from __future__ import annotations

NO_ACCESS_MESSAGE = "You cannot open this record."


class NoAccess(Exception):
    """No such record, or no right to it: one exception and one message for both (no IDOR)."""

    def __init__(self, message: str = NO_ACCESS_MESSAGE):
        super().__init__(message)


class BreakGlassRequired(Exception):
    """The person exists but the viewer has no legitimate relationship: break-glass may help."""

    def __init__(self, person_id: int):
        self.person_id = person_id
        super().__init__("You have no care relationship with this person.")


class Paused(NoAccess):
    """Too many people shown in a short time: searching and opening records wait (``throttle``).

    A ``NoAccess``, so every caller that refuses also refuses this; the message says why.
    """


class InvalidRequest(ValueError):
    """The request cannot be done as asked; the message is fit to show the user."""
