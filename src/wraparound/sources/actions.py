"""Writes for partner feeds: ingesting files, and a generator manifest of feeds.

Nothing lost, nothing doubled: every row or resource read ends *accepted* (new key), *updated*
(same key, different content hash), *unchanged* (same hash) or *quarantined* (with a plain
reason). All of one command's writes happen in ONE database transaction, so a run that is
killed, or that meets a file it cannot read, leaves the database exactly as it was; running
it again completes the work. Rows are written in batches with ``executemany`` (portable across
SQLite and PostgreSQL, with no model instance built per row) by a writer thread that shares
the command's connection and transaction (see ``_Writer``).
"""

import json
import queue
import re
import sys
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import orjson
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from tqdm import tqdm

from wraparound.sources import queries
from wraparound.sources.models import (
    Event,
    IngestRun,
    Partner,
    QuarantinedRow,
    Source,
    SourceRecord,
)
from wraparound.sources.readers import (
    EventRow,
    RecordRow,
    Rejected,
    check_file,
    first_resource_type,
    read_feed,
    shutdown_workers,
    start_workers_if_worthwhile,
)
from wraparound.sources.readers.rows import MAX_ITEM_CHARS, content_hash, storable

BATCH = 2_000
tqdm.monitor_interval = 0  # no monitor thread: FHIR validation forks worker processes


class IngestRefused(Exception):
    """The command cannot run as asked (bad source name, unreadable file...): nothing written."""


@dataclass
class IngestCounts:
    """What became of every row or resource read in one run."""

    accepted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    files: int = 0
    run_id: int | None = None

    @property
    def total(self) -> int:
        return self.accepted + self.updated + self.unchanged + self.quarantined

    def as_dict(self) -> dict:
        return {**asdict(self), "total": self.total}


_GUESSES = (
    (Partner.ADULT_SOCIAL_CARE, ("adult_social_care", "social", "asc")),
    (Partner.MENTAL_HEALTH, ("mental", "mh")),
    (Partner.COUNCIL_TAX, ("council_tax", "counciltax", "ctax", "revenues", "benefits")),
    (Partner.HOUSING, ("housing", "tenancy", "landlord")),
    (Partner.COMMUNITY, ("community",)),
    (Partner.ACUTE, ("acute", "hospital")),
    (Partner.VOLUNTARY, ("voluntary", "vcse", "charity")),
    (Partner.GP, ("gp", "practice", "surgery")),
)


def guess_partner(name: str) -> str:
    """The partner kind a source's name suggests (``gp``, ``housing_north``...), else "other"."""
    lowered = name.lower()
    if lowered in Partner.values:
        return lowered
    words = set(re.split(r"[-_]+", lowered))
    for partner, hints in _GUESSES:
        if any(hint in words or (len(hint) > 3 and hint in lowered) for hint in hints):
            return partner.value
    return Partner.OTHER.value


def _source(name: str, partner: str | None) -> Source:
    if not re.fullmatch(r"[-A-Za-z0-9_]{1,100}", name or ""):
        raise IngestRefused(f"source name '{name[:100]}' must be 1-100 letters, digits, '-' or '_'")
    if partner is not None and partner not in Partner.values:
        raise IngestRefused(f"partner '{partner}' is not one of: {', '.join(Partner.values)}")
    source = Source.objects.filter(name=name).first()
    if source is None:
        return Source.objects.create(name=name, partner=partner or guess_partner(name))
    if partner is not None and partner != source.partner:
        raise IngestRefused(
            f"source '{name}' is registered as partner '{source.partner}', not '{partner}'"
        )
    return source


def _organisation(source: Source) -> str:
    """The name shown for a source's events when the feed names no organisation itself."""
    if source.display_name:
        return source.display_name
    if source.partner == Partner.OTHER:
        return source.name
    return Partner(source.partner).label


@transaction.atomic
def ingest_files(
    *,
    source_name: str,
    partner: str | None = None,
    paths: Sequence[str | Path],
    progress: bool = False,
) -> IngestCounts:
    """Ingest partner files into one source, in one transaction; see the module docstring.

    Raises ``FileUnreadable`` or ``IngestRefused`` (and writes nothing) when a file cannot be
    read at all or the source cannot be used as asked.
    """
    files = [Path(p) for p in paths]
    if not files:
        raise IngestRefused("no files to ingest")
    kinds = [check_file(path) for path in files]  # refuse before writing anything
    # Files of organisations and practitioners first, so references to them resolve by name.
    order = sorted(
        range(len(files)),
        key=lambda i: first_resource_type(files[i], kinds[i]) not in queries.DIRECTORY_TYPES,
    )
    files = [files[i] for i in order]
    kinds = [kinds[i] for i in order]
    source = _source(source_name, partner)
    run = IngestRun.objects.create(source=source, paths="\n".join(str(p) for p in files))
    directory = queries.directory(source) if any(k != "csv" for k in kinds) else {}
    stage = _Stage(source, run)
    start_workers_if_worthwhile(files, kinds)  # fork before the writer thread starts
    known = stage.known_hashes() if any(k != "csv" for k in kinds) else frozenset()
    total = sum(path.stat().st_size for path in files)
    with (
        stage,
        tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            desc=f"ingest {source.name}",
            file=sys.stderr,
            disable=None if progress else True,
            leave=False,
        ) as bar,
    ):
        for number, (path, kind) in enumerate(zip(files, kinds, strict=True)):
            items = read_feed(
                path,
                kind,
                partner=source.partner,
                organisation=_organisation(source),
                directory=directory,
                known_hashes=known,
                on_progress=bar.update,
            )
            for item in items:
                stage.take(item, number)
    counts = stage.counts
    counts.files = len(files)
    counts.run_id = run.pk
    IngestRun.objects.filter(pk=run.pk).update(
        status=IngestRun.Status.COMPLETED,
        finished_at=timezone.now(),
        accepted=counts.accepted,
        updated=counts.updated,
        unchanged=counts.unchanged,
        quarantined=counts.quarantined,
    )
    return counts


@dataclass
class Feed:
    source: str
    partner: str | None
    path: Path


def read_manifest(manifest: str | Path) -> list[Feed]:
    """The feeds a generator manifest lists, in order (files relative to the manifest)."""
    path = Path(manifest)
    if not path.is_file():
        raise IngestRefused(f"{path}: no such manifest file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise IngestRefused(f"{path} is not a JSON manifest ({error})") from None
    feeds = data.get("feeds") if isinstance(data, dict) else None
    if not isinstance(feeds, list) or not feeds:
        raise IngestRefused(f"{path} lists no feeds (expected a 'feeds' list)")
    found = []
    for number, feed in enumerate(feeds, start=1):
        if not isinstance(feed, dict) or not feed.get("source") or not feed.get("file"):
            raise IngestRefused(f"{path}: feed {number} needs a 'source' and a 'file'")
        found.append(
            Feed(str(feed["source"]), feed.get("partner"), path.parent / str(feed["file"]))
        )
    return found


@transaction.atomic
def ingest_manifest(
    *, manifest: str | Path, progress: bool = False
) -> list[tuple[Feed, IngestCounts]]:
    """Ingest every feed of a generator manifest in order, all in one transaction."""
    feeds = read_manifest(manifest)
    for feed in feeds:
        check_file(feed.path)
    return [
        (
            feed,
            ingest_files(
                source_name=feed.source,
                partner=feed.partner,
                paths=[feed.path],
                progress=progress,
            ),
        )
        for feed in feeds
    ]


def finish_ingest() -> None:
    """Stop FHIR validation workers once a command has finished with them."""
    shutdown_workers()


# -------------------------------------------------------------------------------------------
# Staging: deciding accepted / updated / unchanged / quarantined, and batched writes


_RECORD_FIELDS = (
    "format",
    "nhs_number",
    "nhs_number_valid",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "address",
    "phone",
    "extra",
    "payload",
    "content_hash",
)
_EVENT_FIELDS = (
    "resource_type",
    "kind",
    "subject_record_id",
    "occurred_at",
    "summary",
    "status",
    "code",
    "sensitive_category",
    "on_timeline",
    "extra",
    "payload",
    "content_hash",
)


def _json_text(value: dict) -> str:
    return orjson.dumps(value).decode()


def _insert(table: str, columns: tuple[str, ...]) -> str:
    """A one-row INSERT, run with executemany: on SQLite that is one prepared statement; on
    PostgreSQL psycopg pipelines the rows. (Multi-row ``VALUES`` lists were measured slower on
    both: Django's psycopg cursor binds parameters client-side and re-parses long statements.)
    """
    quote = connection.ops.quote_name
    return (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )


def _sql(model, key: str, fields: tuple[str, ...]) -> tuple[str, str]:
    """INSERT and UPDATE statements for ``model`` keyed on (source, ``key``)."""
    quote = connection.ops.quote_name
    insert = _insert(model._meta.db_table, ("source_id", key, *fields, "created_at", "updated_at"))
    update = (
        f"UPDATE {quote(model._meta.db_table)} "
        f"SET {', '.join(f'{quote(c)} = %s' for c in (*fields, 'updated_at'))} "
        f"WHERE {quote('source_id')} = %s AND {quote(key)} = %s"
    )
    return insert, update


class _Writer:
    """Runs the batched SQL on a second thread, on the SAME connection and transaction.

    Parsing is Python work and holds the GIL; the database's own work (SQLite's B-tree inserts,
    or waiting on PostgreSQL) does not, so on two cores the two overlap. There is still one
    connection and one transaction: a failure or a kill still leaves nothing behind. The
    queue is short, so the reader never runs far ahead of the database.
    """

    def __init__(self):
        self.connection = connections[DEFAULT_DB_ALIAS]
        self.cursor = self.connection.cursor()
        self.connection.inc_thread_sharing()
        self.jobs: queue.Queue = queue.Queue(maxsize=3)
        self.error: BaseException | None = None
        self.cancelled = False
        self.thread = threading.Thread(target=self._work, name="ingest-writer", daemon=True)
        self.thread.start()

    def _work(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            if self.error is not None or self.cancelled:
                continue  # drain without writing: the transaction will be rolled back
            statement, params = job
            try:
                self.cursor.executemany(statement, params)
            except BaseException as error:  # re-raised in the main thread
                self.error = error

    def submit(self, statement: str, params: list[tuple]) -> None:
        if self.error is not None:
            raise self.error
        self.jobs.put((statement, params))

    def close(self, *, failed: bool) -> None:
        """Wait for every batch to be written (or dropped when ``failed``)."""
        self.cancelled = failed
        self.jobs.put(None)
        self.thread.join()
        self.connection.dec_thread_sharing()
        self.cursor.close()
        if self.error is not None and not failed:
            raise self.error


class _Stage:
    """Sorts every item into its outcome and writes them in batches."""

    def __init__(self, source: Source, run: IngestRun):
        self.source = source
        self.run = run
        self.counts = IngestCounts()
        self.stored = {
            RecordRow: queries.record_hashes(source),
            EventRow: queries.event_hashes(source),
        }
        self.seen: dict[type, dict[str, tuple[int, str]]] = {RecordRow: {}, EventRow: {}}
        self.quarantined = queries.quarantined_hashes(source)
        self.inserts: dict[type, list] = {RecordRow: [], EventRow: []}
        self.updates: dict[type, list] = {RecordRow: [], EventRow: []}
        self.rejected: list[tuple] = []
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.sql = {
            RecordRow: _sql(SourceRecord, "source_record_id", _RECORD_FIELDS),
            EventRow: _sql(Event, "event_id", _EVENT_FIELDS),
        }
        self.quarantine_sql = _insert(
            QuarantinedRow._meta.db_table,
            ("source_id", "run_id", "locator", "reason", "raw", "raw_hash", "created_at"),
        )
        self.pending = 0
        self.writer: _Writer | None = None
        # Looked up once: ``connection.ops`` goes through a thread-local proxy on every access.
        ops = connection.ops
        self.date = ops.adapt_datefield_value
        self.moment = ops.adapt_datetimefield_value
        if connection.vendor == "sqlite":
            self._json = _json_text  # SQLite stores JSON as text; orjson is several times faster
        else:
            self._json = partial(ops.adapt_json_value, encoder=None)

    def __enter__(self) -> "_Stage":
        self.writer = _Writer()
        return self

    def __exit__(self, kind, error, trace) -> None:
        try:
            if error is None:
                self.flush()
        except BaseException:
            self.writer.close(failed=True)
            raise
        self.writer.close(failed=error is not None)

    def known_hashes(self) -> set[str]:
        """Content hashes of everything the source holds (records and events)."""
        return {*self.stored[RecordRow].values(), *self.stored[EventRow].values()}

    def take(self, item, file_number: int) -> None:
        if isinstance(item, Rejected):
            self.quarantine(item)
            return
        kind = type(item)
        key = item.key
        digest = item.content_hash
        seen = self.seen[kind]
        earlier = seen.get(key)
        if earlier is not None:
            if earlier[1] == digest:
                self.counts.unchanged += 1
                return
            if earlier[0] == file_number:
                name = "source_record_id" if kind is RecordRow else "event_id"
                self.quarantine(
                    Rejected(
                        item.locator,
                        f"{name} '{key}' appears earlier in this file with different content",
                        item.payload,
                    )
                )
                return
            seen[key] = (file_number, digest)  # a later file supersedes an earlier one
            self.updates[kind].append(item)
            self.counts.updated += 1
        else:
            seen[key] = (file_number, digest)
            stored = self.stored[kind].get(key)
            if stored is None:
                self.inserts[kind].append(item)
                self.counts.accepted += 1
            elif stored == digest:
                self.counts.unchanged += 1
                return
            else:
                self.updates[kind].append(item)
                self.counts.updated += 1
        self.pending += 1
        if self.pending >= BATCH:
            self.flush()

    def quarantine(self, item: Rejected) -> None:
        self.counts.quarantined += 1
        raw_hash = content_hash(item.raw)
        if raw_hash in self.quarantined:
            return  # already held for a steward: re-running a feed adds nothing
        self.quarantined.add(raw_hash)
        self.rejected.append(
            (
                self.source.pk,
                self.run.pk,
                storable(item.locator)[:500],
                storable(item.reason),
                storable(item.raw[:MAX_ITEM_CHARS]),
                raw_hash,
                self.now,
            )
        )
        self.pending += 1
        if self.pending >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Hand what is staged to the writer: inserts before updates, so a later file can
        update a key first seen in this run."""
        for kind, values in ((RecordRow, self._record_values), (EventRow, self._event_values)):
            insert, update = self.sql[kind]
            if self.inserts[kind]:
                now, source_id = self.now, self.source.pk
                self.writer.submit(
                    insert,
                    [(source_id, row.key, *values(row), now, now) for row in self.inserts[kind]],
                )
                self.inserts[kind] = []
            if self.updates[kind]:
                self.writer.submit(
                    update,
                    [
                        (*values(row), self.now, self.source.pk, row.key)
                        for row in self.updates[kind]
                    ],
                )
                self.updates[kind] = []
        if self.rejected:
            self.writer.submit(self.quarantine_sql, self.rejected)
            self.rejected = []
        self.pending = 0

    def _record_values(self, row: RecordRow) -> tuple:
        return (
            row.format,
            row.nhs_number,
            row.nhs_number_valid,
            row.given_name,
            row.family_name,
            self.date(row.date_of_birth),
            row.sex,
            row.postcode,
            row.address,
            row.phone,
            self._json(row.extra),
            row.payload,
            row.content_hash,
        )

    def _event_values(self, row: EventRow) -> tuple:
        return (
            row.resource_type,
            row.kind,
            row.subject_record_id,
            self.moment(row.occurred_at),
            row.summary,
            row.status,
            row.code,
            row.sensitive_category,
            row.on_timeline,
            self._json(row.extra),
            row.payload,
            row.content_hash,
        )
