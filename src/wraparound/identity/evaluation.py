"""How good is the linkage? Pairwise precision, recall and F1 against a truth labelling.

Counting *pairs of records* (not clusters) is the usual measure for deduplication: a wrong
merge of two big clusters costs many pairs, which is what we want, because each such pair is a
person shown someone else's record. Pure pandas, no Django: the benchmark and the FEBRL4 check
call it on frames, ``evaluate-linkage`` on the current links.
"""

from dataclasses import asdict, dataclass

import pandas as pd


@dataclass(frozen=True)
class PairwiseQuality:
    records: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "precision": round(self.precision, 5),
            "recall": round(self.recall, 5),
            "f1": round(self.f1, 5),
        }


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_quality(predicted: pd.Series, truth: pd.Series) -> PairwiseQuality:
    """Compare two labellings of the same records (both indexed by record key).

    Records missing from ``predicted`` count as unlinked singletons; records missing from
    ``truth`` are ignored (we cannot say whether linking them was right).
    """
    truth = truth.dropna()
    predicted = predicted.reindex(truth.index)
    missing = predicted.isna()
    if missing.any():
        predicted = predicted.astype(object)
        predicted[missing] = [("__unlinked__", k) for k in predicted.index[missing]]
    frame = pd.DataFrame({"p": predicted.astype(str), "t": truth.astype(str)})
    return PairwiseQuality(
        records=len(frame),
        true_pairs=_pairs(frame.groupby("t").size()),
        predicted_pairs=_pairs(frame.groupby("p").size()),
        correct_pairs=_pairs(frame.groupby(["p", "t"]).size()),
    )


def nhs_number_baseline(nhs_numbers: pd.Series) -> pd.Series:
    """The "link by NHS Number alone" labelling: same valid number = same person, else alone."""
    labels = nhs_numbers.astype(object).copy()
    alone = labels.isna() | (labels.astype(str) == "")
    labels[alone] = [f"__alone__{k}" for k in labels.index[alone]]
    return labels.astype(str)


def load_generated_feeds(directory) -> tuple[pd.DataFrame, pd.Series]:
    """Demographic feeds and truth of a ``wraparound generate`` directory, without a database.

    Returns the records in the shape ``run.score_pairs`` takes (NHS Numbers failing the
    Modulus 11 check already blanked, as ingest would flag them) and the truth labels, both
    indexed by ``unique_id`` = ``"source:source_record_id"``.
    """
    import json
    from pathlib import Path

    from wraparound.core import nhs_number

    root = Path(directory)
    manifest = json.loads((root / "manifest.json").read_text())
    frames = []
    for feed in manifest["feeds"]:
        path = root / feed["file"]
        if feed.get("format", "csv") != "csv" or path.suffix != ".csv":
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if {"event_id", "kind", "date"} <= set(frame.columns):
            continue  # an activity feed
        frame["source"] = feed["source"]
        frame["partner"] = feed.get("partner", "other")
        frames.append(frame)
    records = pd.concat(frames, ignore_index=True)
    for name in ("nhs_number", "given_name", "family_name", "date_of_birth", "sex", "postcode",
                 "address"):  # fmt: skip
        if name not in records:
            records[name] = ""
    numbers = records["nhs_number"].map(nhs_number.normalise)
    records["nhs_number"] = numbers.where(numbers.map(nhs_number.is_valid), None)
    for name in ("given_name", "family_name", "date_of_birth", "sex", "postcode", "address"):
        records[name] = records[name].where(records[name].astype(bool), None)
    records["unique_id"] = records["source"] + ":" + records["source_record_id"]
    truth = pd.read_csv(root / "truth.csv", dtype=str, keep_default_na=False)
    truth_labels = pd.Series(
        truth["person_id"].values, index=truth["source"] + ":" + truth["source_record_id"]
    )
    return records, truth_labels


def unsafe_merges(records: pd.DataFrame, cluster_of: dict, as_of=None) -> dict[str, int]:
    """People made automatically that hold what one person cannot: a count of each kind.

    ``two_nhs_numbers``: two different valid NHS Numbers; ``conflicting_dates``: two dates of
    birth that clearly differ (both real dates, not a swap or a typing slip);
    ``child_council_tax``: a council tax account and a date of birth under 18 on ``as_of``
    (today unless given). Measured on the records themselves, independently of how the
    clustering decided.
    """
    import datetime as dt

    from wraparound.identity import features
    from wraparound.identity.clustering import dates_compatible

    frame = pd.DataFrame(
        {
            "person": records["unique_id"].map(cluster_of),
            "nhs": features.prepare_nhs(records),
            "dob": features.prepare_dobs(records),
        }
    )
    two_numbers = int((frame.dropna(subset=["nhs"]).groupby("person")["nhs"].nunique() > 1).sum())
    conflicting = 0
    for dates in frame.dropna(subset=["dob"]).groupby("person")["dob"].unique():
        if len(dates) > 1 and any(
            not dates_compatible(a, b) for i, a in enumerate(dates) for b in dates[i + 1 :]
        ):
            conflicting += 1
    day = as_of or dt.date.today()
    frame["council_tax"] = (
        records["partner"].eq("council_tax").to_numpy() if "partner" in records else False
    )
    frame["child"] = [
        d is not None and dt.date.fromisoformat(d) > _years_before(day, 18) for d in frame["dob"]
    ]
    per_person = frame.groupby("person")[["council_tax", "child"]].any()
    children = int((per_person["council_tax"] & per_person["child"]).sum())
    return {
        "two_nhs_numbers": two_numbers,
        "conflicting_dates": conflicting,
        "child_council_tax": children,
    }


def _years_before(day, years: int):
    """The same day ``years`` earlier (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
