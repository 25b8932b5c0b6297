"""Writes of contact notes; called only through ``governance.access`` (and the demo set-up).

The gate checks the viewer's relationship to the person and right to write, and writes the
audit row in the same transaction; these functions check what was written (a time that makes
sense, words within bounds) and record it with its author, as plain values.

Notes are never changed. A correction is a new note that refers to the one it corrects.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from wraparound.notes.models import ContactNote
from wraparound.sources.sensitivity import category_for

MAX_TEXT = 10_000
MAX_FLAG_TEXT = 300
# A visit may be written up later: the same day, or up to this many days after. Anything older
# is written with today's date and says in the note when it happened, so a note's time is
# always one someone could still remember, and a late note cannot slip into last year.
MAX_DAYS_BACK = 7
# Clocks on tablets drift; a few minutes ahead of the server is still "now".
FUTURE_SLACK = dt.timedelta(minutes=5)


class InvalidNote(ValueError):
    """The note cannot be recorded as given; the message says what to do, fit to show."""


@dataclass(frozen=True)
class Author:
    """Who writes the note, as plain values (kept on the note as written)."""

    staff_id: int
    user_id: int
    name: str
    role: str
    role_label: str
    organisation: str
    partner: str


def _clean(value: str, what: str, max_length: int) -> str:
    # PostgreSQL refuses NUL in text; nobody types one on purpose.
    text = (value or "").replace("\x00", "").strip()
    if not text:
        raise InvalidNote(f"Enter {what}")
    if len(text) > max_length:
        raise InvalidNote(f"Keep {what} under {max_length:,} characters")
    return text


def check_when(occurred_at: dt.datetime | None, *, now: dt.datetime | None = None) -> dt.datetime:
    """When the visit or call happened: now if not given; not ahead of now; at most
    ``MAX_DAYS_BACK`` days back."""
    now = now or timezone.now()
    if occurred_at is None:
        return now
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    if occurred_at > now + FUTURE_SLACK:
        raise InvalidNote("The visit or call cannot be later than now")
    earliest = timezone.localtime(now).date() - dt.timedelta(days=MAX_DAYS_BACK)
    if timezone.localtime(occurred_at).date() < earliest:
        raise InvalidNote(
            f"Write up a visit or call within {MAX_DAYS_BACK} days. For anything earlier, use "
            "today's date and say in the note when it happened"
        )
    return occurred_at


@transaction.atomic
def write_contact_note(
    *,
    person_id: int,
    how: str,
    text: str,
    occurred_at: dt.datetime | None = None,
    is_safety_flag: bool = False,
    flag_text: str = "",
    corrects_note_id: int | None = None,
    by: Author,
) -> ContactNote:
    """Record what happened at a visit or call; with ``corrects_note_id``, a correction."""
    if how not in ContactNote.How.values:
        raise InvalidNote("Choose how you were in contact")
    words = _clean(text, "what happened", MAX_TEXT)
    flag = _clean(flag_text, "the safety flag's words", MAX_FLAG_TEXT) if is_safety_flag else ""
    when = check_when(occurred_at)
    corrected = None
    if corrects_note_id is not None:
        corrected = (
            ContactNote.objects.select_for_update()
            .filter(id=corrects_note_id, person_id=person_id)
            .first()
        )
        if corrected is None:
            raise InvalidNote("The note you are correcting is not in this person's record")
        if corrected.corrections.exists():
            raise InvalidNote("That note has been corrected already: correct the latest one")
    # The correction says what it corrects, so it is as sensitive as the note it corrects.
    classified = "\n".join(w for w in (words, flag, corrected.text if corrected else "") if w)
    return ContactNote.objects.create(
        person_id=person_id,
        occurred_at=when,
        how=how,
        text=words,
        is_safety_flag=bool(flag),
        flag_text=flag,
        sensitive_category=category_for(words=classified, partner=by.partner),
        flag_category=category_for(words=flag, partner=by.partner) if flag else "",
        corrects=corrected,
        written_by_staff_id=by.staff_id,
        written_by_user_id=by.user_id,
        written_by=by.name[:300],
        role=by.role[:32],
        role_label=by.role_label[:200],
        organisation=by.organisation[:200],
        partner=by.partner[:32],
        written_at=timezone.now(),
    )


@transaction.atomic
def move_person(*, from_person_id: int, to_person_id: int) -> None:
    """Two records were one person all along: the notes follow the person kept."""
    ContactNote.objects.filter(person_id=from_person_id).update(person_id=to_person_id)


# --- the demonstration --------------------------------------------------------------------

_VISITS = (
    "Dressing changed on the left leg ulcer. Wound smaller than last week, no sign of "
    "infection. Next visit in three days.",
    "Blood pressure 138/82. Taking tablets from the dosette box; two doses missed this week. "
    "Daughter will check the box on Sunday.",
    "Insulin given. Blood sugar 9.4 before lunch. Eating better since the meals started.",
    "Catheter changed without trouble. Fluid intake good. Asked about the continence clinic.",
    "Pressure areas checked: heels red but not broken. New cushion delivered and in use.",
    "Seemed more breathless than usual walking to the door. Chest clear. Asked the GP to "
    "review the water tablets.",
)
_CALLS = (
    "Rang to check how the first week home from hospital went. Managing, but finds the stairs "
    "hard. Will ask the therapist to visit.",
    "Called about the carer's assessment. Son would like one; referral made to adult social care.",
    "Phoned to arrange the review meeting. Happy for her daughter to join by phone.",
    "No answer at 10am; rang again at 2pm and spoke to them. All well, shopping delivered.",
    "Checked the pendant alarm has been fitted. It has, and they know how to use it.",
)
_SENSITIVE = (
    "Talked about feeling low since the winter. Agreed to a referral to talking therapies "
    "(IAPT); leaflet left.",
)
_FLAGS = (
    "Dog on premises, ask for it to be shut away before you go in",
    "Key safe by the back door; code from the co-ordinator",
)


@transaction.atomic
def write_demo_notes(
    *, people: list[int], nurse: Author, coordinator: Author, seed: int = 10
) -> int:
    """Synthetic visit and call notes for the demonstration (no real person's words).

    One to four notes each over the last two months: home visits by the district nurse, calls
    by the care co-ordinator; the first person has a safety flag for the dog, a few others a
    key safe, and a few notes speak of a mental health referral (withheld from most roles).
    Idempotent: does nothing if the demo authors have written notes already.
    """
    authors = (nurse.staff_id, coordinator.staff_id)
    if ContactNote.objects.filter(written_by_staff_id__in=authors).exists():
        return 0
    rng = random.Random(seed)
    now = timezone.now().replace(second=0, microsecond=0)
    rows = []

    def note(person_id: int, by: Author, how: str, text: str, days: int, flag: str = ""):
        rows.append(
            ContactNote(
                person_id=person_id,
                occurred_at=now - dt.timedelta(days=days, hours=rng.randint(0, 8)),
                how=how,
                text=text,
                is_safety_flag=bool(flag),
                flag_text=flag,
                sensitive_category=category_for(words=f"{text}\n{flag}", partner=by.partner),
                flag_category=category_for(words=flag, partner=by.partner) if flag else "",
                written_by_staff_id=by.staff_id,
                written_by_user_id=by.user_id,
                written_by=by.name,
                role=by.role,
                role_label=by.role_label,
                organisation=by.organisation,
                partner=by.partner,
                written_at=now - dt.timedelta(days=days),
            )
        )

    for i, person_id in enumerate(people):
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.6:
                note(person_id, nurse, "home_visit", rng.choice(_VISITS), rng.randint(0, 60))
            else:
                note(person_id, coordinator, "phone_call", rng.choice(_CALLS), rng.randint(0, 60))
        if i == 0:
            note(person_id, nurse, "home_visit", "First visit. " + _VISITS[0], 1, _FLAGS[0])
        elif i % 40 == 1:
            note(person_id, coordinator, "phone_call", _CALLS[2], rng.randint(1, 30), _FLAGS[1])
        if i % 25 == 3:
            note(person_id, nurse, "home_visit", _SENSITIVE[0], rng.randint(1, 30))
    ContactNote.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
