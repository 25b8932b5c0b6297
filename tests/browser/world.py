"""A small synthetic neighbourhood for the web tests (integration and browser).

Rows are made with ``tests/factories.py`` (tests may write rows; the application may not), then
the search index is built once, the way ``wraparound reindex-search`` builds it. Everything is
synthetic.

People (all in the North team's neighbourhood, WV10, unless said):
- Margaret Smith, 3 March 1942: GP, acute, mental health trust and housing records; a key safe
  flag, an allergy, diabetes, a district nurse involved, and a mental health contact that a
  clinician may not see.
- John Smith senior (1950) and junior (1980) at the same address: father and son.
- Albert Jones in WV1: on nobody's caseload in this world (break-glass only).
- A person whose name and text are hostile (HTML, script, SQL metacharacters, very long).
- Nadia Khan: no NHS Number at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from factories import (
    link,
    make_event,
    make_organisation,
    make_person,
    make_source,
    make_source_record,
    make_staff,
    make_team,
)
from wraparound.governance.access import search
from wraparound.identity.models import Link, Person, ReviewPair

PASSWORD = "correct horse battery staple"
HOSTILE_NAME = "<script>alert('x')</script>"
HOSTILE_FAMILY = "O'Brien\"; DROP TABLE identity_person; --"
LONG_TEXT = "Very long words " * 300
MENTAL_HEALTH_TEXT = "Seen by community psychiatric nurse about low mood"
HOUSING_TEXT = "Rent arrears letter sent"
GP_TEXT = "Blood pressure reviewed at home"


@dataclass
class World:
    margaret: int
    john_senior: int
    john_junior: int
    albert: int
    hostile: int
    nadia: int
    users: dict


# Thin adapters over tests/factories.py, in this world's words: a record is linked with the
# NHS Number rule when it has one (a singleton otherwise), events are dated "days ago", and
# the search index is built once at the end, as ``wraparound reindex-search`` would.


def _source(name: str, partner: str, display: str):
    return make_source(name, partner, display_name=display)


def _record(source, person, *, nhs="", given, family, dob, postcode, address="", phone=""):
    record = make_source_record(
        source=source,
        nhs=nhs,
        given_name=given,
        family_name=family,
        date_of_birth=dob,
        postcode=postcode,
        address=address,
        phone=phone,
    )
    link(record, person, rule=Link.Rule.NHS_NUMBER if nhs else Link.Rule.SINGLETON)
    return record


def _event(record, *, days_ago, resource_type="Activity", **fields):
    return make_event(
        record,
        resource_type=resource_type,
        occurred_at=timezone.now() - dt.timedelta(days=days_ago),
        **fields,
    )


def _person_with_record(
    source, *, nhs="", given, family, dob, postcode, address, address_on_record=False
):
    """A person and one partner record that says the same about them (most people here)."""
    person = _person(
        nhs=nhs, given=given, family=family, dob=dob, postcode=postcode, address=address
    )
    record = _record(
        source,
        person,
        nhs=nhs,
        given=given,
        family=family,
        dob=dob,
        postcode=postcode,
        address=address if address_on_record else "",
    )
    return person, record


def _person(*, nhs="", given, family, dob, postcode, address):
    # Here "" means no NHS Number; in make_person it means "make a valid one".
    return make_person(
        nhs=nhs or None,
        given_name=given,
        family_name=family,
        date_of_birth=dob,
        postcode=postcode,
        address=address,
        index=False,
    )


def _user(username, first, last, role, organisation, teams):
    return make_staff(
        role=role,
        teams=teams,
        organisation=organisation,
        username=username,
        first_name=first,
        last_name=last,
        password=PASSWORD,
    )


def build_world() -> World:
    gp = _source("gp", "gp", "Oak Tree Surgery")
    acute = _source("acute", "acute", "City Hospital NHS Trust")
    mh = _source("mental_health", "mental_health", "Mental Health NHS Foundation Trust")
    housing = _source("housing", "housing", "City Homes")
    orgs = {
        "gp": make_organisation("Oak Tree Surgery", "gp"),
        "housing": make_organisation("City Homes", "housing"),
        "mental_health": make_organisation("Mental Health NHS Foundation Trust", "mental_health"),
        "council": make_organisation("City Council", "adult_social_care"),
        "voluntary": make_organisation("Neighbourhood Volunteers", "voluntary"),
    }
    north = make_team("North neighbourhood team", areas=["WV10"])
    south = make_team("South neighbourhood team", areas=["WV1"])
    users = {
        "nurse": _user("nurse.jo", "Jo", "Baker", "clinician", orgs["gp"], [north]),
        "housing": _user(
            "housing.sam", "Sam", "Patel", "housing_officer", orgs["housing"], [north]
        ),
        "mh": _user("mh.kim", "Kim", "Lee", "mental_health_worker", orgs["mental_health"], [north]),
        "outsider": _user("nurse.ola", "Ola", "Nowak", "clinician", orgs["gp"], [south]),
        "volunteer": _user("vol.ben", "Ben", "Hughes", "voluntary_worker", orgs["voluntary"], []),
        "steward": _user("steward.priya", "Priya", "Shah", "data_steward", orgs["council"], []),
    }

    address = "12 Elm Road, Wolverhampton"
    margaret = _person(
        nhs="9434765919",
        given="Margaret",
        family="Smith",
        dob=dt.date(1942, 3, 3),
        postcode="WV10 6QP",
        address=address,
    )
    g = _record(
        gp,
        margaret,
        nhs="9434765919",
        given="Margaret",
        family="Smith",
        dob=dt.date(1942, 3, 3),
        postcode="WV10 6QP",
        address=address,
        phone="01632 960 001",
    )
    a = _record(
        acute,
        margaret,
        nhs="9434765919",
        given="Peggy",
        family="Smith",
        dob=dt.date(1942, 3, 3),
        postcode="WV10 6QP",
    )
    m = _record(
        mh,
        margaret,
        nhs="9434765919",
        given="Margaret",
        family="Smith",
        dob=dt.date(1942, 3, 3),
        postcode="WV10 6QP",
    )
    h = _record(
        housing,
        margaret,
        nhs="9434765919",
        given="Margaret",
        family="Smith",
        dob=dt.date(1942, 3, 3),
        postcode="WV10 6QP",
    )
    _event(
        g,
        kind="consultation",
        summary=GP_TEXT,
        days_ago=3,
        extra={
            "involved": {
                "name": "Dee Khan",
                "role": "District nurse",
                "organisation": "Community Health NHS Trust",
                "contact": "01632 960 222",
            }
        },
    )
    for i in range(30):
        _event(
            g,
            kind="medication",
            summary=f"Repeat prescription issued ({i + 1})",
            days_ago=10 + i * 7,
        )
    _event(
        g,
        kind="flag",
        code="key_safe",
        resource_type="Flag",
        summary="Key safe by the back door: code from daughter",
        days_ago=40,
    )
    _event(
        g, kind="allergy", resource_type="AllergyIntolerance", summary="Penicillin", days_ago=400
    )
    _event(
        g,
        kind="condition",
        resource_type="Condition",
        status="active",
        summary="Type 2 diabetes",
        days_ago=900,
    )
    _event(a, kind="ae_attendance", summary="A&E attendance after a fall", days_ago=20)
    _event(m, kind="contact", summary=MENTAL_HEALTH_TEXT, days_ago=5, category="mental_health")
    _event(h, kind="rent_arrears", summary=HOUSING_TEXT, days_ago=8)

    john_senior, _ = _person_with_record(
        gp,
        nhs="4010232137",
        given="John",
        family="Smith",
        dob=dt.date(1950, 6, 1),
        postcode="WV10 6QP",
        address="3 Oak Lane, Wolverhampton",
        address_on_record=True,
    )
    john_junior, _ = _person_with_record(
        gp,
        nhs="9990001111",
        given="John",
        family="Smith",
        dob=dt.date(1980, 9, 9),
        postcode="WV10 6QP",
        address="3 Oak Lane, Wolverhampton",
        address_on_record=True,
    )

    albert, ar = _person_with_record(
        gp,
        nhs="9876543210",
        given="Albert",
        family="Jones",
        dob=dt.date(1938, 1, 12),
        postcode="WV1 1AA",
        address="1 High Street, Wolverhampton",
    )
    _event(ar, kind="consultation", summary="Chest infection reviewed", days_ago=2)

    hostile, hr = _person_with_record(
        gp,
        given=HOSTILE_NAME,
        family=HOSTILE_FAMILY,
        dob=dt.date(1960, 1, 1),
        postcode="WV10 9ZZ",
        address="<img src=x onerror=alert(1)> " + "Long Road " * 40,
    )
    _event(
        hr,
        kind="<b>kind</b>",
        summary="<script>document.title='owned'</script> " + LONG_TEXT,
        days_ago=1,
    )

    nadia, _ = _person_with_record(
        housing,
        given="Nadia",
        family="Khan",
        dob=dt.date(1990, 2, 2),
        postcode="WV10 5AB",
        address="8 Birch Close, Wolverhampton",
    )

    # An uncertain pair for the linkage review queue: Margaret's GP record and an acute record
    # with a misspelt name, no NHS Number, same date of birth and postcode.
    _, stray = _person_with_record(
        acute,
        given="Margret",
        family="Smyth",
        dob=dt.date(1942, 3, 3),
        postcode="WV10 6QP",
        address=address,
    )
    ReviewPair.objects.create(
        record_a=g,
        record_b=stray,
        match_probability=0.62,
        reason="Same date of birth and postcode; names close; no NHS Number on one side",
        evidence={
            "comparisons": [
                {
                    "comparison": "first name",
                    "level": "Jaro-Winkler similarity above 0.9",
                    "weight": 3.1,
                },
                {"comparison": "surname", "level": "sounds alike", "weight": 1.2},
                {"comparison": "date of birth", "level": "exact match", "weight": 6.5},
                {"comparison": "NHS Number", "level": "missing on one side", "weight": 0.0},
            ]
        },
    )

    search.index_people(Person.objects.values_list("id", flat=True))
    return World(
        margaret=margaret.id,
        john_senior=john_senior.id,
        john_junior=john_junior.id,
        albert=albert.id,
        hostile=hostile.id,
        nadia=nadia.id,
        users=users,
    )
