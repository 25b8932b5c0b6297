"""Reading what a practitioner types into search criteria (no database)."""

import datetime as dt

import pytest

from wraparound.core import postcodes
from wraparound.governance.access.search import name_parts, parse_query, soundex, tokens_for

TODAY = dt.date(2026, 1, 15)


def tokens(query):
    return [(c.label, c.exact) for c in parse_query(query, today=TODAY).criteria]


@pytest.mark.parametrize("query", ["943 476 5919", "9434765919", "943-476-5919", " 943 4765919 "])
def test_nhs_number_any_spacing(query):
    assert tokens(query) == [("NHS Number 943 476 5919", ["h:9434765919"])]


@pytest.mark.parametrize(
    "query",
    [
        "1942-03-03",
        "3/3/1942",
        "03/03/1942",
        "3.3.1942",
        "3-3-1942",
        "3 March 1942",
        "3rd March 1942",
        "3 mar 1942",
        "March 3, 1942",
        "03031942",
        "3/3/42",
        "3rd of March 1942",
    ],
)
def test_dates_of_birth_in_english_formats(query):
    assert tokens(query) == [("date of birth 3 March 1942", ["d:1942-03-03"])]


def test_two_digit_years_are_never_in_the_future():
    assert tokens("1/2/25")[0][1] == ["d:2025-02-01"]
    assert tokens("1/2/27")[0][1] == ["d:1927-02-01"]


def test_postcodes_districts_sectors_and_years():
    assert tokens("wv106qh") == [("postcode WV10 6QH", ["p:WV10 6QH"])]
    assert tokens("WV10") == [("postcode district WV10", ["pd:WV10"])]
    assert tokens("wv10 6") == [("postcode sector WV10 6", ["ps:WV10 6"])]
    assert tokens("smith 1942")[0] == ("born in 1942", ["y:1942"])


def test_names_with_nicknames_and_sound_alikes():
    (criterion,) = parse_query("Bob").criteria
    assert criterion.exact == ["n:bob"]
    assert "k:robert" in criterion.close
    assert "Robert" in criterion.label
    assert "s:B100" in criterion.sounds


def test_combinations_and_things_we_cannot_read():
    parsed = parse_query("Bob Smith WV10 ??", today=TODAY)
    labels = [c.label for c in parsed.criteria]
    assert labels[0] == "postcode district WV10"
    assert any(label.startswith("name 'bob'") for label in labels)
    assert "name 'smith'" in labels
    assert parsed.ignored == ["??"]


def test_soundex_catches_typing_slips():
    assert soundex("smith") == soundex("smyth") == soundex("smtih") == "S530"
    assert soundex("johnson") == soundex("jonhson")
    assert soundex("ashcraft") == "A261"


def test_name_parts_strip_accents_and_punctuation():
    assert name_parts("O'Brien-Zoë") == ["obrien", "zoe"]


def test_tokens_for_a_person():
    made = tokens_for(
        given_names=["Peggy"],
        family_names=["Shaw"],
        dates_of_birth=[dt.date(1942, 3, 3)],
        postcodes_=["wv10 6qh"],
        nhs_numbers=["943 476 5919"],
    )
    assert {
        "n:peggy",
        "k:margaret",
        "n:shaw",
        "d:1942-03-03",
        "y:1942",
        "p:WV10 6QH",
        "pd:WV10",
        "ps:WV10 6",
        "h:9434765919",
    } <= made


def test_postcode_areas():
    assert postcodes.normalise("wv106qh") == "WV10 6QH"
    assert postcodes.normalise_area(" wv10 ") == "WV10"
    assert postcodes.normalise_area("wv10 6") == "WV10 6"
    assert postcodes.normalise_area("nonsense") is None
    assert postcodes.in_neighbourhood("WV10 6QH", ["WV10"])
    assert not postcodes.in_neighbourhood("WV1 6QH", ["WV10"])
    assert postcodes.in_neighbourhood("WV10 6QH", ["WV10 6"])
    assert not postcodes.in_neighbourhood("WV10 7QH", ["WV10 6"])
