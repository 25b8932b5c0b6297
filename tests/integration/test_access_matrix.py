"""For every role, partner and sensitive category: nothing the agreement disallows leaves the gate.

One person is known to every partner (plus a wholly sensitive feed, a sexual health clinic),
and each partner sent, for each sensitive category and for none, a timeline entry, a flag and
a worker who is involved, each carrying a unique marker. For every role we open the record,
search for the person and export the caseload, flatten everything the gate returned into
text, and check each marker against the agreement file read directly with PyYAML (not through
our parser or lens), so the test and the code cannot share a mistake.
"""

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from factories import (
    add_to_caseload,
    make_event,
    make_person,
    make_source,
    make_source_record,
    make_staff,
    make_team,
)
from wraparound.governance import access
from wraparound.sources.models import Partner, SensitiveCategory

pytestmark = pytest.mark.django_db

AGREEMENT = yaml.safe_load(Path(settings.WRAPAROUND_AGREEMENT).read_text())
PARTNERS = list(Partner.values)
CATEGORIES = ["", *SensitiveCategory.values]
ROLES = list(AGREEMENT["roles"])
CLINIC = "sexual_health_clinic"
CLINIC_NAME = "Brookside Sexual Health Clinic"


# Kinds of partner the agreement has a party for. A feed of any other kind (``other``) has no
# party whose terms cover it: the issue says it is withheld from everybody but the data
# steward until classified, which we model as a category no role lists.
PARTY_KINDS = {party["partner"] for party in AGREEMENT.get("parties") or []}
NOT_COVERED = "not covered by any party"


def source_categories(partner: str, source: str) -> set[str]:
    found = set()
    if partner not in PARTY_KINDS:
        found.add(NOT_COVERED)
    if partner in (AGREEMENT.get("sensitive_partners") or {}):
        found.add(AGREEMENT["sensitive_partners"][partner])
    if source in (AGREEMENT.get("sensitive_sources") or {}):
        found.add(AGREEMENT["sensitive_sources"][source])
    return found


def allowed_categories(role: str, partner: str, source: str, category: str) -> bool:
    cats = source_categories(partner, source) | ({category} if category else set())
    return cats <= set(AGREEMENT["roles"][role]["sensitive"] or [])


def expect_detail(role: str, partner: str, source: str, category: str) -> bool:
    return partner in (AGREEMENT["roles"][role]["detail_from"] or []) and allowed_categories(
        role, partner, source, category
    )


def flatten(value) -> str:
    """Every string and number the gate handed back, as one text."""
    if dataclasses.is_dataclass(value):
        return " ".join(flatten(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, list | tuple | set):
        return " ".join(flatten(v) for v in value)
    if isinstance(value, dict):
        return " ".join(flatten(k) + " " + flatten(v) for k, v in value.items())
    return "" if value is None else str(value)


def marker(kind: str, source: str, category: str) -> str:
    # Codes are numbers so a marker never contains a category's or partner's name.
    return f"{kind}X{ALL_SOURCES.index(source)}Y{CATEGORIES.index(category)}Z"


ALL_SOURCES = [*PARTNERS, CLINIC]


def partner_of(source: str) -> str:
    return "acute" if source == CLINIC else source


@pytest.fixture
def world():
    team = make_team("North", ["WV10"])
    person = make_person(given_name="Edith", family_name="Marlow", postcode="WV10 6QH")
    # Referred to the team (its caseload list): a relationship every role with any lists.
    add_to_caseload(team, person)
    when = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    for source_name in ALL_SOURCES:
        partner = partner_of(source_name)
        display = CLINIC_NAME if source_name == CLINIC else f"{Partner(partner).label} Org"
        source = make_source(source_name, partner, display_name=display)
        record = make_source_record(source=source, person=person, phone="01632 960 999")
        for i, category in enumerate(CATEGORIES):
            make_event(
                record,
                kind="Contact",
                summary=marker("T", source_name, category),
                category=category,
                occurred_at=when + dt.timedelta(hours=i),
            )
            make_event(
                record,
                kind="Flag",
                resource_type="Flag",
                summary=marker("F", source_name, category),
                category=category,
                status="active",
                on_timeline=False,
            )
            make_event(
                record,
                kind="Care team",
                resource_type="CareTeam",
                summary="care team",
                category=category,
                on_timeline=False,
                extra={
                    "involved": [
                        {
                            "name": marker("W", source_name, category),
                            "role": "Worker",
                            "organisation": display,
                            "contact": "",
                        }
                    ]
                },
            )
    return team, person


def names_that_must_not_appear(role: str) -> list[str]:
    """Labels of partners and feeds whose very involvement the role may not learn."""
    hidden = []
    for source_name in ALL_SOURCES:
        partner = partner_of(source_name)
        if not source_categories(partner, source_name) <= set(
            AGREEMENT["roles"][role]["sensitive"] or []
        ):
            hidden.append(CLINIC_NAME if source_name == CLINIC else f"{Partner(partner).label} Org")
            if source_name != CLINIC:
                hidden.append(Partner(partner).label)
    return hidden


def category_words_hidden(role: str) -> list[str]:
    allowed = set(AGREEMENT["roles"][role]["sensitive"] or [])
    words = {
        "mental_health": ["mental health", "mental_health"],
        "sexual_health": ["sexual health", "sexual_health"],
        "safeguarding": ["safeguarding"],
        "substance_misuse": ["substance"],
        "hiv": ["hiv"],
        "gender_identity": ["gender"],
    }
    return [w for cat, ws in words.items() if cat not in allowed for w in ws]


@pytest.mark.parametrize("role", ROLES)
def test_open_record_shows_only_what_the_agreement_allows(world, role):
    team, person = world
    viewer = make_staff(role=role, teams=[team])
    if role in ("administrator", "receptionist"):  # neither ever opens a record
        with pytest.raises(access.NoAccess):
            access.open_record(viewer=viewer, person_id=person.id, purpose="care", ip=None)
        return
    view = access.open_record(
        viewer=viewer, person_id=person.id, purpose="care", ip=None, page_size=100
    )
    text = flatten(view)
    problems = []
    for source_name in ALL_SOURCES:
        partner = partner_of(source_name)
        for category in CATEGORIES:
            detail = expect_detail(role, partner, source_name, category)
            summary = allowed_categories(role, partner, source_name, category)
            for kind, expected in (("T", detail), ("F", summary), ("W", summary)):
                shown = marker(kind, source_name, category) in text
                if shown != expected:
                    problems.append(f"{kind} {source_name}/{category or '-'}: shown={shown}")
    assert not problems, problems
    lowered = text.lower()
    for name in names_that_must_not_appear(role):
        assert name.lower() not in lowered, name
    for word in category_words_hidden(role):
        assert word not in lowered, word
    # Counts and filters never include what is withheld.
    visible = sum(expect_detail(role, partner_of(s), s, c) for s in ALL_SOURCES for c in CATEGORIES)
    assert view.timeline.total == visible
    allowed_partners = {
        partner_of(s)
        for s in ALL_SOURCES
        for c in CATEGORIES
        if expect_detail(role, partner_of(s), s, c)
    }
    assert {code for code, _ in view.timeline.partners} == allowed_partners
    if visible < len(ALL_SOURCES) * len(CATEGORIES):
        assert view.withheld, "withheld information must be mentioned, never silently dropped"


@pytest.mark.parametrize("role", ROLES)
def test_search_and_export_never_name_a_sensitive_organisation(world, role):
    team, person = world
    viewer = make_staff(role=role, teams=[team])
    hidden = [n.lower() for n in names_that_must_not_appear(role)]
    outputs = []
    if role == "administrator":
        with pytest.raises(access.NoAccess):
            access.search_people(viewer=viewer, query="edith marlow", ip=None)
    else:
        found = access.search_people(viewer=viewer, query="edith marlow", ip=None)
        assert [r.person_id for r in found.results] == [person.id]
        outputs.append(found)
    try:
        outputs.append(access.export_caseload(viewer=viewer, ip=None))
    except access.NoAccess:
        pass
    for output in outputs:
        text = flatten(output).lower()
        for name in hidden:
            assert name not in text, name
        for word in category_words_hidden(role):
            assert word not in text, word
