"""Constrained clustering: the NHS Number and steward rules that keep wrong merges out."""

import pandas as pd

from wraparound.identity.clustering import Thresholds, cluster, dates_compatible

A, B, X, Y = 1, 2, 3, 4


def pairs(*rows) -> pd.DataFrame:
    """rows: (left, right, probability, weight, gamma_nhs, gamma_dob, gamma_given, gamma_family)"""
    cols = [
        "unique_id_l",
        "unique_id_r",
        "match_probability",
        "match_weight",
        "gamma_nhs_number",
        "gamma_dob",
        "gamma_given_name",
        "gamma_family_name",
    ]
    return pd.DataFrame(list(rows), columns=cols)


def test_two_different_valid_nhs_numbers_are_never_merged_directly():
    result = cluster([A, B], ["9434765919", "9434765870"], pairs((A, B, 0.99999, 20, 0, 4, 7, 5)))
    assert result.cluster_of[A] != result.cluster_of[B]
    assert result.refused_unions == 1
    assert [(c.record_a, c.record_b) for c in result.review] == [(A, B)]


def test_a_record_without_nhs_number_does_not_bridge_two_numbers():
    scored = pairs((X, A, 0.9999, 18.0, -1, -1, 7, 5), (X, B, 0.9999, 17.5, -1, -1, 7, 5))
    result = cluster([A, B, X], ["9434765919", "9434765870", None], scored)
    assert len({result.cluster_of[A], result.cluster_of[B], result.cluster_of[X]}) == 3
    assert result.ambiguous_records == 1
    assert {(c.record_a, c.record_b) for c in result.review} == {(X, A), (X, B)}


def test_a_bridge_through_two_records_without_nhs_numbers_is_refused_too():
    # A - X - Y - B: X and Y have no NHS Number; connected components would join A and B.
    scored = pairs(
        (A, X, 0.9999, 18, -1, -1, 7, 5),
        (X, Y, 0.9999, 18, -1, -1, 7, 5),
        (Y, B, 0.9999, 18, -1, -1, 7, 5),
    )
    result = cluster([A, B, X, Y], ["9434765919", "9434765870", None, None], scored)
    assert result.cluster_of[A] != result.cluster_of[B]


def test_a_much_better_match_is_taken_when_there_are_two_nhs_candidates():
    scored = pairs((X, A, 0.999999, 30.0, -1, 4, 7, 5), (X, B, 0.995, 8.0, -1, -1, 7, 5))
    result = cluster([A, B, X], ["9434765919", "9434765870", None], scored)
    assert result.cluster_of[X] == result.cluster_of[A] != result.cluster_of[B]


def test_same_nhs_number_with_clearly_different_demographics_goes_to_review():
    # Same valid number, date of birth unlike in every way: a number belonging to someone else.
    result = cluster([A, B], ["9434765919", "9434765919"], pairs((A, B, 0.9, 3, 1, 0, 0, 0)))
    assert result.cluster_of[A] != result.cluster_of[B]
    assert "Same valid NHS Number" in result.review[0].reason


def test_same_nhs_number_and_agreeing_demographics_links_by_rule():
    result = cluster([A, B], ["9434765919", "9434765919"], pairs((A, B, 0.7, 1, 1, 4, 0, 5)))
    assert result.cluster_of[A] == result.cluster_of[B]
    assert result.rule_of[A] == "nhs_number"


def test_clearly_different_dates_of_birth_are_not_bridged():
    # Father and son of the same name, and a record with no date of birth matching both.
    scored = pairs((X, A, 0.9999, 18, -1, -1, 7, 5), (X, B, 0.9999, 18, -1, -1, 7, 5))
    result = cluster(
        [A, B, X], [None, None, None], scored, dates_of_birth=["1960-03-02", "1988-07-19", None]
    )
    assert result.cluster_of[A] != result.cluster_of[B]
    assert result.cluster_of[X] not in (result.cluster_of[A], result.cluster_of[B])


def test_steward_decisions_outrank_the_model_both_ways():
    scored = pairs((A, B, 0.9999, 20, -1, 4, 7, 5), (X, Y, 0.6, 1, -1, 0, 7, 5))
    result = cluster([A, B, X, Y], [None] * 4, scored, same=[(X, Y)], different=[(A, B)])
    assert result.cluster_of[A] != result.cluster_of[B]
    assert result.cluster_of[X] == result.cluster_of[Y]
    assert result.rule_of[X] == "steward"


def test_review_band_and_thresholds():
    scored = pairs((A, B, 0.8, 2, -1, 4, 7, 5), (X, Y, 0.2, -2, -1, 4, 7, 5))
    result = cluster([A, B, X, Y], [None] * 4, scored, thresholds=Thresholds(0.99, 0.5))
    assert len(set(result.cluster_of.values())) == 4
    assert [(c.record_a, c.record_b) for c in result.review] == [(A, B)]


def test_clustering_is_deterministic_whatever_the_pair_order():
    rows = [
        (A, B, 0.999, 10, -1, 4, 7, 5),
        (B, X, 0.999, 10, -1, 4, 7, 5),
        (Y, X, 0.9, 3, -1, 4, 7, 5),
    ]
    one = cluster([A, B, X, Y], [None] * 4, pairs(*rows))
    two = cluster([A, B, X, Y], [None] * 4, pairs(*reversed(rows)))
    assert one.cluster_of == two.cluster_of


def test_dates_compatible_allows_typing_slips_only():
    assert dates_compatible("1980-03-07", "1980-07-03")  # day/month swap
    assert dates_compatible("1980-03-07", "1980-03-08")  # one digit
    assert dates_compatible("1980-03-07", "1908-03-07")  # transposed digits
    assert dates_compatible("1980-03-07", "1981-03-07")  # one part differs
    assert not dates_compatible("1960-03-02", "1988-07-19")
    assert not dates_compatible("1980-03-07", "1982-05-07")


def _household(*rows) -> pd.DataFrame:
    """rows: (left, right, probability, weight, gamma_given, gamma_family, gamma_residence)"""
    frame = pd.DataFrame(
        list(rows),
        columns=[
            "unique_id_l",
            "unique_id_r",
            "match_probability",
            "match_weight",
            "gamma_given_name",
            "gamma_family_name",
            "gamma_residence",
        ],
    )
    frame["gamma_dob"] = -1
    frame["gamma_nhs_number"] = -1
    return frame


def test_a_bare_record_naming_one_person_in_its_house_joins_them():
    # Council tax "Iris Gilbert" (no NHS Number, no date of birth) and the GP's "Iris Plant"
    # in the same house: a married name. The model alone leaves it in the review band.
    scored = _household((A, X, 0.92, 3.4, 8, 0, 7))
    result = cluster([A, X], ["9434765919", None], scored, dates_of_birth=["1950-01-01", None])
    assert result.cluster_of[X] == result.cluster_of[A]
    assert result.review == []


def test_a_bare_record_naming_two_people_in_its_house_stays_in_review():
    # Father and son, both Florin Dumitru, at one address: the council tax record fits both.
    scored = _household((A, X, 0.95, 4.0, 8, 0, 7), (B, X, 0.95, 4.0, 8, 0, 7))
    result = cluster(
        [A, B, X],
        ["9434765919", "9434765870", None],
        scored,
        dates_of_birth=["1960-01-01", "1990-01-01", None],
    )
    assert len({result.cluster_of[A], result.cluster_of[B], result.cluster_of[X]}) == 3
    assert {(c.record_a, c.record_b) for c in result.review} == {(A, X), (B, X)}


def test_an_initial_or_another_house_is_not_enough_for_the_household_rule():
    initial = _household((A, X, 0.95, 4.0, 3, 5, 7))
    other_house = _household((A, X, 0.95, 4.0, 8, 0, 4))
    for scored in (initial, other_house):
        result = cluster([A, X], ["9434765919", None], scored, dates_of_birth=["1950-01-01", None])
        assert result.cluster_of[X] != result.cluster_of[A]
        assert len(result.review) == 1
