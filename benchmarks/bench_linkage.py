"""Linkage quality and speed: ``.venv/bin/python benchmarks/run.py bench_linkage``.

Quality: pairwise precision/recall against the generator's truth at 20k and 100k people (ours
vs "link by NHS Number alone"), and FEBRL4. Speed: ~1,000,000 source records through the model
and the constrained clustering, timed with peak memory, in a child process.
Each case runs in its own process so peak memory (ru_maxrss) is per case.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
WRAPAROUND = str(ROOT / ".venv" / "bin" / "wraparound")
CASES = [
    ("20k people", 20_000, 7),
    ("20k people, other seed", 20_000, 8),
    ("100k people", 100_000, 8),
]
SPEED_PEOPLE = 420_000  # ~1M demographic records at ~2.47 records per person
SPEED_SEED = 12
DEGENERATE_ROWS = (3_000, 13_790)
GENERATOR = "g2"  # bump when the generator's output changes


def _generate(people: int, seed: int) -> Path:
    # The generator's version is in the name: feeds cached by an older generator are not reused.
    out = Path(tempfile.gettempdir()) / f"wraparound-bench-linkage-{GENERATOR}-{people}-{seed}"
    if not (out / "truth.csv").exists():
        subprocess.run(
            [
                WRAPAROUND,
                "generate",
                "--people",
                str(people),
                "--seed",
                str(seed),
                "--out",
                str(out),
            ],
            check=True,
            capture_output=True,
        )
    return out


def _child(args: list[str]) -> dict:
    """Run one case in a child process; return its JSON plus wall time and peak memory."""
    started = time.perf_counter()
    out = subprocess.run(
        [PY, __file__, *args], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    # The child's own peak: RUSAGE_CHILDREN here would be the largest of all earlier cases.
    result["peak_gib"] = round(result.pop("peak_self_kb") / 2**20, 2)
    return result


def case_generated(directory: str) -> dict:
    import pandas as pd

    from wraparound.identity.evaluation import (
        load_generated_feeds,
        nhs_number_baseline,
        pairwise_quality,
        unsafe_merges,
    )
    from wraparound.identity.run import link_frame

    records, truth = load_generated_feeds(directory)
    t0 = time.perf_counter()
    scored, clusters = link_frame(records)
    seconds = time.perf_counter() - t0
    nhs = records.set_index("unique_id")["nhs_number"]
    return {
        "records": len(records),
        "ours": pairwise_quality(pd.Series(clusters.cluster_of), truth).as_dict(),
        "nhs": pairwise_quality(nhs_number_baseline(nhs), truth).as_dict(),
        "review_pairs": len(clusters.review),
        "unsafe": unsafe_merges(records, clusters.cluster_of),
        "link_seconds": round(seconds, 1),
        "timings": {k: round(v, 1) for k, v in scored.timings.items()},
        "scored_pairs": len(scored.pairs),
    }


def case_degenerate(directory: str, rows: int) -> dict:
    """Finding 4: one feed of ``rows`` different people who all carry one stand-in date of
    birth and postcode that no list names (so only frequency can catch them), added to the
    generated feeds. Reports quality on the genuine records and wrong merges of the others."""
    import random

    import pandas as pd

    from wraparound.identity.evaluation import load_generated_feeds, pairwise_quality
    from wraparound.identity.run import link_frame

    records, truth = load_generated_feeds(directory)
    rng = random.Random(4)
    given, family = (
        records["given_name"].dropna().tolist(),
        records["family_name"].dropna().tolist(),
    )
    stand_in = pd.DataFrame(
        {
            "unique_id": [f"degenerate:{i}" for i in range(rows)],
            "source": "degenerate",
            "source_record_id": [str(i) for i in range(rows)],
            "nhs_number": None,
            "given_name": [rng.choice(given) for _ in range(rows)],
            "family_name": [rng.choice(family) for _ in range(rows)],
            "date_of_birth": "1961-02-03",
            "sex": None,
            "postcode": "WV1 1AA",
            "address": "Civic Centre, St Peter's Square",
        }
    )
    t0 = time.perf_counter()
    scored, clusters = link_frame(pd.concat([records, stand_in], ignore_index=True))
    seconds = time.perf_counter() - t0
    cluster_of = pd.Series(clusters.cluster_of)
    degenerate = cluster_of[stand_in["unique_id"]]
    genuine_clusters = set(cluster_of[records["unique_id"]])
    return {
        "records": len(records) + rows,
        "stand_in_rows": rows,
        "genuine": pairwise_quality(cluster_of[records["unique_id"]], truth).as_dict(),
        "stand_ins_merged": int(degenerate.duplicated(keep=False).sum())
        + int(degenerate.isin(genuine_clusters).sum()),
        "scored_pairs": len(scored.pairs),
        "link_seconds": round(seconds, 1),
    }


def case_febrl() -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings")
    django.setup()
    from wraparound.identity.management.commands.evaluate_linkage import febrl4_quality

    return febrl4_quality()


def _row(name: str, r: dict) -> str:
    o, n = r["ours"], r["nhs"]
    return (
        f"| {name} | {r['records']:,} | {o['precision']:.4f} | {o['recall']:.4f} | {o['f1']:.4f} "
        f"| {n['precision']:.4f} | {n['recall']:.4f} | {r['review_pairs']:,} "
        f"| {r['unsafe']['conflicting_dates']} / {r['unsafe']['two_nhs_numbers']} "
        f"/ {r['unsafe'].get('child_council_tax', '-')} "
        f"| {r['link_seconds']} s |"
    )


def run() -> str:
    lines = [
        "## Linkage (identity)",
        "",
        "Pairwise precision/recall over records against the generator's `truth.csv`; review-queue"
        " pairs count as **not linked**. Baseline: link by valid NHS Number alone.",
        "",
        "| data | records | precision | recall | F1 | NHS-only precision | NHS-only recall "
        "| review pairs | people with clearly different dates of birth / two NHS Numbers "
        "/ a council tax account and a child's date of birth "
        "| link time |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, people, seed in CASES:
        directory = _generate(people, seed)
        lines.append(_row(f"{name} (seed {seed})", _child(["generated", str(directory)])))
    febrl = _child(["febrl"])
    o = febrl["ours"]
    lines += [
        f"| FEBRL4 (no NHS Numbers) | {o['records']:,} | {o['precision']:.4f} | {o['recall']:.4f} "
        f"| {o['f1']:.4f} | - | - | {febrl['review_pairs']:,} | - | {febrl['seconds']} s |",
        "",
    ]
    lines += [
        "**One degenerate feed** (finding 4): different people who all carry one date of birth"
        " and postcode no list names, added to the 20k feeds (seed 7).",
        "",
        "| stand-in rows | precision / recall of the genuine records | stand-in records merged"
        " | scored pairs | link time | peak memory |",
        "|---|---|---|---|---|---|",
    ]
    for rows in DEGENERATE_ROWS:
        d = _child(["degenerate", str(_generate(20_000, 7)), str(rows)])
        g = d["genuine"]
        lines.append(
            f"| {rows:,} | {g['precision']:.4f} / {g['recall']:.4f} | {d['stand_ins_merged']} "
            f"| {d['scored_pairs']:,} | {d['link_seconds']} s | {d['peak_gib']} GiB |"
        )
    lines.append("")
    speed_dir = _generate(SPEED_PEOPLE, SPEED_SEED)
    speed = _child(["generated", str(speed_dir)])
    lines += [
        f"**Speed**: {speed['records']:,} demographic records ({SPEED_PEOPLE:,} people, seed "
        f"{SPEED_SEED}) through training, prediction and constrained clustering in "
        f"**{speed['link_seconds']} s** (child wall time {speed['wall_seconds']} s incl. reading "
        f"the CSVs), peak memory **{speed['peak_gib']} GiB** (ru_maxrss). Stages: "
        f"{speed['timings']}; scored pairs kept: {speed['scored_pairs']:,}. Quality at this size:"
        f" precision {speed['ours']['precision']:.4f}, recall {speed['ours']['recall']:.4f}, "
        f"review pairs {speed['review_pairs']:,}.",
        "",
        "Command: `.venv/bin/python benchmarks/run.py bench_linkage` (generates the feeds into the"
        " temp directory on first run). The model trains without the truth file; thresholds are"
        " fixed (auto-link at match probability 0.99, review from 0.5).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    if sys.argv[1] == "generated":
        result = case_generated(sys.argv[2])
    elif sys.argv[1] == "degenerate":
        result = case_degenerate(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "febrl":
        result = case_febrl()
    result["peak_self_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))
