"""Issue 8, findings 1, 4, 5 and 6: linkage never merges two people it cannot tell apart.

Clustering tests feed hand-made scored pairs to ``clustering.cluster`` (the expectations follow
from the rules in docs/linkage.md, not from the code). Placeholder and tiny-data tests run the
real model (Splink on DuckDB) through ``run.link_frame``.
"""

import datetime as dt
import random

import numpy as np
import pandas as pd
import pytest

from wraparound.identity import features
from wraparound.identity.clustering import cluster
from wraparound.identity.run import link_frame, score_pairs

# Gamma values as comparisons.py numbers them: dob exact 4 ... else 0, null -1; same_source 1/0.
DOB_EXACT, DOB_ELSE, NULL = 4, 0, -1


def _pairs(rows: list[tuple]) -> pd.DataFrame:
    """(left, right, probability, gamma_dob, gamma_same_source) -> a scored-pairs frame."""
    frame = pd.DataFrame(
        rows, columns=["unique_id_l", "unique_id_r", "match_probability", "gamma_dob",
                       "gamma_same_source"],
    )  # fmt: skip
    p = frame["match_probability"]
    frame["match_weight"] = np.log2(p / (1 - p))
    frame["gamma_given_name"] = 8
    frame["gamma_family_name"] = 5
    frame["gamma_residence"] = 7
    return frame


def _together(clusters, a, b) -> bool:
    return clusters.cluster_of[a] == clusters.cluster_of[b]


def test_clearly_different_dates_of_birth_are_not_linked_directly():
    # Sarah Wilkinson born 1975 and her daughter born 2001, same name, same house: the model
    # may be sure (0.999), but two real, clearly different dates are two people.
    pairs = _pairs([("mum", "daughter", 0.999, DOB_ELSE, 0)])
    clusters = cluster(
        ["mum", "daughter"], [None, None], pairs, dates_of_birth=["1975-04-02", "2001-09-17"]
    )
    assert not _together(clusters, "mum", "daughter")
    assert [(r.record_a, r.record_b) for r in clusters.review] == [("mum", "daughter")]


def test_a_record_without_a_date_of_birth_does_not_bridge_parent_and_child():
    # Council tax and housing records (no date of birth) match both strongly.
    ids = ["gp_mum", "gp_daughter", "council_tax", "housing"]
    dobs = ["1975-04-02", "2001-09-17", None, None]
    pairs = _pairs(
        [
            ("council_tax", "housing", 0.999, NULL, 0),
            ("gp_mum", "council_tax", 0.995, NULL, 0),
            ("gp_daughter", "housing", 0.995, NULL, 0),
            ("gp_daughter", "council_tax", 0.994, NULL, 0),
            ("gp_mum", "housing", 0.994, NULL, 0),
        ]
    )
    clusters = cluster(ids, [None] * 4, pairs, dates_of_birth=dobs)
    assert not _together(clusters, "gp_mum", "gp_daughter")


def test_typing_slips_in_a_date_of_birth_do_not_keep_one_person_apart():
    # Day and month swapped; year digits transposed; the day written as the 1st.
    slips = {"b": "1975-02-04", "c": "1957-04-02", "d": "1975-04-01"}
    for other, dob in slips.items():
        pairs = _pairs([("a", other, 0.999, 2, 0)])
        clusters = cluster(["a", other], [None] * 2, pairs, dates_of_birth=["1975-04-02", dob])
        assert _together(clusters, "a", other), dob


def test_two_accounts_of_one_name_in_one_feed_do_not_both_join_one_person():
    # Two council tax accounts of "Amelia Frost" at one house, no date of birth on either, and
    # one GP record of an Amelia Frost there: the accounts may be mother and daughter.
    ids = ["gp", "ct1", "ct2"]
    pairs = _pairs(
        [
            ("ct1", "ct2", 0.999, NULL, 1),
            ("gp", "ct1", 0.995, NULL, 0),
            ("gp", "ct2", 0.995, NULL, 0),
        ]
    )
    clusters = cluster(ids, [None] * 3, pairs, dates_of_birth=["1950-01-01", None, None])
    assert not _together(clusters, "ct1", "ct2")
    assert clusters.review


def test_shuffled_prediction_order_gives_identical_clusters_and_review_queue():
    # Many ties: the same probability for every pair, as DuckDB often returns.
    rng = random.Random(3)
    ids = [f"r{i:03d}" for i in range(60)]
    dobs = [None if i % 3 else f"19{40 + i % 50:02d}-0{1 + i % 9}-1{i % 10}" for i in range(60)]
    rows = []
    for _ in range(200):
        a, b = sorted(rng.sample(ids, 2))
        rows.append((a, b, rng.choice([0.7, 0.995, 0.999]), NULL, rng.choice([0, 1])))
    pairs = _pairs(rows).drop_duplicates(["unique_id_l", "unique_id_r"])

    def run(frame):
        c = cluster(ids, [None] * 60, frame, dates_of_birth=dobs)
        review = [(r.record_a, r.record_b, r.match_probability, r.reason) for r in c.review]
        return c.cluster_of, c.rule_of, c.probability_of, review

    first = run(pairs)
    for seed in range(5):
        # Splink always puts the lower record id on the left; only the row order changes.
        shuffled = pairs.sample(frac=1, random_state=seed).reset_index(drop=True)
        assert run(shuffled) == first


def _record(uid: str, **over) -> dict:
    base = {"unique_id": uid, "source": "gp", "nhs_number": None, "given_name": "Anne",
            "family_name": "Lee", "date_of_birth": "1950-03-04", "sex": "F",
            "postcode": "WV10 6QH", "address": "12 Heron Close, Wolverhampton"}  # fmt: skip
    base.update(over)
    return base


@pytest.mark.parametrize("sources", [["gp", "gp", "gp"], ["gp", "acute", "community"]])
def test_three_identical_records_become_one_person(sources):
    frame = pd.DataFrame([_record(f"r{i}", source=s) for i, s in enumerate(sources)])
    _scored, clusters = link_frame(frame)
    assert len(set(clusters.cluster_of.values())) == 1


def test_two_records_with_different_dates_of_birth_stay_two_people_without_an_error():
    frame = pd.DataFrame([_record("a"), _record("b", date_of_birth="1980-05-06")])
    _scored, clusters = link_frame(frame)
    assert clusters.cluster_of["a"] != clusters.cluster_of["b"]


def test_placeholders_count_as_missing():
    frame = pd.DataFrame(
        [
            _record("a", date_of_birth="1900-01-01", postcode="ZZ99 3VZ", given_name="UNKNOWN"),
            _record("b", address="No fixed abode", family_name="Not Known"),
            _record("c"),
        ]
    )
    prepared = features.prepare(frame).set_index("unique_id")
    assert prepared.loc["a", ["dob", "postcode", "given_name", "names_key"]].isna().all()
    assert prepared.loc["b", ["addr_key", "addr_tokens", "family_name"]].isna().all()
    assert prepared.loc["c", ["dob", "postcode", "given_name", "addr_key"]].notna().all()
    assert features.prepare_dobs(frame) == [None, "1950-03-04", "1950-03-04"]


def _crowd(n: int, seed: int, tag: str) -> list[dict]:
    """``n`` different people: distinct names and dates, one home each."""
    rng = random.Random(seed)
    given = (
        "ann bob cara dev eve fay gus hal ida jon kim lev mo ned ola pat rio sam tia una".split()
    )
    family = "lee ray kaur shah nowak okafor byrne kelly price scott hill ward cox rose".split()
    people = []
    for i in range(n):
        people.append(
            _record(
                f"p{i}",
                source=rng.choice(["gp", "acute"]),
                given_name=f"{rng.choice(given)}{'xyz'[i % 3]}",
                family_name=f"{rng.choice(family)}{tag}{i}",
                date_of_birth=f"19{rng.randint(30, 99)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                postcode=f"WV{rng.randint(1, 14)} {rng.randint(1, 9)}AB",
                address=f"{rng.randint(1, 200)} {rng.choice(['Mill', 'Oak', 'Elm'])} Road",
            )  # fmt: skip
        )
    return people


def test_over_frequent_date_of_birth_and_postcode_are_missing_evidence_and_no_big_block():
    # 600 different people whose feed wrote one stand-in date and postcode nobody listed,
    # beside 300 people with real ones: the stand-ins must neither link nor form one block.
    crowd = _crowd(300, seed=1, tag="a")
    stand_in = [
        {**r, "unique_id": f"s{i}", "date_of_birth": "1957-06-15", "postcode": "WV99 9ZZ"}
        for i, r in enumerate(_crowd(600, seed=2, tag="b"))
    ]
    frame = pd.DataFrame(crowd + stand_in)
    prepared = features.prepare(frame)
    assert prepared["dob"].iloc[300:].isna().all()
    assert prepared["postcode"].iloc[300:].isna().all()
    assert prepared["dob"].iloc[:300].notna().all()
    scored = score_pairs(frame, review_floor=0.0)
    # 600 records in one block would be 179,700 pairs; all blocks here are small.
    assert len(scored.pairs) < 2_000
    _scored, clusters = link_frame(frame)
    assert len(set(clusters.cluster_of.values())) == len(frame)


# --- Round two (issue 8, finding 1): rules that hold on feeds generated independently of ours.

RUN_DAY = dt.date(2026, 11, 30)


def test_a_council_tax_account_never_joins_a_child():
    # Council tax "Elizabeth Moore", no date of birth, and the only GP Elizabeth Moore in the
    # house is born 2021: only someone 18 or over can be liable, so this is somebody else.
    pairs = _pairs([("gp_child", "council_tax", 0.999, NULL, 0)])
    clusters = cluster(
        ["gp_child", "council_tax"], [None, None], pairs,
        dates_of_birth=["2021-05-25", None], adults_only=[False, True], as_of=RUN_DAY,
    )  # fmt: skip
    assert not _together(clusters, "gp_child", "council_tax")
    assert clusters.review == []  # impossible, so not a question for a steward either


def test_a_council_tax_account_joins_the_adult_not_the_child_of_the_same_name():
    # "Amanda Coates" on a council tax account; GP Amanda Coates born 1983 and her daughter
    # Amanda born 2016 at the same house. Without the age rule this is "two people equally".
    ids = ["gp_mum", "gp_daughter", "council_tax"]
    pairs = _pairs(
        [("gp_mum", "council_tax", 0.995, NULL, 0), ("gp_daughter", "council_tax", 0.995, NULL, 0)]
    )
    clusters = cluster(
        ids, ["9434765919", "9434765870", None], pairs,
        dates_of_birth=["1983-02-11", "2016-07-30", None], adults_only=[False, False, True],
        as_of=RUN_DAY,
    )  # fmt: skip
    assert _together(clusters, "gp_mum", "council_tax")
    assert not _together(clusters, "gp_daughter", "council_tax")


def test_an_eighteen_year_old_can_hold_a_council_tax_account():
    pairs = _pairs([("gp", "council_tax", 0.999, NULL, 0)])
    for born, adult in (("2008-11-30", True), ("2008-12-01", False)):
        clusters = cluster(
            ["gp", "council_tax"], [None, None], pairs,
            dates_of_birth=[born, None], adults_only=[False, True], as_of=RUN_DAY,
        )  # fmt: skip
        assert _together(clusters, "gp", "council_tax") is adult, born


def test_the_real_model_gives_a_council_tax_account_to_the_parent_not_the_child():
    # Through Splink (fixed parameters: a small feed), with the partner column as ingest has it.
    home = {"family_name": "Coates", "postcode": "WV10 6QH", "address": "12 Heron Close"}
    frame = pd.DataFrame(
        [
            _record("mum", given_name="Amanda", date_of_birth="1983-02-11", nhs_number="9434765919",
                    partner="gp", **home),
            _record("girl", given_name="Amanda", date_of_birth="2016-07-30",
                    nhs_number="9434765870", partner="gp", sex="F", **home),
            _record("ctax", given_name="Amanda", date_of_birth=None, sex=None,
                    source="council_tax", partner="council_tax", **home),
        ]
    )  # fmt: skip
    _scored, clusters = link_frame(frame, as_of=RUN_DAY)
    assert clusters.cluster_of["ctax"] == clusters.cluster_of["mum"]
    assert clusters.cluster_of["girl"] != clusters.cluster_of["mum"]


def test_name_only_records_of_two_partners_do_not_join_when_two_people_of_that_name_live_there():
    # Phillip Power senior (1952) and junior (1977) at one house, each with a GP record; a
    # tenancy and a council tax account say only "Phillip Power" and the address. They match
    # each other as well as they match either man: nothing says they are the same Phillip.
    ids = ["gp_senior", "gp_junior", "housing", "council_tax"]
    pairs = _pairs(
        [
            ("housing", "council_tax", 0.9999, NULL, 0),
            ("gp_senior", "housing", 0.995, NULL, 0),
            ("gp_junior", "housing", 0.995, NULL, 0),
            ("gp_senior", "council_tax", 0.995, NULL, 0),
            ("gp_junior", "council_tax", 0.995, NULL, 0),
        ]
    )
    clusters = cluster(
        ids, ["9434765919", "9434765870", None, None], pairs,
        dates_of_birth=["1952-10-29", "1977-03-21", None, None],
    )  # fmt: skip
    assert len(set(clusters.cluster_of.values())) == 4
    assert clusters.review


def test_name_only_records_of_two_partners_still_join_the_one_person_of_that_name():
    ids = ["gp", "housing", "council_tax"]
    pairs = _pairs(
        [
            ("housing", "council_tax", 0.9999, NULL, 0),
            ("gp", "housing", 0.995, NULL, 0),
            ("gp", "council_tax", 0.995, NULL, 0),
        ]
    )
    clusters = cluster(
        ids, ["9434765919", None, None], pairs, dates_of_birth=["1952-10-29", None, None]
    )
    assert len(set(clusters.cluster_of.values())) == 1


def test_of_two_name_only_records_of_one_feed_neither_joins_the_one_known_person():
    # Two council tax accounts of "Kate Wilson" at one house and one GP Kate Wilson: one
    # account may be hers, the other her daughter's; which is which would be a guess.
    ids = ["gp", "ct1", "ct2"]
    pairs = _pairs(
        [
            ("ct1", "ct2", 0.999, NULL, 1),
            ("gp", "ct1", 0.996, NULL, 0),
            ("gp", "ct2", 0.995, NULL, 0),
        ]
    )
    clusters = cluster(ids, [None] * 3, pairs, dates_of_birth=["1959-05-28", None, None])
    assert len(set(clusters.cluster_of.values())) == 3
    assert {(r.record_a, r.record_b) for r in clusters.review} >= {("gp", "ct1"), ("gp", "ct2")}


def test_telephone_numbers_are_read_in_one_form_and_stand_ins_are_missing():
    frame = pd.DataFrame(
        [
            _record("a", phone="+44 7700 900123"),
            _record("b", phone="07700 900123"),
            _record("c", phone="00000 000000"),
            _record("d", phone="ext 4021"),
            _record("e"),
        ]
    )
    assert features.prepare_phones(frame) == ["07700900123", "07700900123", None, None, None]


def _senior_junior(phones: list) -> object:
    """Phillip Power senior and junior (GP records) and a council tax "Phillip Power"."""
    ids = ["gp_senior", "gp_junior", "council_tax"]
    pairs = _pairs(
        [("gp_senior", "council_tax", 0.995, NULL, 0), ("gp_junior", "council_tax", 0.995, NULL, 0)]
    )
    return cluster(
        ids, ["9434765919", "9434765870", None], pairs,
        dates_of_birth=["1952-10-29", "1977-03-21", None], phones=phones,
    )  # fmt: skip


def test_a_telephone_number_shared_with_one_of_two_people_of_one_name_tells_them_apart():
    # Numbers as ``features.prepare_phones`` gives them (digits only).
    clusters = _senior_junior(["01902555010", "07700900555", "07700900555"])
    assert _together(clusters, "gp_junior", "council_tax")
    assert not _together(clusters, "gp_senior", "council_tax")


def test_a_landline_both_share_does_not_tell_them_apart():
    clusters = _senior_junior(["01902555010", "01902555010", "01902555010"])
    assert len(set(clusters.cluster_of.values())) == 3


def test_two_name_only_records_of_one_feed_with_different_numbers_are_two_people():
    # Two council tax accounts of "Kate Wilson" whose numbers differ: two people, not "one
    # person twice or two, who knows", so one of them may be the GP's Kate Wilson.
    ids = ["gp", "ct1", "ct2"]
    pairs = _pairs(
        [
            ("ct1", "ct2", 0.999, NULL, 1),
            ("gp", "ct1", 0.995, NULL, 0),
            ("gp", "ct2", 0.996, NULL, 0),
        ]
    )
    clusters = cluster(
        ids, [None] * 3, pairs, dates_of_birth=["1959-05-28", None, None],
        phones=["07700900111", "07700900111", "07700900222"],
    )  # fmt: skip
    assert not _together(clusters, "ct1", "ct2")
    assert _together(clusters, "gp", "ct1") or _together(clusters, "gp", "ct2")
