"""Reads for the identity app: links for export, the review queue, current labels."""

from collections.abc import Iterator

import pandas as pd

from wraparound.identity.models import Link, ReviewPair
from wraparound.sources.models import SourceRecord

CHUNK = 20_000


def links_for_export() -> Iterator[tuple[str, str, int | str]]:
    """``(source, source_record_id, person_id)`` for every source record, linked or not.

    A record not yet linked (ingested after the last ``wraparound link``) has an empty person id,
    so the export always lists every source record.
    """
    query = (
        SourceRecord.objects.order_by("source__name", "source_record_id")
        .values_list("source__name", "source_record_id", "link__person_id")
        .iterator(chunk_size=CHUNK)
    )
    for source, record_id, person_id in query:
        yield source, record_id, "" if person_id is None else person_id


def review_queue(*, include_not_sure: bool = True) -> list[ReviewPair]:
    """Pairs waiting for a steward, most likely matches first."""
    statuses = [ReviewPair.Status.OPEN]
    if include_not_sure:
        statuses.append(ReviewPair.Status.NOT_SURE)
    return list(
        ReviewPair.objects.filter(status__in=statuses)
        .select_related("record_a__source", "record_b__source")
        .order_by("-match_probability", "id")
    )


def current_labels() -> pd.Series:
    """Each source record's person id, indexed by ``(source, source_record_id)``."""
    rows = list(
        Link.objects.values_list(
            "source_record__source__name", "source_record__source_record_id", "person_id"
        ).iterator(chunk_size=CHUNK)
    )
    index = pd.MultiIndex.from_tuples([(s, r) for s, r, _ in rows], names=["source", "id"])
    return pd.Series([p for _, _, p in rows], index=index, dtype=object)


def record_nhs_numbers() -> pd.Series:
    """Each source record's valid NHS Number (None if absent or invalid), same index."""
    rows = list(
        SourceRecord.objects.values_list(
            "source__name", "source_record_id", "nhs_number", "nhs_number_valid"
        ).iterator(chunk_size=CHUNK)
    )
    index = pd.MultiIndex.from_tuples([(s, r) for s, r, _, _ in rows], names=["source", "id"])
    return pd.Series([n if v and n else None for _, _, n, v in rows], index=index, dtype=object)
