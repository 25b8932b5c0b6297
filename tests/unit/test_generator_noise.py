"""The generator's building blocks: mistakes, names, record numbers, NHS Numbers."""

import datetime as dt
import random

import pytest

from wraparound.core import nhs_number
from wraparound.core.nicknames import FORMS_OF, NICKNAMES, canonical_forms, may_be_same_given_name
from wraparound.synthetic import feeds, names, noise
from wraparound.synthetic.population import Neighbourhood, NhsNumbers
from wraparound.synthetic.sources import RecordIds


def test_a_mistyped_nhs_number_fails_the_check():
    rng = random.Random(5)
    numbers = NhsNumbers(rng)
    for _ in range(2000):
        number = numbers.issue()
        assert nhs_number.is_valid(number)
        wrong = noise.mistyped_nhs_number(rng, number)
        assert wrong != number and len(wrong) == 10
        assert not nhs_number.is_valid(wrong)


def test_issued_nhs_numbers_are_distinct_and_in_the_9xx_range():
    numbers = NhsNumbers(random.Random(1))
    issued = [numbers.issue() for _ in range(5000)]
    assert len(set(issued)) == len(issued)
    assert all(n.startswith("9") for n in issued)


@pytest.mark.parametrize(
    "day, swapped",
    [
        (dt.date(1950, 4, 3), dt.date(1950, 3, 4)),
        (dt.date(1950, 12, 1), dt.date(1950, 1, 12)),
        (dt.date(1950, 4, 13), None),  # no 13th month
        (dt.date(1950, 5, 5), None),  # the same either way
    ],
)
def test_day_and_month_swap(day, swapped):
    assert noise.swap_day_month(day) == swapped


def test_accents_fold_as_old_systems_fold_them():
    assert noise.fold_accents("Łukasz Wójcik") == "Lukasz Wojcik"
    assert noise.fold_accents("Zoë") == "Zoe"
    assert noise.fold_accents("Małgorzata Dąbrowska") == "Malgorzata Dabrowska"


def test_a_typo_changes_a_name_a_little():
    rng = random.Random(3)
    for name in ("Margaret", "Okonkwo", "Wiśniewska", "Patel"):
        for _ in range(50):
            slipped = noise.typo(rng, name)
            assert abs(len(slipped) - len(name)) <= 1
            assert slipped[0] == name[0]


def test_nicknames_map_to_canonical_names():
    assert NICKNAMES["peggy"] == {"margaret"}
    assert "robert" in NICKNAMES["bob"]
    assert NICKNAMES["chris"] >= {"christopher", "christine"}
    assert may_be_same_given_name("Bill", "William")
    assert may_be_same_given_name("Liz", "ELIZABETH ")
    assert not may_be_same_given_name("Bob", "William")
    assert canonical_forms("Zebedee") == {"zebedee"}
    for canonical, forms in FORMS_OF.items():
        assert canonical in NICKNAMES[canonical]
        assert len(set(forms)) == len(forms), canonical


def test_the_generator_picks_nicknames_from_the_shared_table():
    rng = random.Random(2)
    picked = {noise.nickname(rng, "Margaret") for _ in range(200)}
    assert picked <= {f.title() for f in FORMS_OF["margaret"]}
    assert noise.nickname(rng, "Zebedee") is None
    assert noise.nickname(rng, "Małgorzata") in {"Gosia", "Margaret"}


def test_polish_women_carry_the_feminine_surname():
    assert names.polish_feminine("Kowalski") == "Kowalska"
    assert names.polish_feminine("Nowak") == "Nowak"
    assert names.polish_feminine("Zawadzki") == "Zawadzka"


def test_name_tables_are_big_enough_and_have_no_empty_names():
    assert len(names.BRITISH_FAMILY) >= 300
    assert sum(len(v) for v in names.FAMILY.values()) >= 600
    for heritage, by_sex in names.GIVEN.items():
        for sex, by_era in by_sex.items():
            for era, pool in by_era.items():
                assert len(pool) >= 15, (heritage, sex, era)
                assert all(n.strip() == n and n for n in pool)


def test_record_ids_are_unique_and_not_in_order():
    ids = RecordIds(random.Random(9), "GP{:07d}", 10_000_000)
    issued = [ids.issue() for _ in range(20000)]
    assert len(set(issued)) == len(issued)
    assert issued != sorted(issued)
    assert all(len(i) == 9 for i in issued)


def test_a_neighbourhood_has_exactly_the_people_asked_for():
    hood = Neighbourhood(random.Random(4), 777)
    members = [p for h in hood.households() for p in h.members]
    assert len(members) == 777
    assert len({p.person_id for p in members}) == 777
    older = sum(p.age >= 65 for p in members) / len(members)
    assert 0.15 < older < 0.4


def test_free_text_is_sometimes_hostile():
    rng = random.Random(0)
    texts = [feeds._hostile(rng, "Boiler broken") for _ in range(20000)]
    assert any(feeds.HOSTILE_TEXT in t for t in texts)
    assert any("\n" in t for t in texts)
    assert sum(t == "Boiler broken" for t in texts) > 19000
