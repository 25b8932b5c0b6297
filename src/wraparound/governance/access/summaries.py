"""How a person is described in a list (``PersonSummary``): name, age, NHS Number, who knows them;
for someone the viewer does not work with, only name and date of birth.

Shared by search and the caseload export, so both show the same few facts and name only the
organisations this viewer may be told about.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from wraparound.core import nhs_number as nhs
from wraparound.core import postcodes
from wraparound.governance.access.lens import partner_label
from wraparound.governance.access.relationship import _objections, _relationships
from wraparound.governance.access.results import PersonSummary
from wraparound.governance.access.viewer import _Viewer
from wraparound.identity.models import Person
from wraparound.sources.models import SourceRecord


def _display_name(given: str, family: str) -> str:
    return " ".join(part for part in (given.strip(), family.strip()) if part) or "Name not recorded"


def _age(dob: dt.date | None, today: dt.date | None = None) -> int | None:
    if not dob:
        return None
    today = today or timezone.localdate()
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def _nhs(number: str) -> tuple[str | None, bool]:
    number = nhs.normalise(number)
    if not number:
        return None, False
    return nhs.formatted(number), nhs.is_valid(number)


def _organisation_name(display_name: str, partner: str) -> str:
    return display_name or partner_label(partner)


def _known_to(v: _Viewer, person_ids: list[int], objections: set[int]) -> dict[int, list[str]]:
    """Organisations that know each person, as far as this viewer may be told."""
    out: dict[int, set[str]] = {pid: set() for pid in person_ids}
    lenses = {False: v.lens(False), True: v.lens(True)}
    rows = SourceRecord.objects.filter(link__person_id__in=person_ids).values_list(
        "link__person_id", "source__name", "source__partner", "source__display_name"
    )
    for pid, name, partner, display in rows:
        if lenses[pid in objections].may_name(partner, name):
            out.setdefault(pid, set()).add(_organisation_name(display, partner))
    return {pid: sorted(names) for pid, names in out.items()}


def _stranger(pid: int, p: dict) -> PersonSummary:
    """Someone the viewer does not work with: just enough to choose break-glass.

    Name and date of birth, nothing more: no address, postcode, NHS Number or who knows them,
    which would tell the viewer about a person they have no reason yet to know about.
    """
    return PersonSummary(
        person_id=pid,
        display_name=_display_name(p["given_name"], p["family_name"]),
        age=_age(p["date_of_birth"]),
        date_of_birth=p["date_of_birth"],
        address="",
        postcode="",
        nhs_number=None,
        nhs_valid=False,
        known_to=[],
        relationship="none",
    )


def _summaries(v: _Viewer, person_ids: list[int]) -> list[PersonSummary]:
    people = {
        p["id"]: p
        for p in Person.objects.filter(id__in=person_ids, retired=False).values(
            "id", "given_name", "family_name", "date_of_birth", "postcode", "address", "nhs_number"
        )
    }
    ordered = [pid for pid in person_ids if pid in people]
    relationships = _relationships(v, {pid: people[pid]["postcode"] for pid in ordered})
    related = [pid for pid in ordered if relationships[pid] != "none"]
    known = _known_to(v, related, _objections(related))
    summaries = []
    for pid in ordered:
        p = people[pid]
        if relationships[pid] == "none":
            summaries.append(_stranger(pid, p))
            continue
        number, valid = _nhs(p["nhs_number"])
        summaries.append(
            PersonSummary(
                person_id=pid,
                display_name=_display_name(p["given_name"], p["family_name"]),
                age=_age(p["date_of_birth"]),
                date_of_birth=p["date_of_birth"],
                address=p["address"],
                postcode=postcodes.normalise(p["postcode"]),
                nhs_number=number,
                nhs_valid=valid,
                known_to=known.get(pid, []),
                relationship=relationships[pid],
            )
        )
    return summaries
