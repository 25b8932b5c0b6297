"""The Splink model on a synthetic population with the hard cases (no database needed)."""

import random
from datetime import date

import pandas as pd
import pytest
from test_linkage_population import nhs_number, population

from wraparound.identity.evaluation import pairwise_quality
from wraparound.identity.run import link_frame

RNG = random.Random(99)
TWIN_A, TWIN_B, DAD, SON = nhs_number(RNG), nhs_number(RNG), nhs_number(RNG), nhs_number(RNG)
WILL = nhs_number(RNG)


def _row(uid, source, nhs, given, family, dob, postcode, address, sex="M"):
    return {"unique_id": uid, "source": source, "source_record_id": f"X{uid}", "nhs_number": nhs,
            "given_name": given, "family_name": family, "date_of_birth": dob, "sex": sex,
            "postcode": postcode, "address": address}  # fmt: skip


HARD_CASES = [
    # Twins: same family name, birthday, home; different given names and NHS Numbers.
    _row(90001, "gp", TWIN_A, "Oliver", "Okonkwo", date(2001, 5, 4), "WV10 1AB", "3 Heron Way"),
    _row(90002, "gp", TWIN_B, "Harry", "Okonkwo", date(2001, 5, 4), "WV10 1AB", "3 Heron Way"),
    _row(90003, "acute", TWIN_A, "Oliver", "Okonkwo", date(2001, 5, 4), "WV10 1AB", "3 Heron Way"),
    _row(90004, "housing", "", "Harry", "Okonkwo", None, "WV10 1AB", "3 Heron Way"),
    # Father and son: same name and home, born 28 years apart; a tenancy record has no birthday.
    _row(90011, "gp", DAD, "John", "Ashworth", date(1960, 2, 11), "WV10 9ZZ", "14 Mill Lane"),
    _row(90012, "gp", SON, "John", "Ashworth", date(1988, 7, 30), "WV10 9ZZ", "14 Mill Lane"),
    _row(90013, "council_tax", "", "John", "Ashworth", None, "WV10 9ZZ", "14 Mill Lane"),
    _row(90014, "acute", SON, "John", "Ashworth", date(1988, 7, 30), "WV10 9ZZ", "14 Mill Lane"),
    # One man as three partners hold him: nickname, typos, day and month swapped, no NHS Number.
    _row(
        90021, "gp", WILL, "William", "Thompson", date(1975, 3, 8), "WV10 4QT", "22 Orchard Close"
    ),
    _row(
        90022, "housing", "", "Bill", "Thompson", date(1975, 3, 8), "WV10 4QT", "22 Orchard Close"
    ),
    _row(
        90023,
        "mental_health",
        "",
        "Willam",
        "Thomson",
        date(1975, 8, 3),
        "WV10 4QT",
        "22 Orchard Cl",
    ),
]


@pytest.fixture(scope="module")
def linked():
    frame, truth = population(500, seed=11)
    hard = pd.DataFrame(HARD_CASES)
    frame = pd.concat([frame, hard], ignore_index=True)
    scored, clusters = link_frame(frame)
    return frame, truth, scored, clusters


def test_quality_on_the_synthetic_population(linked):
    _frame, truth, _scored, clusters = linked
    quality = pairwise_quality(pd.Series(clusters.cluster_of), truth)
    assert quality.precision >= 0.998
    assert quality.recall >= 0.9


def test_twins_are_not_merged(linked):
    cluster_of = linked[3].cluster_of
    assert cluster_of[90001] == cluster_of[90003]
    assert cluster_of[90001] != cluster_of[90002]
    assert cluster_of[90004] != cluster_of[90001]


def test_father_and_son_are_not_merged_nor_bridged(linked):
    cluster_of = linked[3].cluster_of
    assert cluster_of[90012] == cluster_of[90014]
    assert cluster_of[90011] != cluster_of[90012]
    # The tenancy record could be either: it must not join both, and it waits for a steward.
    assert not (cluster_of[90013] == cluster_of[90011] and cluster_of[90013] == cluster_of[90012])
    reviewed = {frozenset((c.record_a, c.record_b)) for c in linked[3].review}
    assert any(90013 in pair for pair in reviewed)


def test_nickname_typo_and_day_month_swap_are_merged(linked):
    cluster_of = linked[3].cluster_of
    assert cluster_of[90021] == cluster_of[90022] == cluster_of[90023]


def test_training_is_deterministic(linked):
    frame, _truth, scored, clusters = linked
    again_scored, again = link_frame(frame)
    assert again.cluster_of == clusters.cluster_of
    assert again_scored.model["probability_two_random_records_match"] == pytest.approx(
        scored.model["probability_two_random_records_match"]
    )
