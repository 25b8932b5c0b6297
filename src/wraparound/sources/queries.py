"""Reads about partner feeds: what a source already holds, its runs and its quarantine."""

from django.db.models import QuerySet

from wraparound.sources.models import Event, IngestRun, QuarantinedRow, Source, SourceRecord

# Resource types whose names other resources refer to (an Encounter's serviceProvider...).
DIRECTORY_TYPES = ("Organization", "Practitioner", "Location")


def source_named(name: str) -> Source | None:
    return Source.objects.filter(name=name).first()


def record_hashes(source: Source) -> dict[str, str]:
    """``source_record_id -> content_hash`` for every record of the source, in one query."""
    return dict(
        SourceRecord.objects.filter(source=source).values_list("source_record_id", "content_hash")
    )


def event_hashes(source: Source) -> dict[str, str]:
    """``event_id -> content_hash`` for every event of the source, in one query."""
    return dict(Event.objects.filter(source=source).values_list("event_id", "content_hash"))


def quarantined_hashes(source: Source) -> set[str]:
    return set(QuarantinedRow.objects.filter(source=source).values_list("raw_hash", flat=True))


def directory(source: Source) -> dict[str, dict]:
    """Names and phone numbers of the organisations and practitioners a source has sent,
    keyed ``Type/id``, so a later feed's references to them can be shown by name."""
    found: dict[str, dict] = {}
    rows = Event.objects.filter(source=source, resource_type__in=DIRECTORY_TYPES).values_list(
        "event_id", "extra"
    )
    for event_id, extra in rows:
        if isinstance(extra, dict) and extra.get("name"):
            found[event_id] = {"name": extra["name"], "phone": extra.get("phone", "")}
    return found


def quarantine(source: Source) -> QuerySet[QuarantinedRow]:
    """What a steward needs to look at for one source, newest first."""
    return QuarantinedRow.objects.filter(source=source).order_by("-created_at", "-id")


def runs(source: Source) -> QuerySet[IngestRun]:
    return IngestRun.objects.filter(source=source).order_by("-started_at", "-id")
