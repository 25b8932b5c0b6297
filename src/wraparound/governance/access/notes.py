"""Contact notes through the gate: writing one, reading them, and the lens rule for each note.

A note is the author's organisation's detail, like a partner's timeline entry: a viewer sees it
when the agreement gives their role detail from the author's kind of partner
(``detail_from``) and the note's sensitive category (a note about a talking therapies
referral is mental health detail). Its safety flag is a summary item with the flag's own
category, shown to everyone with a relationship whose role may see that category (vital
interests: shown even when the person objects to sharing). The lens is the one that judges
partners' items (``Lens.may_see_detail`` / ``may_see_summary``); a note has no feed, so its
feed name is empty.

Writing needs what every person-centred write needs (``writes._for_edit``): a legitimate
relationship or break-glass, and a role that may edit. The note and its audit row share one
transaction. Notes are never changed: a correction is a new note (``corrects_note_id``), and
only of a note the writer may see.

For the person page (``record.py``): ``visible_notes``, ``visible_flags`` and ``last_visible``
apply the lens to the rows ``wraparound.notes.queries`` returns.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db import transaction
from django.utils import timezone

from wraparound.governance.access.audit import _audit
from wraparound.governance.access.errors import InvalidRequest
from wraparound.governance.access.lens import Lens
from wraparound.governance.access.relationship import _decide
from wraparound.governance.access.results import (
    ContactNoteItem,
    ContactNotesView,
    FlagItem,
    NoteFormView,
)
from wraparound.governance.access.summaries import _display_name
from wraparound.governance.access.viewer import _Viewer, _viewer
from wraparound.governance.access.writes import _for_edit
from wraparound.governance.models import AuditEntry, SharingPreference
from wraparound.governance.roles import Permission, Role
from wraparound.notes import actions as note_actions
from wraparound.notes import queries as note_queries
from wraparound.notes.models import ContactNote
from wraparound.notes.queries import NoteRow

# How a contact happened, for forms: (code, label), e.g. ("home_visit", "Home visit").
CONTACT_NOTE_HOW: list[tuple[str, str]] = list(ContactNote.How.choices)
NOTE_FEED = ""  # a note comes from no partner feed: only its partner and category count
NOT_THIS_PERSONS = "The note you are correcting is not in this person's record"


# --- the lens, note by note ------------------------------------------------------------------


def note_visible(lens: Lens, row: NoteRow) -> bool:
    """May this viewer read the note itself (in the timeline, as the last contact)?"""
    return lens.may_see_detail(row.partner, NOTE_FEED, row.sensitive_category)


def flag_visible(lens: Lens, row: NoteRow) -> bool:
    """May this viewer read the note's safety flag (its words only)?"""
    return row.is_safety_flag and lens.may_see_summary(
        row.partner, NOTE_FEED, row.flag_category, safety=True
    )


def visible_notes(lens: Lens, rows: list[NoteRow]) -> tuple[list[NoteRow], set[str], int]:
    """The notes this lens shows, the withheld reasons (``Lens.withheld_reason`` keys) and how
    many notes are withheld."""
    shown, reasons, withheld = [], set(), 0
    for row in rows:
        if note_visible(lens, row):
            shown.append(row)
        else:
            reasons.add(
                lens.withheld_reason(row.partner, NOTE_FEED, row.sensitive_category) or "generic"
            )
            withheld += 1
    return shown, reasons, withheld


def visible_flags(lens: Lens, person_id: int) -> list[NoteRow]:
    """Current safety flags from notes this lens shows (newest first)."""
    return [row for row in note_queries.flag_notes(person_id) if flag_visible(lens, row)]


def last_visible(lens: Lens, person_id: int) -> NoteRow | None:
    """The newest uncorrected note this lens shows: the doorstep's "last contact note"."""
    latest = note_queries.last_note(person_id)
    if latest is None or note_visible(lens, latest):
        return latest
    rows = note_queries.timeline_notes(person_id)
    return next((r for r in rows if not r.corrected and note_visible(lens, r)), None)


def flag_item(row: NoteRow) -> FlagItem:
    """A note's safety flag as the person page shows flags: its words, whose, when."""
    return FlagItem(
        text=row.flag_text,
        partner=row.organisation,
        date=timezone.localtime(row.occurred_at).date(),
    )


def item(row: NoteRow) -> ContactNoteItem:
    return ContactNoteItem(
        note_id=row.note_id,
        occurred_at=row.occurred_at,
        how=row.how,
        text=row.text,
        written_by=row.written_by,
        role_label=row.role_label,
        organisation=row.organisation,
        is_safety_flag=row.is_safety_flag,
        flag_text=row.flag_text,
        correction_line=row.correction_line,
        corrected=row.corrected,
        written_at=row.written_at,
    )


# --- the gate's calls -------------------------------------------------------------------------


def _lens(v: _Viewer, person_id: int) -> Lens:
    objection = SharingPreference.objects.filter(
        person_id=person_id, objects_to_sharing=True
    ).exists()
    return v.lens(objection)


def _author(v: _Viewer) -> note_actions.Author:
    try:
        role_label = Role(v.role).label
    except ValueError:
        role_label = v.role
    return note_actions.Author(
        staff_id=v.staff_id,
        user_id=v.user_id,
        name=v.display_name,
        role=v.role,
        role_label=role_label,
        organisation=v.organisation,
        partner=v.own_partner,
    )


def _note_id(raw) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise InvalidRequest(NOT_THIS_PERSONS) from None
    if not 0 < value < 2**62:
        raise InvalidRequest(NOT_THIS_PERSONS)
    return value


def _corrected(v: _Viewer, person_id: int, note_id: int | None) -> NoteRow | None:
    """The note to correct, if this viewer may see it; the same refusal whether it is missing,
    someone else's, or withheld from them (no oracle for hidden notes)."""
    if note_id is None:
        return None
    row = note_queries.note_for_person(person_id, note_id)
    if row is None or not note_visible(_lens(v, person_id), row):
        raise InvalidRequest(NOT_THIS_PERSONS)
    return row


def open_note_form(
    *, viewer, person_id: int, ip: str | None, corrects_note_id=None
) -> NoteFormView:
    """The "write a contact note" page: whose record (and the note to correct). Audited."""
    v = _viewer(viewer)
    person = _for_edit(v, person_id, ip)
    corrected = _corrected(v, person.id, _note_id(corrects_note_id))
    with transaction.atomic():
        _audit(
            v,
            AuditEntry.Action.VIEW_PERSON,
            ip,
            person_id=person.id,
            purpose="writing a contact note",
            detail={"what": "contact_note_form", "corrects": corrected and corrected.note_id},
        )
    return NoteFormView(
        person_id=person.id,
        display_name=_display_name(person.given_name, person.family_name),
        corrects=item(corrected) if corrected else None,
        days_back=note_actions.MAX_DAYS_BACK,
    )


def write_contact_note(
    *,
    viewer,
    person_id: int,
    how: str,
    text: str,
    occurred_at: dt.datetime | None = None,
    is_safety_flag: bool = False,
    flag_text: str = "",
    corrects_note_id=None,
    ip: str | None,
) -> ContactNoteItem:
    """Record what happened at a visit or call (or correct an earlier note). Audited.

    Raises NoAccess / BreakGlassRequired as every write does, InvalidRequest with words fit to
    show (no text, an unknown way of contact, a time ahead of now or too far back, a flag
    without words, a note to correct that this viewer cannot see).
    """
    v = _viewer(viewer)
    person = _for_edit(v, person_id, ip)
    corrected = _corrected(v, person.id, _note_id(corrects_note_id))
    with transaction.atomic():
        try:
            note = note_actions.write_contact_note(
                person_id=person.id,
                how=how,
                text=text,
                occurred_at=occurred_at,
                is_safety_flag=bool(is_safety_flag),
                flag_text=flag_text,
                corrects_note_id=corrected.note_id if corrected else None,
                by=_author(v),
            )
        except note_actions.InvalidNote as exc:
            raise InvalidRequest(str(exc)) from None
        _audit(
            v,
            AuditEntry.Action.CHANGE,
            ip,
            person_id=person.id,
            purpose="wrote a contact note",
            detail={
                "what": "contact_note",
                "entry_id": note.id,
                "safety_flag": note.is_safety_flag,
                "corrects": corrected.note_id if corrected else None,
            },
        )
    row = note_queries.note_for_person(person.id, note.id)
    return item(row)


def contact_notes(
    *, viewer, person_id: int, ip: str | None, page: int = 1, page_size: int = 25
) -> ContactNotesView:
    """Every contact note this viewer may see for the person, newest first, paged. Audited,
    with how many notes were shown and withheld."""
    v = _viewer(viewer)
    person, access, _ = _decide(v, person_id, ip, "contact notes")
    lens = _lens(v, person.id)
    name = _display_name(person.given_name, person.family_name)
    with transaction.atomic():
        rows = note_queries.timeline_notes(person.id)
        shown, reasons, withheld = visible_notes(lens, rows)
        page_size = max(1, min(int(page_size or 25), 100))
        pages = max(1, math.ceil(len(shown) / page_size))
        page = min(max(1, int(page or 1)), pages)
        on_page = shown[(page - 1) * page_size : page * page_size]
        flags = [flag_item(row) for row in visible_flags(lens, person.id)]
        _audit(
            v,
            AuditEntry.Action.VIEW_PERSON,
            ip,
            person_id=person.id,
            purpose="direct care: contact notes",
            detail={
                "what": "contact_notes",
                "access": access,
                "agreement": v.agreement.version,
                "shown_notes": [r.note_id for r in on_page],
                "withheld": sorted(reasons),
                "withheld_items": withheld,
                "flags": len(flags),
            },
        )
    return ContactNotesView(
        person_id=person.id,
        display_name=name,
        notes=[item(r) for r in on_page],
        withheld=lens.withheld_lines(reasons, name, withheld),
        flags=flags,
        can_write=v.may(Permission.EDIT_PERSON_CENTRED)
        and access in ("assigned", "caseload", "break_glass"),
        page=page,
        pages=pages,
        total=len(shown),
    )
