"""Writes for partner feeds: ingesting files, and a generator manifest of feeds.

Nothing lost, nothing doubled: every row or resource read ends *accepted* (new key), *updated*
(same key, different content hash), *unchanged* (same hash) or *quarantined* (with a plain
reason). See ``docs/decisions/0004-ingest-commits-in-batches.md`` for why writes are committed
in batches rather than in one transaction per command:

- every file is checked whole first (``check_contents``): a file that cannot be read at all is
  refused before anything is written;
- rows are then committed a batch at a time (about ``BATCH`` rows, a fraction of a second), so
  on SQLite the web app's audited pages can write between batches instead of waiting for the
  whole feed;
- a run killed at any point leaves whole batches only, and its ``IngestRun`` stays "running"
  with the counts of its last committed batch: it did not finish. Rows are keyed on
  ``(source, source_record_id)`` / ``(source, event_id)`` with a content hash, so running the
  same files again finds the committed rows unchanged and writes the rest: nothing lost or
  doubled.

Rows are written without a model instance per row, by a writer thread that shares the command's
connection (see ``_Writer``): ``executemany`` on SQLite, ``COPY`` for new rows on PostgreSQL.
Column lists come from the models, so a new ``SourceRecord`` field lands without editing this.
"""

import dataclasses
import gc
import json
import os
import queue
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from operator import attrgetter
from pathlib import Path

import orjson
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connection,
    connections,
    models,
    transaction,
)
from django.utils import timezone
from tqdm import tqdm

from wraparound.sources import queries, sensitivity
from wraparound.sources.models import (
    Event,
    IngestRun,
    Partner,
    QuarantinedRow,
    SensitiveCategory,
    Source,
    SourceRecord,
)
from wraparound.sources.readers import (
    EventRow,
    RecordRow,
    Rejected,
    check_contents,
    check_file,
    first_resource_type,
    read_feed,
    shutdown_workers,
    start_workers_if_worthwhile,
)
from wraparound.sources.readers.csv import stored_activity_category
from wraparound.sources.readers.mapping import stored_fhir_category
from wraparound.sources.readers.rows import MAX_ITEM_CHARS, FileLines, content_hash, storable

# Rows per committed batch: ~0.1-0.2 s of writing on SQLite, short enough that a page waiting
# to write its audit row is not kept long, long enough that commits cost little.
BATCH = 2_000


def _batch_size() -> int:
    """``BATCH``, or ``WRAPAROUND_INGEST_BATCH`` when set (tests and benchmarks vary it)."""
    raw = os.environ.get("WRAPAROUND_INGEST_BATCH", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else BATCH


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
    # CSV physical lines: rows read + other_lines (header, blank, inside multi-line fields).
    lines: int = 0
    other_lines: int = 0
    run_id: int | None = None
    # Earlier runs of this source that never finished (killed): this run completed their work.
    interrupted_runs: list[int] = field(default_factory=list)
    # Wall-clock seconds from the first check of the files to the last commit (no start-up).
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.accepted + self.updated + self.unchanged + self.quarantined

    def outcomes(self) -> dict[str, int]:
        return {
            "accepted": self.accepted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
        }

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

# Short words in a feed's name that point at a sensitive service no service name matched
# ("community_sti", "housing_dv", "community_drugs"): such a feed is never guessed as an
# ordinary partner, whatever else its name says (second red-team pass).
_SENSITIVE_NAME_WORDS = frozenset(
    {
        "sti",
        "stis",
        "std",
        "gum",
        "hiv",
        "sexual",
        "sarc",
        "drug",
        "drugs",
        "alcohol",
        "substance",
        "addiction",
        "dv",
        "dva",
        "domestic",
        "gender",
        "safeguarding",
    }
)


def guess_partner(name: str) -> str:
    """The partner kind a source's name suggests (``gp``, ``housing_north``...), else "other".

    A name that is a sensitive service's (``camhs``, ``iapt``, ``gum_clinic``, ``cgl``) is never
    guessed as an ordinary partner: mental health services are the mental health partner, any
    other stays "other", which the sharing agreement withholds from everyone until the data
    steward classifies the feed (``wraparound reclassify --source NAME --partner KIND``).
    """
    lowered = name.lower()
    if lowered in Partner.values:
        return lowered
    service = sensitivity.service_category(lowered)
    if service == SensitiveCategory.MENTAL_HEALTH:
        return Partner.MENTAL_HEALTH.value
    if service:
        return Partner.OTHER.value
    words = set(re.split(r"[-_]+", lowered))
    said = sensitivity.text_category(re.sub(r"[-_]+", " ", lowered))
    if said == SensitiveCategory.MENTAL_HEALTH:
        return Partner.MENTAL_HEALTH.value
    if said or words & _SENSITIVE_NAME_WORDS:
        return Partner.OTHER.value
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


def ingest_files(
    *,
    source_name: str,
    partner: str | None = None,
    paths: Sequence[str | Path],
    progress: bool = False,
) -> IngestCounts:
    """Ingest partner files into one source, committing in batches; see the module docstring.

    Raises ``FileUnreadable`` or ``IngestRefused`` (and writes nothing) when a file cannot be
    read at all or the source cannot be used as asked: every file is checked whole first.
    """
    started = time.perf_counter()
    files = [Path(p) for p in paths]
    if not files:
        raise IngestRefused("no files to ingest")
    kinds = [check_file(path) for path in files]  # refuse before writing anything
    for path, kind in zip(files, kinds, strict=True):
        check_contents(path, kind)
    # Files of organisations and practitioners first, so references to them resolve by name.
    order = sorted(
        range(len(files)),
        key=lambda i: first_resource_type(files[i], kinds[i]) not in queries.DIRECTORY_TYPES,
    )
    files = [files[i] for i in order]
    kinds = [kinds[i] for i in order]
    with transaction.atomic():
        source = _source(source_name, partner)
        interrupted = list(
            IngestRun.objects.filter(source=source, status=IngestRun.Status.RUNNING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        run = IngestRun.objects.create(source=source, paths="\n".join(str(p) for p in files))
    try:
        with _fewer_collections():
            counts = _ingest(source, run, files, kinds, progress=progress)
    except BaseException as error:
        _record_failure(run)
        if isinstance(error, IntegrityError):
            raise IngestRefused(
                f"another ingest into source '{source.name}' wrote the same rows at the same "
                "time; what this run committed is kept: run it again to finish"
            ) from None
        raise
    counts.files = len(files)
    counts.run_id = run.pk
    counts.interrupted_runs = interrupted
    with transaction.atomic():
        IngestRun.objects.filter(pk=run.pk).update(
            status=IngestRun.Status.COMPLETED, finished_at=timezone.now(), **counts.outcomes()
        )
    counts.seconds = round(time.perf_counter() - started, 3)
    return counts


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the garbage collector less often while rows stream through.

    Every row makes a handful of short-lived objects, so the collector ran every 700 of them
    and, in its fuller passes, walked everything the process had loaded (Django, the FHIR
    models): ~10% of a 200,000-row CSV ingest. The youngest generation is collected every
    20,000 new objects instead, and the usual setting put back afterwards; reference counting
    still frees almost everything at once.
    """
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 20_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def _ingest(
    source: Source, run: IngestRun, files: list[Path], kinds: list[str], *, progress: bool
) -> IngestCounts:
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
    return stage.counts


def _record_failure(run: IngestRun) -> None:
    """Mark a run that stopped on an error as failed, if the database still lets us say so
    (a run killed outright stays "running": it did not finish either)."""
    if connection.in_atomic_block and connection.needs_rollback:
        return
    try:
        with transaction.atomic():
            IngestRun.objects.filter(pk=run.pk).update(
                status=IngestRun.Status.FAILED, finished_at=timezone.now()
            )
    except DatabaseError:
        pass


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


def ingest_manifest(
    *, manifest: str | Path, progress: bool = False
) -> list[tuple[Feed, IngestCounts]]:
    """Ingest every feed of a generator manifest in order, each committed in batches.

    Every feed's file is checked whole before the first is written, so a manifest naming an
    unreadable file writes nothing; a killed run is completed by running the manifest again.
    """
    feeds = read_manifest(manifest)
    for feed in feeds:
        check_contents(feed.path, check_file(feed.path))
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


def _json_text(value: dict) -> str:
    if not value and type(value) is dict:  # most rows have no extra columns and no problems
        return "{}"
    return orjson.dumps(value).decode()


class _Table:
    """How rows of one reader type become rows of one model's table.

    The columns are the model's own (every concrete field but the id), so a field added to the
    model is written without editing this class: from the reader's row when it has an
    attribute of that name, else the field's default. Values are adapted once per column kind
    (dates, times, JSON) and taken from the row with one ``attrgetter`` call, since this runs
    for every row of every feed.
    """

    def __init__(self, model, row_type, key: str, *, source_id: int, now, json: Callable):
        ops = connection.ops
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        from_row = {f.name for f in dataclasses.fields(row_type)}
        self.table = model._meta.db_table
        # Columns the reader's row fills come last, in one block in the getter's order, so a
        # row's values are the fixed ones followed by what one ``attrgetter`` call returns.
        fixed_columns: list[str] = []
        taken_columns: list[str] = []
        self.fixed: list = []
        adapters: list[Callable | None] = []
        names = []
        for column in fields:
            if isinstance(column, models.JSONField):
                adapt = json
            elif isinstance(column, models.DateTimeField):
                adapt = ops.adapt_datetimefield_value
            elif isinstance(column, models.DateField):
                adapt = ops.adapt_datefield_value
            else:
                adapt = None
            if column.attname == "source_id":
                fixed_columns.append(column.column)
                self.fixed.append(source_id)
            elif column.attname in ("created_at", "updated_at"):
                fixed_columns.append(column.column)
                self.fixed.append(now)
            elif column.attname in from_row:
                taken_columns.append(column.column)
                adapters.append(adapt)
                names.append(column.attname)
            else:
                default = column.get_default()
                fixed_columns.append(column.column)
                self.fixed.append(adapt(default) if adapt else default)
        self.columns = (*fixed_columns, *taken_columns)
        self.adapted = [
            (len(fixed_columns) + i, adapt) for i, adapt in enumerate(adapters) if adapt
        ]
        getter = attrgetter(*names)
        self.getter = getter if len(names) > 1 else lambda row: (getter(row),)
        # UPDATE sets everything but the key and the creation time, for (source, key).
        fixed = {"source_id", key, "created_at"}
        self.set_positions = [i for i, c in enumerate(self.columns) if c not in fixed]
        self.key = key

    def values(self, row) -> list:
        values = [*self.fixed, *self.getter(row)]
        for position, adapt in self.adapted:
            values[position] = adapt(values[position])
        return values

    def insert_sql(self) -> str:
        quote = connection.ops.quote_name
        return (
            f"INSERT INTO {quote(self.table)} ({', '.join(quote(c) for c in self.columns)}) "
            f"VALUES ({', '.join(['%s'] * len(self.columns))})"
        )

    def copy_sql(self) -> str:
        quote = connection.ops.quote_name
        return f"COPY {quote(self.table)} ({', '.join(quote(c) for c in self.columns)}) FROM STDIN"

    def update_sql(self) -> str:
        quote = connection.ops.quote_name
        sets = ", ".join(f"{quote(self.columns[i])} = %s" for i in self.set_positions)
        return (
            f"UPDATE {quote(self.table)} SET {sets} "
            f"WHERE {quote('source_id')} = %s AND {quote(self.key)} = %s"
        )

    def update_values(self, row, source_id: int) -> list:
        values = self.values(row)
        return [*(values[i] for i in self.set_positions), source_id, row.key]


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    return (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )


def _executemany(statement: str, params: list, cursor) -> None:
    """On SQLite one prepared statement; on PostgreSQL psycopg pipelines the rows."""
    cursor.executemany(statement, params)


def _copy(statement: str, rows: list, cursor) -> None:
    """PostgreSQL's bulk load: several times faster than ``executemany``, which Django's psycopg
    cursor sends with client-side binding (every row parsed and planned)."""
    with cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _pause_after_commit() -> float:
    """Seconds the writer rests after each commit on SQLite, as a fraction of the time it held
    the write lock (``WRAPAROUND_INGEST_YIELD``, default 0.25): a page waiting to write its
    audit row retries every few to 100 ms, and would otherwise rarely find the lock free."""
    if connection.vendor != "sqlite":
        return 0.0
    raw = os.environ.get("WRAPAROUND_INGEST_YIELD", "").strip()
    try:
        return max(0.0, float(raw)) if raw else 0.25
    except ValueError:
        return 0.25


class _Writer:
    """Commits batches, each one transaction on the command's connection (a savepoint when the
    caller is already inside one, as in tests).

    On PostgreSQL a second thread writes, sharing the connection: the server does the work in
    its own process and psycopg waits without the GIL, so parsing and writing overlap. The
    thread touches the database only while the main thread does not (before it starts, after
    it stops), and the queue is short, so the reader never runs far ahead of the database.

    On SQLite the main thread writes each batch itself. A writer thread there was measured
    (200,000 rows, two shared cores) at half the speed: Python's ``sqlite3`` lets go of the GIL
    for every row it steps and must win it back from the parsing thread before the next, so
    the two threads mostly wait on each other. After each commit the next write waits until the
    rest is over (a quarter of the time the lock was held), counting the time spent reading
    the next batch, which is usually longer.
    """

    def __init__(self):
        self.connection = connections[DEFAULT_DB_ALIAS]
        self.connection.ensure_connection()
        self.pause = _pause_after_commit()
        self.error: BaseException | None = None
        self.cancelled = False
        self.rest_until = 0.0
        self.threaded = self.connection.vendor != "sqlite"
        if self.threaded:
            self.connection.inc_thread_sharing()
            self.jobs: queue.Queue = queue.Queue(maxsize=2)
            self.thread = threading.Thread(target=self._work, name="ingest-writer", daemon=True)
            self.thread.start()

    def _commit(self, batch: list[Callable]) -> None:
        started = time.perf_counter()
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            for write in batch:
                write(cursor)
        if self.pause:
            done = time.perf_counter()
            self.rest_until = done + min(0.2, (done - started) * self.pause)

    def _work(self) -> None:
        # ``transaction.atomic`` finds its connection per thread: give it the shared one.
        connections[DEFAULT_DB_ALIAS] = self.connection
        while True:
            batch = self.jobs.get()
            if batch is None:
                return
            if self.error is not None or self.cancelled:
                continue  # drain without writing
            try:
                self._commit(batch)
            except BaseException as error:  # re-raised in the main thread
                self.error = error
                continue
            self._rest()

    def _rest(self) -> None:
        wait = self.rest_until - time.perf_counter()
        if wait > 0:
            time.sleep(wait)

    def submit(self, batch: list[Callable]) -> None:
        if self.error is not None:
            raise self.error
        if self.threaded:
            self.jobs.put(batch)
            return
        self._rest()
        self._commit(batch)

    def close(self, *, failed: bool) -> None:
        """Wait for every batch to be committed (or dropped when ``failed``)."""
        if not self.threaded:
            return
        self.cancelled = failed
        self.jobs.put(None)
        self.thread.join()
        self.connection.dec_thread_sharing()
        if self.error is not None and not failed:
            raise self.error


class _Stage:
    """Sorts every item into its outcome and hands the writes to the writer, a batch at a time."""

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
        self.copy = connection.vendor == "postgresql"
        if connection.vendor == "sqlite":
            as_json = _json_text  # SQLite stores JSON as text; orjson is several times faster
        else:
            as_json = partial(connection.ops.adapt_json_value, encoder=None)
        tables = {RecordRow: (SourceRecord, "source_record_id"), EventRow: (Event, "event_id")}
        self.tables = {
            kind: _Table(model, kind, key, source_id=source.pk, now=self.now, json=as_json)
            for kind, (model, key) in tables.items()
        }
        # COPY sends text: JSON goes as its text there, while UPDATE needs the adapted value.
        self.insert_tables = (
            {
                kind: _Table(model, kind, key, source_id=source.pk, now=self.now, json=_json_text)
                for kind, (model, key) in tables.items()
            }
            if self.copy
            else self.tables
        )
        self.insert_sql = {
            kind: table.copy_sql() if self.copy else table.insert_sql()
            for kind, table in self.insert_tables.items()
        }
        self.update_sql = {kind: table.update_sql() for kind, table in self.tables.items()}
        self.quarantine_sql = _insert_sql(
            QuarantinedRow._meta.db_table,
            ("source_id", "run_id", "locator", "reason", "raw", "raw_hash", "created_at"),
        )
        self.pending = 0
        self.batch = _batch_size()
        self.writer: _Writer | None = None

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
        if kind is FileLines:  # the CSV's line count, so the summary reconciles with the file
            self.counts.lines += item.lines
            self.counts.other_lines += item.other_lines
            return
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
        if self.pending >= self.batch:
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
        if self.pending >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Hand what is staged to the writer as one batch (one transaction), with the run's
        counts so far: inserts before updates, so a later file can update a key first seen in
        this run."""
        batch: list[Callable] = []
        for kind in (RecordRow, EventRow):
            if self.inserts[kind]:
                values = self.insert_tables[kind].values
                rows = [values(row) for row in self.inserts[kind]]
                write = _copy if self.copy else _executemany
                batch.append(partial(write, self.insert_sql[kind], rows))
                self.inserts[kind] = []
            if self.updates[kind]:
                values = self.tables[kind].update_values
                rows = [values(row, self.source.pk) for row in self.updates[kind]]
                batch.append(partial(_executemany, self.update_sql[kind], rows))
                self.updates[kind] = []
        if self.rejected:
            batch.append(partial(_executemany, self.quarantine_sql, self.rejected))
            self.rejected = []
        if batch:
            batch.append(partial(_record_progress, self.run.pk, self.counts.outcomes()))
            self.writer.submit(batch)
        self.pending = 0


def _record_progress(run_id: int, outcomes: dict, cursor) -> None:
    """The run's counts as of this batch, committed with it: a killed run shows how far it got."""
    IngestRun.objects.filter(pk=run_id).update(**outcomes)


@dataclass
class ReclassifyCounts:
    """What ``reclassify_events`` did: counts only, never which person or which category."""

    sources: int = 0
    events: int = 0
    changed: int = 0
    more_restricted: int = 0  # now withheld from more roles (or newly sensitive)
    less_restricted: int = 0  # only with ``allow_less_restricted``
    not_rechecked: int = 0  # payloads that are not JSON (never written by today's readers)
    partner_changed: bool = False


_RANKS = {
    category: len(sensitivity.PRIORITY) - i for i, category in enumerate(sensitivity.PRIORITY)
}


def _rank(category: str) -> int:
    """Larger is more restricted: "" < safeguarding < ... < hiv; a value we do not know (a
    hand-edited row) ranks above all, so it is never lowered."""
    return _RANKS.get(category, len(_RANKS) + 1) if category else 0


def classify_source(*, source_name: str, partner: str) -> bool:
    """State a feed's kind of partner (the data steward's decision); True when it changed.

    A feed of unstated partner ("other") is withheld from everyone; once stated, the sharing
    agreement's rules for that partner apply. Run ``reclassify_events`` after it.
    """
    if partner not in Partner.values:
        raise IngestRefused(f"partner '{partner}' is not one of: {', '.join(Partner.values)}")
    with transaction.atomic():
        source = Source.objects.select_for_update().filter(name=source_name).first()
        if source is None:
            raise IngestRefused(f"no source called '{source_name[:100]}'")
        if source.partner == partner:
            return False
        source.partner = partner
        source.save(update_fields=["partner", "updated_at"])
    return True


def reclassify_events(
    *,
    source_name: str | None = None,
    allow_less_restricted: bool = False,
    progress: bool = False,
) -> ReclassifyCounts:
    """Decide every stored event's sensitive category again under today's code sets, service
    names and wordings (``sources/sensitivity.py``), e.g. after a data steward extended them
    or classified a feed.

    By default an event only ever becomes *more* restricted: a category that was decided at
    ingest by rules since removed stays, so a mistake in a new rule cannot open anything.
    ``allow_less_restricted`` lets the new rules lower categories too (a steward's deliberate
    correction of a false alarm). Committed in batches, so a stopped run can simply be run
    again.
    """
    sources = Source.objects.all().order_by("name")
    if source_name is not None:
        sources = sources.filter(name=source_name)
        if not sources.exists():
            raise IngestRefused(f"no source called '{source_name[:100]}'")
    counts = ReclassifyCounts()
    total = Event.objects.filter(source__in=sources).count()
    bar = tqdm(total=total, unit=" events", disable=not progress, file=sys.stderr)
    batch = _batch_size()
    for source in sources:
        counts.sources += 1
        organisation = _organisation(source)
        after = 0
        while True:
            rows = list(
                Event.objects.filter(source=source, id__gt=after)
                .order_by("id")
                .values(
                    "id",
                    "resource_type",
                    "code",
                    "summary",
                    "subject_record_id",
                    "sensitive_category",
                    "extra",
                    "payload",
                )[:batch]
            )
            if not rows:
                break
            after = rows[-1]["id"]
            moves: dict[str, list[int]] = {}
            for row in rows:
                extra = row["extra"] if isinstance(row["extra"], dict) else {}
                if row["resource_type"] == "activity":
                    new = stored_activity_category(
                        kind_code=str(extra.get("kind_code") or row["code"]),
                        text=row["summary"],
                        extra=extra,
                        partner=source.partner,
                        organisation=organisation,
                    )
                else:
                    new = stored_fhir_category(
                        row["payload"],
                        partner=source.partner,
                        organisation=organisation,
                        extra=extra,
                        subject=row["subject_record_id"],
                    )
                    if new is None:
                        counts.not_rechecked += 1
                        continue
                old = row["sensitive_category"]
                if _rank(new) < _rank(old) and not allow_less_restricted:
                    new = old
                if new != old:
                    moves.setdefault(new, []).append(row["id"])
                    if _rank(new) > _rank(old):
                        counts.more_restricted += 1
                    else:
                        counts.less_restricted += 1
            with transaction.atomic():
                for category, ids in moves.items():
                    Event.objects.filter(id__in=ids).update(sensitive_category=category)
                    counts.changed += len(ids)
            counts.events += len(rows)
            bar.update(len(rows))
    bar.close()
    return counts
