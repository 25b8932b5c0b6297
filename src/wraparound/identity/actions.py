"""Every write the identity app makes: link everyone, and a data steward's decisions.

``link_everyone`` reads all source records, runs the Splink model (``run.py``) and the
constrained clustering (``clustering.py``), then writes people and links so that:
- a steward's decisions outrank the model in every re-link (must-link / cannot-link);
- person ids stay stable: a cluster keeps the person id most of its records already had
  (ties: the lowest id), new clusters get new ``Person`` rows, people left with no links are
  retired, and no id is ever reused;
- uncertain pairs wait in the review queue with their evidence.
"""

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from django.db import transaction
from django.db.models import Exists, OuterRef

from wraparound.identity.clustering import Clusters, Thresholds

# The steward's decisions live in ``decisions`` (no Splink import); re-exported for callers here.
from wraparound.identity.decisions import decide_pair, merge_records, split_record
from wraparound.identity.models import Link, Person, ReviewPair, StewardDecision
from wraparound.identity.run import ScoredPairs, link_frame
from wraparound.sources.models import SourceRecord

READ_CHUNK = 20_000
WRITE_BATCH = 5_000
RECORD_FIELDS = [
    "id",
    "source__name",
    "source__partner",
    "source_record_id",
    "nhs_number",
    "nhs_number_valid",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "address",
]
SUMMARY_FIELDS = ["nhs_number", "given_name", "family_name", "date_of_birth", "postcode", "address"]


@dataclass
class LinkSummary:
    records: int = 0
    people: int = 0
    new_people: int = 0
    retired_people: int = 0
    changed_links: int = 0
    auto_links: int = 0
    steward_links: int = 0
    review_pairs: int = 0
    refused_unions: int = 0
    ambiguous_records: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def read_records() -> pd.DataFrame:
    """All source records as a contract-shaped frame; invalid NHS Numbers become null."""
    rows: list[tuple] = []
    query = SourceRecord.objects.order_by("id").values_list(*RECORD_FIELDS)
    rows.extend(query.iterator(chunk_size=READ_CHUNK))
    frame = pd.DataFrame(rows, columns=RECORD_FIELDS).rename(
        columns={"id": "unique_id", "source__name": "source", "source__partner": "partner"}
    )
    frame["nhs_number"] = frame["nhs_number"].where(frame["nhs_number_valid"], None)
    frame["nhs_number"] = frame["nhs_number"].where(frame["nhs_number"].astype(bool), None)
    for name in ("given_name", "family_name", "sex", "postcode", "address"):
        frame[name] = frame[name].where(frame[name].astype(bool), None)
    return frame


def _decisions() -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    same, different = [], []
    for a, b, decision in StewardDecision.objects.order_by("id").values_list(
        "record_a_id", "record_b_id", "decision"
    ):
        (same if decision == StewardDecision.Decision.SAME else different).append((a, b))
    return same, different


def link_everyone(
    *,
    by: str = "wraparound link",
    progress: Callable[[str], None] | None = None,
    thresholds: Thresholds | None = None,
) -> LinkSummary:
    """Re-link every source record into people; see the module docstring for the guarantees.

    ``by`` names who started the run (kept for symmetry with other actions; links themselves
    record only the rule that made them).
    """
    started = time.perf_counter()
    step = progress or (lambda _stage: None)
    summary = LinkSummary()

    step("read records")
    t0 = time.perf_counter()
    records = read_records()
    summary.records = len(records)
    summary.timings["read"] = time.perf_counter() - t0
    same, different = _decisions()

    scored, clusters = link_frame(
        records, same=same, different=different, thresholds=thresholds, progress=step
    )
    summary.timings.update({f"model_{k}": v for k, v in scored.timings.items()})

    step("write links")
    t0 = time.perf_counter()
    _write(records, scored, clusters, summary)
    summary.timings["write"] = time.perf_counter() - t0
    summary.seconds = time.perf_counter() - started
    return summary


@transaction.atomic
def _write(
    records: pd.DataFrame, scored: ScoredPairs, clusters: Clusters, summary: LinkSummary
) -> None:
    old_person = dict(Link.objects.values_list("source_record_id", "person_id"))
    old_rule = {
        rid: (rule, p)
        for rid, rule, p in Link.objects.values_list(
            "source_record_id", "rule", "match_probability"
        )
    }
    groups = clusters.groups()

    # Stable ids: each cluster claims the existing person most of its records had.
    claims: list[tuple[int, int, object]] = []
    for key, members in groups.items():
        counts = Counter(old_person[m] for m in members if m in old_person)
        for person_id, count in counts.items():
            claims.append((-count, person_id, key))
    claims.sort(key=lambda c: (c[0], c[1], str(c[2])))
    person_of_cluster: dict[object, int] = {}
    taken: set[int] = set()
    for _neg, person_id, key in claims:
        if key in person_of_cluster or person_id in taken:
            continue
        person_of_cluster[key] = person_id
        taken.add(person_id)

    summaries = _person_summaries(records, clusters)
    new_keys = sorted((k for k in groups if k not in person_of_cluster), key=str)
    for start in range(0, len(new_keys), WRITE_BATCH):
        batch = new_keys[start : start + WRITE_BATCH]
        created = Person.objects.bulk_create([Person(**summaries[k]) for k in batch])
        for key, person in zip(batch, created, strict=True):
            person_of_cluster[key] = person.pk
    summary.new_people = len(new_keys)

    # Links: rewrite only those whose person, rule or probability changed.
    to_write: list[Link] = []
    changed_people: set[int] = set()
    for record_id, key in clusters.cluster_of.items():
        person_id = person_of_cluster[key]
        rule = clusters.rule_of[record_id]
        p = clusters.probability_of[record_id]
        p = None if p is None else round(float(p), 6)
        if rule == "model":
            summary.auto_links += 1
        elif rule == "nhs_number":
            summary.auto_links += 1
        elif rule == "steward":
            summary.steward_links += 1
        if old_person.get(record_id) == person_id and old_rule.get(record_id) == (rule, p):
            continue
        if old_person.get(record_id) != person_id:
            changed_people.add(person_id)
            if record_id in old_person:
                changed_people.add(old_person[record_id])
        to_write.append(
            Link(source_record_id=record_id, person_id=person_id, rule=rule, match_probability=p)
        )
    stale = [link.source_record_id for link in to_write if link.source_record_id in old_person]
    for start in range(0, len(stale), WRITE_BATCH):
        Link.objects.filter(source_record_id__in=stale[start : start + WRITE_BATCH]).delete()
    Link.objects.bulk_create(to_write, batch_size=WRITE_BATCH)
    summary.changed_links = len(to_write)

    # Cached summaries for people whose membership changed (new people were created with it).
    key_of_person = {pid: key for key, pid in person_of_cluster.items()}
    kept_changed = [pid for pid in changed_people if pid in key_of_person and pid in taken]
    updates = []
    for pid in kept_changed:
        person = Person(pk=pid, retired=False, **summaries[key_of_person[pid]])
        updates.append(person)
    if updates:
        Person.objects.bulk_update(updates, [*SUMMARY_FIELDS, "retired"], batch_size=WRITE_BATCH)

    retired = Person.objects.filter(retired=False).exclude(
        Exists(Link.objects.filter(person=OuterRef("pk")))
    )
    summary.retired_people = retired.update(retired=True)
    summary.people = len(groups)
    summary.refused_unions = clusters.refused_unions
    summary.ambiguous_records = clusters.ambiguous_records
    summary.review_pairs = _write_review_queue(records, scored, clusters)


def _person_summaries(records: pd.DataFrame, clusters: Clusters) -> dict[object, dict]:
    """Display fields per cluster: most common value, ties to the GP record, then the newest."""
    frame = records.set_index("unique_id")
    frame = frame.assign(
        cluster=pd.Series(clusters.cluster_of),
        gp=(frame["partner"] == "gp").astype(int),
        newest=frame.index.to_series().rank(method="first"),
    )
    out: dict[object, dict] = {key: {} for key in set(clusters.cluster_of.values())}
    for name in SUMMARY_FIELDS:
        values = frame[["cluster", name, "gp", "newest"]].dropna(subset=[name])
        values = values[values[name].astype(str) != ""]
        if values.empty:
            continue
        scores = values.groupby(["cluster", name], sort=False).agg(
            n=("gp", "size"), gp=("gp", "max"), newest=("newest", "max")
        )
        scores = scores.reset_index().sort_values(
            ["cluster", "n", "gp", "newest"], ascending=[True, False, False, False]
        )
        best = scores.drop_duplicates("cluster")
        for key, value in zip(best["cluster"], best[name], strict=True):
            out[key][name] = value
    for fields in out.values():
        for name in SUMMARY_FIELDS:
            fields.setdefault(name, None if name == "date_of_birth" else "")
    return out


def _evidence(row: dict, levels: dict, a: dict, b: dict) -> dict:
    comparisons = []
    for name, table in levels.items():
        gamma = row.get(f"gamma_{name}")
        if gamma is None or pd.isna(gamma):
            continue
        label, weight = table.get(int(gamma), ("?", 0.0))
        comparisons.append({"comparison": name, "level": label, "weight": weight})
    return {
        "match_weight": round(float(row.get("match_weight", 0.0)), 2),
        "comparisons": comparisons,
        "records": {"a": a, "b": b},
    }


def _record_view(records: pd.DataFrame, record_id: int) -> dict:
    row = records.loc[record_id]
    dob = row["date_of_birth"]
    return {
        "source": row["source"],
        "source_record_id": row["source_record_id"],
        "nhs_number": row["nhs_number"] or "",
        "given_name": row["given_name"] or "",
        "family_name": row["family_name"] or "",
        "date_of_birth": dob.isoformat() if dob is not None and not pd.isna(dob) else "",
        "sex": row["sex"] or "",
        "postcode": row["postcode"] or "",
        "address": row["address"] or "",
    }


def _write_review_queue(records: pd.DataFrame, scored: ScoredPairs, clusters: Clusters) -> int:
    """Replace the open queue with this run's candidates; decided pairs are kept as they are."""
    decided = {
        (a, b)
        for a, b in ReviewPair.objects.exclude(status=ReviewPair.Status.OPEN).values_list(
            "record_a_id", "record_b_id"
        )
    }
    decided |= set(StewardDecision.objects.values_list("record_a_id", "record_b_id"))
    ReviewPair.objects.filter(status=ReviewPair.Status.OPEN).delete()
    by_id = records.set_index("unique_id", drop=False)
    pairs = scored.pairs
    pair_rows: dict[tuple[int, int], dict] = {}
    wanted = {tuple(sorted((c.record_a, c.record_b))) for c in clusters.review}
    if len(pairs) and wanted:
        lo = pairs[["unique_id_l", "unique_id_r"]].min(axis=1)
        hi = pairs[["unique_id_l", "unique_id_r"]].max(axis=1)
        keys = list(zip(lo, hi, strict=True))
        mask = [k in wanted for k in keys]
        for k, row in zip(
            [k for k, m in zip(keys, mask, strict=True) if m],
            pairs[mask].to_dict("records"),
            strict=True,
        ):
            pair_rows[k] = row
    new_pairs = []
    for cand in clusters.review:
        a, b = sorted((cand.record_a, cand.record_b))
        if (a, b) in decided:
            continue
        row = pair_rows.get((a, b), {"match_weight": 0.0})
        new_pairs.append(
            ReviewPair(
                record_a_id=a,
                record_b_id=b,
                match_probability=round(cand.match_probability, 6),
                reason=cand.reason,
                evidence=_evidence(
                    row, scored.levels, _record_view(by_id, a), _record_view(by_id, b)
                ),
            )
        )
    ReviewPair.objects.bulk_create(new_pairs, batch_size=WRITE_BATCH)
    return len(new_pairs)


__all__ = ["decide_pair", "link_everyone", "merge_records", "read_records", "split_record"]
