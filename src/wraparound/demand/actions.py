"""Writes for the team's learning page: recording a change the team made to how it works."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from wraparound.demand.models import ProcessChange
from wraparound.governance.models import Team

DESCRIPTION_MAX = 500


class ChangeProblem(ValueError):
    """The change cannot be recorded as given; the message is fit to show the user."""


@transaction.atomic
def record_process_change(
    *, team: Team, changed_on: dt.date, description: str, by: str
) -> ProcessChange:
    """Record that the team changed its process on ``changed_on``, so limits split there.

    A date in the future is refused (a change is recorded once it has happened, or the chart
    would split at a date with no data), and so is an empty description: the next person to read
    the chart needs to know what changed.
    """
    description = " ".join((description or "").split())
    if not description:
        raise ChangeProblem("Say what the team changed.")
    if len(description) > DESCRIPTION_MAX:
        raise ChangeProblem(f"Say what changed in {DESCRIPTION_MAX} characters or fewer.")
    if changed_on > timezone.localdate():
        raise ChangeProblem("The date of the change cannot be in the future.")
    return ProcessChange.objects.create(
        team=team,
        changed_on=changed_on,
        description=description,
        recorded_by_name=by[:300],
        recorded_at=timezone.now(),
    )
