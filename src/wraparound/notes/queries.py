"""Reads of contact notes, for the gate only (``governance.access``): raw rows, not yet judged.

Nothing here decides who may see a note. The gate's lens does, with each row's ``partner`` (the
author's organisation's kind of partner) and ``sensitive_category`` for the note in the
timeline, and ``flag_category`` for its safety flag (``governance.access.notes``).

A corrected note stays in the timeline, marked ``corrected``; its safety flag does not: the
correction's own flag (if any) replaces it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from wraparound.notes.models import ContactNote

TIMELINE_LIMIT = 200


@dataclass(frozen=True)
class NoteRow:
    note_id: int
    occurred_at: dt.datetime
    how: str  # "Home visit", "Phone call", ... (the label, in plain words)
    text: str
    written_by: str
    role_label: str
    organisation: str
    partner: str  # partner code of the author's organisation, for the lens
    sensitive_category: str  # the note's (its words, flag and what it corrects)
    is_safety_flag: bool
    flag_text: str
    flag_category: str = ""  # the flag's words alone: what a viewer must pass to see the flag
    corrects_date: dt.date | None = None  # the date of the note this one corrects
    corrected: bool = False  # a later note corrects this one
    written_at: dt.datetime | None = None

    @property
    def correction_line(self) -> str:
        """The heading of a correction ("Correction to the note of 3 March 2026"), else ""."""
        if self.corrects_date is None:
            return ""
        d = self.corrects_date
        return f"Correction to the note of {d.day} {d:%B %Y}"


_FIELDS = (
    "id",
    "occurred_at",
    "how",
    "text",
    "written_by",
    "role_label",
    "organisation",
    "partner",
    "sensitive_category",
    "is_safety_flag",
    "flag_text",
    "flag_category",
    "corrects__occurred_at",
    "written_at",
)
_HOW = dict(ContactNote.How.choices)


def _notes(person_id: int):
    corrected = ContactNote.objects.filter(corrects_id=OuterRef("pk"))
    return ContactNote.objects.filter(person_id=person_id).annotate(corrected=Exists(corrected))


def _row(values: dict) -> NoteRow:
    corrects_at = values["corrects__occurred_at"]
    return NoteRow(
        note_id=values["id"],
        occurred_at=values["occurred_at"],
        how=_HOW.get(values["how"], "Other"),
        text=values["text"],
        written_by=values["written_by"],
        role_label=values["role_label"],
        organisation=values["organisation"],
        partner=values["partner"],
        sensitive_category=values["sensitive_category"],
        is_safety_flag=values["is_safety_flag"],
        flag_text=values["flag_text"],
        flag_category=values["flag_category"],
        corrects_date=timezone.localtime(corrects_at).date() if corrects_at else None,
        corrected=values["corrected"],
        written_at=values["written_at"],
    )


def timeline_notes(person_id: int, limit: int = TIMELINE_LIMIT) -> list[NoteRow]:
    """The person's notes, newest first (at most ``limit``), corrected ones included."""
    rows = _notes(person_id).order_by("-occurred_at", "-id").values(*_FIELDS, "corrected")
    return [_row(v) for v in rows[:limit]]


def last_note(person_id: int) -> NoteRow | None:
    """The newest note that no later note corrects (the doorstep's "last contact")."""
    rows = (
        _notes(person_id)
        .filter(corrected=False)
        .order_by("-occurred_at", "-id")
        .values(*_FIELDS, "corrected")[:1]
    )
    return next((_row(v) for v in rows), None)


def flag_notes(person_id: int) -> list[NoteRow]:
    """Notes marked as a safety flag that no later note corrects, newest first."""
    rows = (
        _notes(person_id)
        .filter(is_safety_flag=True, corrected=False)
        .order_by("-occurred_at", "-id")
        .values(*_FIELDS, "corrected")
    )
    return [_row(v) for v in rows]


def note_for_person(person_id: int, note_id: int) -> NoteRow | None:
    """One note of this person's (the one a correction would correct), or None."""
    rows = _notes(person_id).filter(id=note_id).values(*_FIELDS, "corrected")[:1]
    return next((_row(v) for v in rows), None)


# --- for lists of people (a caseload page): one query for many people, not one each ---------


def flag_notes_for(person_ids: list[int]) -> dict[int, list[NoteRow]]:
    """``flag_notes`` for many people at once: {person_id: [rows, newest first]}."""
    corrected = ContactNote.objects.filter(corrects_id=OuterRef("pk"))
    rows = (
        ContactNote.objects.filter(person_id__in=list(person_ids), is_safety_flag=True)
        .annotate(corrected=Exists(corrected))
        .filter(corrected=False)
        .order_by("person_id", "-occurred_at", "-id")
        .values("person_id", *_FIELDS, "corrected")
    )
    out: dict[int, list[NoteRow]] = {}
    for values in rows:
        out.setdefault(values["person_id"], []).append(_row(values))
    return out


def last_notes_for(person_ids: list[int], partner: str | None = None) -> dict[int, NoteRow]:
    """``last_note`` for many people at once (optionally only notes by one kind of partner,
    e.g. "when did my organisation last see them"): {person_id: newest uncorrected row}."""
    corrected = ContactNote.objects.filter(corrects_id=OuterRef("pk"))
    notes = ContactNote.objects.filter(person_id__in=list(person_ids))
    if partner is not None:
        notes = notes.filter(partner=partner)
    rows = (
        notes.annotate(corrected=Exists(corrected))
        .filter(corrected=False)
        .order_by("person_id", "-occurred_at", "-id")
        .values("person_id", *_FIELDS, "corrected")
    )
    out: dict[int, NoteRow] = {}
    for values in rows:
        out.setdefault(values["person_id"], _row(values))
    return out
