"""Factories for synthetic people, partner records, events and staff (tests only).

Plain functions with sensible defaults, so a test says only what matters to it::

    person = make_person(given_name="Margaret", family_name="Shaw", postcode="WV10 6QH")
    gp = make_source_record(source="gp", partner="gp", person=person)     # linked at once
    make_event(gp, kind="GP encounter", summary="Reviewed leg ulcer")
    team = make_team("North", areas=["WV10"])
    nurse = make_staff(role="clinician", teams=[team])                    # returns the User
    access.open_record(viewer=nurse, person_id=person.id, purpose="direct care", ip=None)

Every person made here is indexed for search (``governance.access.search.index_people``), as
``wraparound reindex-search`` would after ``wraparound link``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from wraparound.core import nhs_number
from wraparound.governance.access.search import index_people
from wraparound.governance.models import (
    Assignment,
    CaseloadEntry,
    Organisation,
    SharingPreference,
    Staff,
    Team,
)
from wraparound.identity.models import Link, Person
from wraparound.sources.models import Event, Partner, Source, SourceRecord

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery-staple-42"


def _next() -> int:
    return next(_counter)


def valid_nhs_number(seed: int | None = None) -> str:
    """A synthetic NHS Number that passes Modulus 11 (from the 999 range, never issued)."""
    n = _next() if seed is None else seed
    while True:
        first_nine = f"999{n % 1_000_000:06d}"
        digit = nhs_number.check_digit(first_nine)
        if digit is not None:
            return f"{first_nine}{digit}"
        n += 1


def make_source(name: str = "gp", partner: str | None = None, display_name: str = "") -> Source:
    partner = partner or (name if name in Partner.values else Partner.OTHER)
    source, _ = Source.objects.get_or_create(
        name=name,
        defaults={"partner": partner, "display_name": display_name or Partner(partner).label},
    )
    return source


def make_person(
    *,
    given_name: str = "Margaret",
    family_name: str = "Shaw",
    date_of_birth: dt.date | str | None = dt.date(1942, 3, 3),
    postcode: str = "WV10 6QH",
    address: str = "12 Oak Street, Wolverhampton",
    nhs: str | None = "",
    index: bool = True,
) -> Person:
    """A person with a cached summary. ``nhs=""`` makes a valid number; ``None`` makes none."""
    if isinstance(date_of_birth, str):
        date_of_birth = dt.date.fromisoformat(date_of_birth)
    number = valid_nhs_number() if nhs == "" else (nhs or "")
    person = Person.objects.create(
        nhs_number=number,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        postcode=postcode,
        address=address,
    )
    if index:
        index_people([person.id])
    return person


def make_source_record(
    *,
    source: str | Source = "gp",
    partner: str | None = None,
    person: Person | None = None,
    source_record_id: str | None = None,
    given_name: str | None = None,
    family_name: str | None = None,
    date_of_birth: dt.date | None = None,
    postcode: str | None = None,
    nhs: str | None = None,
    phone: str = "",
    address: str | None = None,
) -> SourceRecord:
    """A partner's record; demographics default to the person's; linked when ``person`` given."""
    if not isinstance(source, Source):
        source = make_source(source, partner)
    number = nhs if nhs is not None else (person.nhs_number if person else valid_nhs_number())
    record = SourceRecord.objects.create(
        source=source,
        source_record_id=source_record_id or f"{source.name}-{_next()}",
        format=SourceRecord.Format.CSV,
        nhs_number=number,
        nhs_number_valid=nhs_number.is_valid(number),
        given_name=given_name
        if given_name is not None
        else (person.given_name if person else "Ann"),
        family_name=family_name
        if family_name is not None
        else (person.family_name if person else "Lee"),
        date_of_birth=date_of_birth or (person.date_of_birth if person else dt.date(1950, 1, 1)),
        postcode=postcode if postcode is not None else (person.postcode if person else "WV10 6QH"),
        address=address if address is not None else (person.address if person else ""),
        phone=phone,
        payload="{}",
        content_hash=hashlib.sha256(str(_next()).encode()).hexdigest(),
    )
    if person is not None:
        link(record, person)
    return record


def link(record: SourceRecord, person: Person, rule: str = Link.Rule.NHS_NUMBER) -> Link:
    """Link a record to a person (as ``wraparound link`` would) and refresh the search index."""
    obj, _ = Link.objects.update_or_create(
        source_record=record, defaults={"person": person, "rule": rule, "match_probability": None}
    )
    index_people([person.id])
    return obj


def make_event(
    record: SourceRecord,
    *,
    kind: str = "Contact",
    summary: str = "Saw the person at home",
    occurred_at: dt.datetime | None = None,
    category: str = "",
    resource_type: str = "activity",
    code: str = "",
    status: str = "",
    on_timeline: bool = True,
    extra: dict | None = None,
) -> Event:
    n = _next()
    return Event.objects.create(
        source=record.source,
        event_id=f"{resource_type}/{n}",
        resource_type=resource_type,
        kind=kind,
        subject_record_id=record.source_record_id,
        occurred_at=occurred_at or timezone.now() - dt.timedelta(days=n % 365),
        summary=summary,
        status=status,
        code=code,
        sensitive_category=category,
        on_timeline=on_timeline,
        extra=extra or {},
        payload="{}",
        content_hash=hashlib.sha256(f"e{n}".encode()).hexdigest(),
    )


def _hashed(password: str) -> str:
    """Hash each test password once per run and hasher list: PBKDF2 is slow on purpose, and a
    test that lists only a fast hasher must not be handed a hash made under another list."""
    return _hashed_with(password, tuple(settings.PASSWORD_HASHERS))


@cache
def _hashed_with(password: str, hashers: tuple[str, ...]) -> str:
    return make_password(password)


def make_organisation(
    name: str = "Community Health NHS Trust", partner: str = "community"
) -> Organisation:
    org, _ = Organisation.objects.get_or_create(name=name, defaults={"partner": partner})
    return org


def make_team(name: str = "North neighbourhood team", areas: list[str] | None = None) -> Team:
    team, _ = Team.objects.get_or_create(name=name, defaults={"neighbourhood": areas or ["WV10"]})
    return team


ROLE_PARTNER = {
    "clinician": "community",
    "mental_health_worker": "mental_health",
    "social_worker": "adult_social_care",
    "housing_officer": "housing",
    "care_coordinator": "gp",
    "voluntary_worker": "voluntary",
    "data_steward": "other",
    "administrator": "other",
}


def make_staff(
    *,
    role: str = "clinician",
    teams: list[Team] | None = None,
    organisation: Organisation | str | None = None,
    username: str | None = None,
    first_name: str = "Sam",
    last_name: str = "Taylor",
    password: str = PASSWORD,
    phone: str = "01632 960 000",
):
    """A login with a staff profile; returns the ``User`` (what views pass as ``viewer``)."""
    if organisation is None or isinstance(organisation, str):
        partner = ROLE_PARTNER.get(role, "other")
        organisation = make_organisation(
            organisation or f"{Partner(partner).label} (test)", partner
        )
    user = get_user_model().objects.create(
        username=username or f"{role}-{_next()}",
        password=_hashed(password),
        first_name=first_name,
        last_name=last_name,
    )
    staff = Staff.objects.create(user=user, organisation=organisation, role=role, phone=phone)
    if teams:
        staff.teams.set(teams)
    return user


def assign(user, person: Person, role_in_care: str = "") -> Assignment:
    return Assignment.objects.create(
        staff=user.staff, person_id=person.id, role_in_care=role_in_care
    )


def add_to_caseload(team: Team, person: Person) -> CaseloadEntry:
    return CaseloadEntry.objects.create(team=team, person_id=person.id, added_by="test")


def set_sharing(
    person: Person, *, objects_to_sharing: bool = False, national_opt_out: bool = False
):
    pref, _ = SharingPreference.objects.update_or_create(
        person_id=person.id,
        defaults={"objects_to_sharing": objects_to_sharing, "national_opt_out": national_opt_out},
    )
    return pref
