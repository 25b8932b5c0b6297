"""One way to clean names (``core.names``) and one nickname table (``core.nicknames``), used by
linkage and search alike (issue 8, finding 10)."""

import pytest

from factories import make_person, make_staff, make_team
from wraparound.core.names import clean_name, name_parts
from wraparound.core.nicknames import given_name_forms
from wraparound.governance import access
from wraparound.governance.access import search
from wraparound.identity import features

# Expected words written out by hand, as an English keyboard spells each name.
SPELLINGS = [
    ("Łukasz Nowak", "lukasz nowak"),
    ("Søren Kierkegaard", "soren kierkegaard"),
    ("Straße", "strasse"),
    ("Æthelred Ødegaard", "aethelred odegaard"),
    ("Dąbrowski-Wójcik", "dabrowski wojcik"),
    ("O'Brien", "obrien"),
    ("O\u2019Brien", "obrien"),
    ("  ", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), SPELLINGS)
def test_clean_name_folds_letters_an_english_keyboard_cannot_type(raw, expected):
    assert clean_name(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), SPELLINGS)
def test_linkage_and_search_clean_names_the_same_way(raw, expected):
    assert features._clean_name(raw) == expected
    assert search.name_parts(raw or "") == (expected.split(" ") if expected else [])
    assert name_parts(raw) == search.name_parts(raw or "")


def test_one_nickname_table_for_linkage_and_search():
    # Forms only the old linkage table knew are now known to search as well.
    assert given_name_forms("sara") == ["sarah"]
    assert "margaret" in given_name_forms("greta")
    tokens = search.tokens_for(
        given_names=["Greta"],
        family_names=["Shaw"],
        dates_of_birth=[],
        postcodes_=[],
        nhs_numbers=[],
    )
    assert "k:margaret" in tokens


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("recorded", "typed"),
    [
        (("Łukasz", "Nowak"), "Lukasz Nowak"),
        (("Lukasz", "Nowak"), "Łukasz Nowak"),
        (("Søren", "Jensen"), "Soren Jensen"),
        (("Soren", "Jensen"), "Søren Jensen"),
        (("Hans", "Straße"), "Hans Strasse"),
        (("Hans", "Strasse"), "Hans Straße"),
    ],
)
def test_a_name_typed_without_its_letters_finds_the_person(recorded, typed):
    team = make_team("North", ["WV10"])
    nurse = make_staff(role="clinician", teams=[team])
    person = make_person(given_name=recorded[0], family_name=recorded[1], postcode="WV10 6QH")
    make_person(given_name="Anna", family_name="Nowicka", postcode="WV10 6QH")
    found = access.search_people(viewer=nurse, query=typed, ip=None)
    assert [r.person_id for r in found.results][:1] == [person.id]
