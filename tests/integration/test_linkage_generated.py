"""Issue 8, findings 1 and 4 on a small generated neighbourhood (no database: ``link_frame``).

The generator writes what real feeds carry: parents and children of one name, placeholder
dates of birth and postcodes, care homes. Linkage must put nobody's records with somebody
else's where the records themselves show two people: two valid NHS Numbers, or dates of birth
that clearly differ.
"""

from io import StringIO

import pandas as pd
import pytest
from django.core.management import call_command

from wraparound.identity.evaluation import load_generated_feeds, pairwise_quality, unsafe_merges
from wraparound.identity.run import link_frame


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    out = tmp_path_factory.mktemp("feeds")
    call_command(
        "generate", "--people", "3000", "--seed", "5", "--out", str(out), "--force",
        stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    records, truth = load_generated_feeds(out)
    _scored, clusters = link_frame(records)
    return records, truth, clusters


def test_the_generated_feeds_carry_placeholders(linked):
    records, _truth, _clusters = linked
    assert (records["date_of_birth"] == "1900-01-01").sum() > 0
    assert (records["postcode"] == "ZZ99 3VZ").sum() > 0


def test_no_person_holds_two_nhs_numbers_or_clearly_different_dates_of_birth(linked):
    records, _truth, clusters = linked
    assert unsafe_merges(records, clusters.cluster_of) == {
        "two_nhs_numbers": 0,
        "conflicting_dates": 0,
        "child_council_tax": 0,
    }


def test_quality_on_a_small_generated_neighbourhood(linked):
    _records, truth, clusters = linked
    quality = pairwise_quality(pd.Series(clusters.cluster_of), truth)
    assert quality.precision >= 0.997
    assert quality.recall >= 0.94


def test_records_with_a_placeholder_date_still_link_by_their_other_evidence(linked):
    records, truth, clusters = linked
    stand_ins = records.loc[records["date_of_birth"] == "1900-01-01", "unique_id"]
    linked_right = [
        uid for uid in stand_ins
        if (truth[truth == truth[uid]].index.map(clusters.cluster_of) == clusters.cluster_of[uid]).sum() > 1
    ]  # fmt: skip
    assert len(linked_right) >= 0.5 * len(stand_ins)
