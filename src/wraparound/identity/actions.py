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
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from wraparound.core.bulk import insert_rows
from wraparound.identity.clustering import Clusters, Thresholds

# The steward's decisions live in ``decisions`` (no Splink import); re-exported for callers here.
from wraparound.identity.decisions import decide_pair, merge_records, record_change, split_record
from wraparound.identity.models import Link, Person, PersonChange, ReviewPair, StewardDecision
from wraparound.identity.run import ScoredPairs, link_frame
from wraparound.sources.models import SourceRecord

READ_CHUNK = 20_000
WRITE_BATCH = 20_000
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
    "phone",
    "other_identifier",
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
    changed_people: list[int] = field(default_factory=list)
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
    _write(records, scored, clusters, summary, by=by)
    summary.timings["write"] = time.perf_counter() - t0
    summary.seconds = time.perf_counter() - started
    return summary


def _write(
    records: pd.DataFrame,
    scored: ScoredPairs,
    clusters: Clusters,
    summary: LinkSummary,
    *,
    by: str = "wraparound link",
) -> None:
    """Write people and links in short committed batches; consistent after every batch.

    Everything is worked out in memory first. Then, each step its own short transaction (so on
    SQLite audited pages keep answering while a million links are written): reserve ids for
    new people; note what happened to existing people (``PersonChange``, for governance);
    rewrite the changed links a batch of records at a time, with the new people they name and
    retiring the people they leave empty (so a record never has two links, a link never names
    a missing person, and every live person has a link); refresh changed summaries; replace
    the review queue.
    Killed at any point, the database is consistent and the next run completes the work.
    """
    plan = _plan(records, clusters, summary)
    new_ids = _reserve_person_ids(len(plan.new_people))
    for row, pid in zip(plan.new_people, new_ids, strict=True):
        plan.person_of_cluster[row[0]] = pid
    with transaction.atomic():
        for kind, from_id, to_key in plan.changes:
            record_change(
                kind=kind,
                from_person_id=from_id,
                to_person_id=plan.person_of_cluster[to_key],
                by=by,
            )
    now = timezone.now()
    new_rows = {
        pid: (pid, now, *row[1:]) for row, pid in zip(plan.new_people, new_ids, strict=True)
    }
    summary.new_people = len(new_rows)
    links = [
        (record_id, plan.person_of_cluster[key], rule, p, now)
        for record_id, key, rule, p in plan.links
    ]
    retired = 0
    for start in range(0, len(links), WRITE_BATCH):
        batch = links[start : start + WRITE_BATCH]
        # A new person is written with their first links, and a person whose last link moves
        # away is retired with it: after every commit each live person has a link.
        people = [new_rows.pop(row[1]) for row in batch if row[1] in new_rows]
        stale = [row[0] for row in batch if row[0] in plan.old_person]
        emptied = sorted({plan.old_person[r] for r in stale} - plan.kept)
        with transaction.atomic():
            insert_rows(Person, PERSON_COLUMNS, people)
            if stale:
                Link.objects.filter(source_record_id__in=stale).delete()
            insert_rows(Link, LINK_COLUMNS, batch)
            retired += _retire_if_unlinked(emptied)
    summary.changed_links = len(links)
    summary.changed_people = sorted(
        {plan.person_of_cluster[key] for _r, key, _rule, _p in plan.links}
        | {plan.old_person[r] for r, *_ in plan.links if r in plan.old_person}
    )

    # Cached summaries for kept people whose membership changed (new people have theirs).
    changed = set(summary.changed_people)
    updates = [
        Person(pk=pid, retired=False, **plan.summaries[key])
        for key, pid in plan.person_of_cluster.items()
        if pid in plan.kept and pid in changed
    ]
    for start in range(0, len(updates), WRITE_BATCH):
        with transaction.atomic():
            Person.objects.bulk_update(
                updates[start : start + WRITE_BATCH], [*SUMMARY_FIELDS, "retired"]
            )

    # Retire anyone else left without links (a person a killed run had emptied, say).
    live = set(Person.objects.filter(retired=False).values_list("id", flat=True).iterator())
    left = sorted(live - set(plan.person_of_cluster.values()))
    for start in range(0, len(left), WRITE_BATCH):
        with transaction.atomic():
            retired += _retire_if_unlinked(left[start : start + WRITE_BATCH])
    summary.retired_people = retired
    summary.people = len(plan.summaries)
    summary.refused_unions = clusters.refused_unions
    summary.ambiguous_records = clusters.ambiguous_records
    with transaction.atomic():
        summary.review_pairs = _write_review_queue(records, scored, clusters)


def _retire_if_unlinked(person_ids: list[int]) -> int:
    if not person_ids:
        return 0
    return (
        Person.objects.filter(id__in=person_ids, retired=False)
        .exclude(Exists(Link.objects.filter(person=OuterRef("pk"))))
        .update(retired=True)
    )


PERSON_COLUMNS = ["id", "created_at", *SUMMARY_FIELDS, "retired"]
LINK_COLUMNS = ["source_record_id", "person_id", "rule", "match_probability", "linked_at"]


@dataclass
class _Plan:
    old_person: dict[int, int]
    summaries: dict[object, dict]
    person_of_cluster: dict[object, int]
    kept: set[int]
    new_people: list[tuple]  # (cluster key, *summary fields, retired), new ids in this order
    links: list[tuple]  # (record id, cluster key, rule, probability) for changed links only
    changes: list[tuple[str, int, object]]  # (kind, old person id, cluster key)


def _plan(records: pd.DataFrame, clusters: Clusters, summary: LinkSummary) -> _Plan:
    """Which person each cluster is, which links change, and what happens to existing people.

    Stable ids: each cluster claims the existing person most of its records had (ties: the
    lower person id, then the cluster's lowest record id), so identical data keeps its ids.
    New clusters get new ids in the order of their lowest record id, so identical data gives
    identical ids.
    """
    old_person: dict[int, int] = {}
    old_rule: dict[int, tuple] = {}
    for rid, pid, rule, p in Link.objects.values_list(
        "source_record_id", "person_id", "rule", "match_probability"
    ).iterator(chunk_size=READ_CHUNK):
        old_person[rid] = pid
        old_rule[rid] = (rule, p)
    groups = clusters.groups()
    first_record = {key: min(members) for key, members in groups.items()}
    claims: list[tuple[int, int, object, object]] = []
    for key, members in groups.items():
        counts = Counter(old_person[m] for m in members if m in old_person)
        for person_id, count in counts.items():
            claims.append((-count, person_id, first_record[key], key))
    claims.sort(key=lambda c: c[:3])
    person_of_cluster: dict[object, int] = {}
    kept: set[int] = set()
    for _neg, person_id, _first, key in claims:
        if key in person_of_cluster or person_id in kept:
            continue
        person_of_cluster[key] = person_id
        kept.add(person_id)

    summaries = _person_summaries(records, clusters)
    new_keys = sorted((k for k in groups if k not in person_of_cluster), key=first_record.get)
    new_people = [
        (key, *(summaries[key][name] for name in SUMMARY_FIELDS), False) for key in new_keys
    ]

    links: list[tuple] = []
    for record_id in sorted(clusters.cluster_of):
        key = clusters.cluster_of[record_id]
        rule = clusters.rule_of[record_id]
        p = clusters.probability_of[record_id]
        p = None if p is None else round(float(p), 6)
        if rule in ("model", "nhs_number"):
            summary.auto_links += 1
        elif rule == "steward":
            summary.steward_links += 1
        if old_person.get(record_id) == person_of_cluster.get(key) and old_rule.get(record_id) == (
            rule,
            p,
        ):
            continue
        links.append((int(record_id), key, rule, p))
    return _Plan(
        old_person=old_person,
        summaries=summaries,
        person_of_cluster=person_of_cluster,
        kept=kept,
        new_people=new_people,
        links=links,
        changes=_person_changes(old_person, clusters, person_of_cluster, kept),
    )


def _person_changes(
    old_person: dict[int, int],
    clusters: Clusters,
    person_of_cluster: dict[object, int],
    kept: set[int],
) -> list[tuple[str, int, object]]:
    """What became of each existing person whose records now lie in other clusters.

    A person who keeps no id of their own is *merged* into the cluster holding most of their
    records (ties: the cluster with the lowest record id); every other cluster that received
    some of their records is a *split* from them.
    """
    went: dict[int, Counter] = {}
    for record_id, person_id in old_person.items():
        key = clusters.cluster_of.get(record_id)
        if key is None or person_of_cluster.get(key) == person_id:
            continue
        went.setdefault(person_id, Counter())[key] += 1
    first_record: dict[object, object] = {}
    for record_id, key in clusters.cluster_of.items():
        if key not in first_record or record_id < first_record[key]:
            first_record[key] = record_id
    changes: list[tuple[str, int, object]] = []
    for person_id in sorted(went):
        targets = sorted(went[person_id].items(), key=lambda kv: (-kv[1], first_record[kv[0]]))
        for i, (key, _n) in enumerate(targets):
            merged = i == 0 and person_id not in kept
            kind = PersonChange.Kind.MERGED if merged else PersonChange.Kind.SPLIT
            changes.append((kind, person_id, key))
    return changes


def _reserve_person_ids(count: int) -> list[int]:
    """Ids for ``count`` new people, taken now so that nobody else's insert can take them.

    A steward may split a record on the web while ``link`` writes, and that creates a person
    too: reserving the ids first (PostgreSQL's sequence; SQLite's ``sqlite_sequence``, which
    ``AUTOINCREMENT`` tables never go below) keeps both writers apart and ids never reused.
    """
    if count == 0:
        return []
    table = Person._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                "FROM generate_series(1, %s) ORDER BY 1",
                [count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        base = max(row[0] if row else 0, cursor.fetchone()[0])
        if row:
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [base + count, table]
            )
        else:
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, base + count]
            )
    return list(range(base + 1, base + count + 1))


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


def _record_view(row: dict) -> dict:
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


REVIEW_COLUMNS = [
    "record_a_id",
    "record_b_id",
    "match_probability",
    "reason",
    "evidence",
    "status",
    "created_at",
    "decided_by",
]


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
    needed = {r for pair in wanted for r in pair}
    views = {
        row["unique_id"]: _record_view(row)
        for row in records[records["unique_id"].isin(needed)].to_dict("records")
    }
    now = timezone.now()
    new_pairs = []
    for cand in clusters.review:
        a, b = sorted((cand.record_a, cand.record_b))
        if (a, b) in decided:
            continue
        row = pair_rows.get((a, b), {"match_weight": 0.0})
        evidence = _evidence(row, scored.levels, views[a], views[b])
        new_pairs.append(
            (
                int(a),
                int(b),
                round(float(cand.match_probability), 6),
                cand.reason,
                evidence,
                ReviewPair.Status.OPEN.value,
                now,
                "",
            )
        )
    insert_rows(ReviewPair, REVIEW_COLUMNS, new_pairs)
    return len(new_pairs)


__all__ = ["decide_pair", "link_everyone", "merge_records", "read_records", "split_record"]
