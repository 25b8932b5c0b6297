"""Writes to the person-centred record; called only through ``governance.access``.

The gate checks the viewer's relationship to the person and writes the audit row in the same
transaction; these functions only record what was said, by whom, when.
"""

from django.db import transaction
from django.utils import timezone

from wraparound.plans.models import PersonWhoMatters, WhatMattersToMe

MAX_TEXT = 4000


class InvalidEntry(ValueError):
    """The entry cannot be recorded as given (empty, or too long); the message says why."""


def _clean(text: str, what: str, max_length: int) -> str:
    value = (text or "").strip()
    if not value:
        raise InvalidEntry(f"Enter {what}")
    if len(value) > max_length:
        raise InvalidEntry(f"Keep {what} under {max_length} characters")
    return value


@transaction.atomic
def record_what_matters(
    *, person_id: int, text: str, by: str, by_user_id: int | None = None
) -> WhatMattersToMe:
    """A new version of what matters to the person; earlier versions stay as history."""
    return WhatMattersToMe.objects.create(
        person_id=person_id,
        text=_clean(text, "what matters to the person", MAX_TEXT),
        recorded_by=by,
        recorded_by_user_id=by_user_id,
        recorded_at=timezone.now(),
    )


@transaction.atomic
def add_person_who_matters(
    *,
    person_id: int,
    name: str,
    relationship: str,
    contact: str,
    by: str,
    by_user_id: int | None = None,
) -> PersonWhoMatters:
    return PersonWhoMatters.objects.create(
        person_id=person_id,
        name=_clean(name, "their name", 200),
        relationship=(relationship or "").strip()[:200],
        contact=(contact or "").strip()[:300],
        recorded_by=by,
        recorded_by_user_id=by_user_id,
        recorded_at=timezone.now(),
    )


@transaction.atomic
def end_person_who_matters(*, entry_id: int, person_id: int) -> None:
    """No longer someone who matters (moved away, died); kept as history, not deleted."""
    PersonWhoMatters.objects.filter(id=entry_id, person_id=person_id, ended_at=None).update(
        ended_at=timezone.now()
    )


@transaction.atomic
def move_person(*, from_person_id: int, to_person_id: int) -> None:
    """Two records were one person all along: the team's words follow the person kept."""
    WhatMattersToMe.objects.filter(person_id=from_person_id).update(person_id=to_person_id)
    PersonWhoMatters.objects.filter(person_id=from_person_id).update(person_id=to_person_id)
