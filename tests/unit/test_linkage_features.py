"""The derived columns the linkage model compares."""

import pandas as pd

from wraparound.identity.evaluation import nhs_number_baseline, pairwise_quality
from wraparound.identity.features import prepare, soundex
from wraparound.identity.nicknames import given_name_forms


def one(**fields) -> dict:
    return prepare(pd.DataFrame([{"unique_id": 1, **fields}])).iloc[0].to_dict()


def test_names_are_cleaned_and_accents_dropped():
    row = one(given_name="  Mary-Ann ", family_name="Dąbrowski")
    assert row["given_name"] == "mary"
    assert row["given_tokens"] == ["ann", "mary"]
    assert row["family_name"] == "dabrowski"


def test_nicknames_share_a_canonical_form():
    assert set(given_name_forms("bill")) & set(given_name_forms("william"))
    assert set(given_name_forms("peggy")) & set(given_name_forms("margaret"))
    assert not set(given_name_forms("bill")) & set(given_name_forms("robert"))


def test_postcode_sector_and_address_key():
    row = one(postcode="wv10 2yu", address="Flat 7, Merlin Lodge, Merlin Street, Wolverhampton")
    assert (row["postcode"], row["pc_sector"]) == ("WV102YU", "WV10 2")
    assert row["addr_key"] == "7 merlin"
    foreign = one(postcode="4223")
    assert foreign["postcode"] == "4223" and foreign["pc_sector"] is None


def test_dates_of_birth_in_either_format_split_into_parts():
    row = one(date_of_birth="19151111")
    assert (row["dob"], row["dob_y"], row["dob_m"], row["dob_d"]) == (
        "1915-11-11",
        "1915",
        "11",
        "11",
    )
    assert one(date_of_birth=None)["dob"] is None


def test_soundex():
    assert soundex("robert") == soundex("rupert") == "R163"
    assert soundex("ashcraft") == "A261"


def test_pairwise_quality_counts_pairs_not_clusters():
    truth = pd.Series(["p1", "p1", "p1", "p2"], index=[1, 2, 3, 4])
    predicted = pd.Series(["a", "a", "b", "b"], index=[1, 2, 3, 4])
    q = pairwise_quality(predicted, truth)
    assert (q.true_pairs, q.predicted_pairs, q.correct_pairs) == (3, 2, 1)
    assert q.precision == 0.5 and round(q.recall, 3) == 0.333


def test_nhs_number_baseline_links_only_equal_numbers():
    labels = nhs_number_baseline(pd.Series(["9434765919", None, "9434765919"], index=[1, 2, 3]))
    assert labels[1] == labels[3] != labels[2]


def test_other_identifier_is_cleaned_and_absent_when_the_data_has_none():
    from wraparound.identity import features

    records = pd.DataFrame(
        {"unique_id": ["a", "b"], "other_identifier": [" 530-4218", None]}, dtype=object
    )
    assert features.prepare(records)["other_id"].tolist() == ["5304218", None]
    assert features.prepare(records[["unique_id"]])["other_id"].isna().all()
