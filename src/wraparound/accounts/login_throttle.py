"""Two limits on wrong passwords: per username at an address, and per address for everybody.

Password spraying tries one likely password against many usernames from one address; a limit
per (username, address) never trips. So an address is also locked once it has
``WRAPAROUND_ADDRESS_FAILURE_LIMIT`` failures (20) across all usernames, while one username
at an address is locked after ``AXES_FAILURE_LIMIT`` (5), both for ``AXES_COOLOFF_TIME``.

django-axes counts failures for each set in ``AXES_LOCKOUT_PARAMETERS`` (here
``[["username", "ip_address"], "ip_address"]``, in that order) but compares the largest count
with a single limit. This handler puts the address count on the same scale before comparing:
``address * per_username // per_address`` reaches ``per_username`` exactly when ``address``
reaches ``per_address`` (integer arithmetic, no rounding surprises).

A successful login clears only that username's failures at the address, never the address's
count: otherwise one valid account would let a sprayer reset the counter every 19 tries.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def _total(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AccountAndAddressHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        counts = [_total(q) for q in self.get_user_attempts(request, credentials)]
        per_username, per_address = (counts + [0, 0])[:2]  # AXES_LOCKOUT_PARAMETERS order
        limit = get_failure_limit(request, credentials)
        address_limit = max(1, settings.WRAPAROUND_ADDRESS_FAILURE_LIMIT)
        return max(per_username, per_address * limit // address_limit)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        deleted, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return deleted
