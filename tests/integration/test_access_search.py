"""Finding people: NHS Number, names with typos and nicknames, dates, postcodes, and telling
twins and a father and son apart."""

import datetime as dt

import pytest

from factories import add_to_caseload, make_person, make_source_record, make_staff, make_team
from wraparound.governance import access
from wraparound.governance.models import AuditEntry, PersonSearchIndex, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    # The nurse works with people living in WV10 and WV11 (the twins live outside both).
    team = make_team("North", ["WV10", "WV11"])
    nurse = make_staff(role="clinician", teams=[team])
    robert = make_person(
        given_name="Robert",
        family_name="Smith",
        date_of_birth=dt.date(1942, 3, 3),
        postcode="WV10 6QH",
        nhs="9434765919",
    )
    son = make_person(
        given_name="Robert",
        family_name="Smith",
        date_of_birth=dt.date(1970, 8, 1),
        postcode="WV10 6QH",
        nhs=None,
    )
    twin_a = make_person(
        given_name="Alice",
        family_name="Khan",
        date_of_birth=dt.date(1990, 5, 5),
        postcode="WV14 2AB",
        address="4 Elm Road",
    )
    twin_b = make_person(
        given_name="Amira",
        family_name="Khan",
        date_of_birth=dt.date(1990, 5, 5),
        postcode="WV14 2AB",
        address="4 Elm Road",
    )
    peggy = make_person(
        given_name="Margaret",
        family_name="O'Neill",
        date_of_birth=dt.date(1938, 11, 30),
        postcode="WV11 1AA",
    )
    # An earlier surname held by the housing feed still finds her.
    make_source_record(source="housing", person=peggy, family_name="Doyle", postcode="WS2 9ZZ")
    return nurse, {"robert": robert, "son": son, "twin_a": twin_a, "twin_b": twin_b, "peggy": peggy}


def ids(nurse, query):
    return [r.person_id for r in access.search_people(viewer=nurse, query=query, ip=None).results]


@pytest.mark.parametrize("query", ["943 476 5919", "9434765919", "  943-476-5919 "])
def test_nhs_number(people, query):
    nurse, p = people
    assert ids(nurse, query) == [p["robert"].id]


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("peggy o'neill", "peggy"),
        ("PEGGY ONEILL", "peggy"),
        ("margaret oneil", "peggy"),  # typo
        ("maggie doyle", "peggy"),  # nickname and a surname from another partner
        ("O'Neill 30/11/1938", "peggy"),
        ("oneill 30 November 1938", "peggy"),
        ("oneill 1938-11-30", "peggy"),
        ("WV11 1AA", "peggy"),
        ("wv111aa", "peggy"),
        ("ws2 9zz", "peggy"),
    ],
)
def test_names_dates_postcodes_and_combinations(people, query, who):
    nurse, p = people
    assert ids(nurse, query) == [p[who].id]


def test_exact_matches_rank_before_sound_alikes(people):
    nurse, p = people
    smythe = make_person(given_name="Rob", family_name="Smyth", date_of_birth=dt.date(1950, 1, 1))
    found = ids(nurse, "bob smith")
    assert set(found[:2]) == {p["robert"].id, p["son"].id}
    assert found[2] == smythe.id


def test_father_and_son_and_twins_can_be_told_apart(people):
    nurse, p = people
    results = access.search_people(viewer=nurse, query="robert smith WV10", ip=None).results
    assert {(r.date_of_birth, r.nhs_number) for r in results} == {
        (dt.date(1942, 3, 3), "943 476 5919"),
        (dt.date(1970, 8, 1), None),
    }
    assert {r.relationship for r in results} == {"caseload"}
    # Twins the nurse does not work with: a surname and date of birth is not enough to list
    # them (issue 9, finding 1); a full name with the date of birth lists just that twin.
    assert access.search_people(viewer=nurse, query="khan 5/5/1990", ip=None).results == []
    (alice,) = access.search_people(viewer=nurse, query="alice khan 5/5/1990", ip=None).results
    assert (alice.person_id, alice.relationship) == (p["twin_a"].id, "none")
    # Once referred to the team, both are found and told apart.
    for twin in ("twin_a", "twin_b"):
        add_to_caseload(Team.objects.get(name="North"), p[twin])
    twins = access.search_people(viewer=nurse, query="khan 5/5/1990", ip=None).results
    assert sorted(r.display_name for r in twins) == ["Alice Khan", "Amira Khan"]
    assert {r.relationship for r in twins} == {"caseload"}


def test_results_are_limited_and_say_so(people):
    nurse, _ = people
    found = access.search_people(viewer=nurse, query="smith", ip=None, limit=1)
    assert len(found.results) == 1 and found.total == 2 and found.truncated


def test_search_is_audited_once_with_the_query(people):
    nurse, _ = people
    access.search_people(viewer=nurse, query="nobody at all", ip="10.0.0.1")
    (entry,) = AuditEntry.objects.filter(action="search")
    assert entry.query == "nobody at all" and entry.detail["total"] == 0


def test_an_empty_index_says_what_to_do(people):
    nurse, _ = people
    PersonSearchIndex.objects.all().delete()
    found = access.search_people(viewer=nurse, query="smith", ip=None)
    assert found.results == [] and "reindex-search" in found.notice
