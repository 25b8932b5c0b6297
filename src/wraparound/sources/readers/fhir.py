"""FHIR R4 feeds: JSON (a Bundle of any type or one resource), Bulk Data NDJSON and XML.

The only module that imports ``fhir.resources``. Every resource is validated with the R4B
models (structural validation: types, cardinality, unknown elements; no terminology or UK Core
profile checks). A resource that fails is quarantined with the first failing field named.

What we keep is the partner's own text: for JSON and NDJSON the exact characters of each
resource (cut out of the bundle, not re-serialised), for XML a compact JSON rendering of the
validated resource (so every FHIR payload in the database is JSON). Patient becomes a
``SourceRecord``; every other resource becomes an ``Event`` (see ``docs/feeds.md``).
"""

import codecs
import json
import multiprocessing
import os
import re
from collections.abc import Callable, Container, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from fhir.resources.R4B import get_fhir_model_class
from lxml import etree
from pydantic import ValidationError

from wraparound.sources.readers.mapping import FhirMapper
from wraparound.sources.readers.rows import (
    MAX_ITEM_CHARS,
    FileUnreadable,
    Item,
    Rejected,
    content_hash,
    storable,
)

FHIR_NS = "http://hl7.org/fhir"
# Below this many resources a file is validated in this process: shipping them costs more.
PARALLEL_THRESHOLD = 500
# Commands reading at least this much FHIR JSON start the worker processes.
PARALLEL_BYTES = 256 * 1024
CHUNK = 250
# NDJSON files are read in windows so a very large export never sits in memory whole.
WINDOW = 20_000


@dataclass(slots=True)
class Resource:
    """One resource as read from the file, before validation."""

    locator: str
    text: str
    data: dict
    full_url: str = ""
    error: str | None = None  # set by validation
    checked: bool = False


@dataclass
class FhirContext:
    """What the mapper needs beyond the resource itself: the feed and a name directory."""

    partner: str
    organisation: str
    directory: dict[str, dict] = field(default_factory=dict)
    # Content hashes the source already holds: a resource whose exact text was validated and
    # stored before is not validated again (the answer could only be the same).
    known_hashes: Container[str] = frozenset()


# ---------------------------------------------------------------------------------------------
# Validation (in worker processes for large inputs)


def validation_error(data: dict) -> str | None:
    """Why ``data`` is not a valid R4 resource, naming the field; None when it is valid."""
    resource_type = data.get("resourceType")
    if not isinstance(resource_type, str) or not resource_type:
        return "resource has no resourceType"
    try:
        model = get_fhir_model_class(resource_type)
    except (ValueError, KeyError):
        return f"'{resource_type[:60]}' is not a FHIR R4 resource type"
    try:
        model.model_validate(data)
    except ValidationError as error:
        if resource_type == "Patient" and _only_fields_kept_as_recorded(error):
            # A Patient with an impossible birthDate or an odd gender is still somebody's
            # record: it is validated without them, and the mapping keeps them as recorded.
            return validation_error(
                {k: v for k, v in data.items() if k not in PATIENT_FIELDS_KEPT_AS_RECORDED}
            )
        return _describe(resource_type, error)
    except (TypeError, ValueError) as error:  # defensive: odd input the models choke on
        return f"{resource_type} failed FHIR validation: {str(error)[:300]}"
    return None


# Patient fields whose bad value costs only that field (``mapping.FhirMapper.patient``).
PATIENT_FIELDS_KEPT_AS_RECORDED = frozenset({"birthDate", "gender"})


def _only_fields_kept_as_recorded(error: ValidationError) -> bool:
    locations = [problem.get("loc", ()) for problem in error.errors()]
    return bool(locations) and all(
        loc and loc[0] in PATIENT_FIELDS_KEPT_AS_RECORDED for loc in locations
    )


def _describe(resource_type: str, error: ValidationError) -> str:
    problems = error.errors()
    if not problems:
        return f"{resource_type} failed FHIR validation"
    first = problems[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "__root__")
    # XML is validated element by element, so the error may come from a nested type (Period).
    model = getattr(error, "title", "") or resource_type
    if model != resource_type:
        where = f"{resource_type}: {model}.{where}" if where else f"{resource_type}: {model}"
    else:
        where = f"{resource_type}.{where}" if where else resource_type
    message = " ".join(str(first.get("msg", "")).split())[:300]
    more = len(problems) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"failed FHIR validation: {where}: {message}{tail}"


def _validate_text(text: str) -> str | None:
    """Validation of a resource's own text, parsed strictly (orjson refuses lone surrogates)."""
    if "\\u0000" in text:
        return "resource contains a NUL character (\\u0000), which cannot be stored"
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        if "depth limit" in str(error):
            return f"resource {_TOO_DEEP}"
        return f"resource is not valid JSON ({error})"
    return validation_error(data)


def _validate_texts(texts: list[str]) -> list[str | None]:
    """Worker entry point: texts travel between processes more cheaply than dicts."""
    return [_validate_text(text) for text in texts]


_executor: ProcessPoolExecutor | None = None
_WARM_TYPES = (
    "Patient",
    "Encounter",
    "Condition",
    "Observation",
    "CarePlan",
    "EpisodeOfCare",
    "Flag",
    "ServiceRequest",
    "Organization",
    "Practitioner",
    "Claim",
    "ExplanationOfBenefit",
    "Immunization",
    "Procedure",
    "DiagnosticReport",
    "MedicationRequest",
    "RelatedPerson",
    "CareTeam",
    "AllergyIntolerance",
)


def start_workers() -> bool:
    """Fork the validation workers now, if this machine has cores to spare.

    Called before ingest starts its writer thread: forking a process that is running other
    threads can leave the children holding a lock nobody will release. The workers are shared
    by every file the command reads and stopped by ``shutdown_pool``.
    """
    global _executor
    if _executor is None:
        if (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return False
        for name in _WARM_TYPES:  # import model modules once, before forking, so workers share them
            get_fhir_model_class(name)
        workers = int(os.environ.get("WRAPAROUND_INGEST_WORKERS", "2"))
        _executor = ProcessPoolExecutor(
            max_workers=max(1, workers), mp_context=multiprocessing.get_context("fork")
        )
        _executor.submit(int).result()  # the workers are forked on first use: do it now
    return True


def shutdown_pool() -> None:
    """Stop the workers (called when an ingest command ends)."""
    global _executor
    if _executor is not None:
        executor, _executor = _executor, None
        executor.shutdown(wait=True, cancel_futures=True)


def _validate(resources: list[Resource]) -> None:
    todo = [r for r in resources if not r.checked]
    pool = _executor if len(todo) >= PARALLEL_THRESHOLD else None
    position = 0
    if pool is not None:
        futures = [
            pool.submit(_validate_texts, [r.text for r in todo[i : i + CHUNK]])
            for i in range(0, len(todo), CHUNK)
        ]
        try:
            for future in futures:
                for error in future.result():
                    todo[position].error = error
                    position += 1
        except BrokenProcessPool:  # a worker died (out of memory?): carry on in this process
            shutdown_pool()
    for resource in todo[position:]:
        resource.error = _validate_text(resource.text)


# ---------------------------------------------------------------------------------------------
# Reading JSON, NDJSON and XML into resources


_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")
# A Bundle inside a Bundle is legitimate (a message or document carried in a batch); deeper
# than this is not something a partner system sends, and each level costs a recursion.
MAX_BUNDLE_DEPTH = 3
# Characters read from a JSON file at a time: a Bundle is never held whole, only the entry
# being read and what is waiting for validation (``STREAM_WINDOW`` resources).
STREAM_CHUNK = 1 << 20
STREAM_WINDOW = 1_000
STREAM_WINDOW_CHARS = 8_000_000
_TOO_DEEP = "is nested too deeply to read (hundreds of levels of JSON objects and arrays)"


def _skip(text: str, position: int) -> int:
    return _WHITESPACE.match(text, position).end()


def _expect(text: str, position: int, char: str) -> int:
    position = _skip(text, position)
    if text[position : position + 1] != char:
        raise ValueError(f"expected '{char}' at character {position}")
    return position + 1


class _Walker:
    """Finds where values start and end in JSON text already in memory (one entry, one line),
    with the standard library's C scanner, so a stored payload is exactly what was sent."""

    def __init__(self, text: str):
        self.text = text
        self.scan = _DECODER.scan_once

    def value(self, position: int) -> tuple[object, int]:
        try:
            return self.scan(self.text, position)
        except StopIteration:
            raise ValueError(f"invalid JSON value at character {position}") from None

    def members(self, position: int, on_member: Callable[[str, int], int]) -> int:
        """Call ``on_member(key, value_start) -> value_end`` for each member; return the end."""
        text = self.text
        position = _expect(text, position, "{")
        position = _skip(text, position)
        if text[position : position + 1] == "}":
            return position + 1
        while True:
            key, position = self.value(_skip(text, position))
            if not isinstance(key, str):
                raise ValueError(f"object key expected at character {position}")
            position = _expect(text, position, ":")
            position = on_member(key, _skip(text, position))
            position = _skip(text, position)
            char = text[position : position + 1]
            if char == ",":
                position += 1
                continue
            if char == "}":
                return position + 1
            raise ValueError(f"expected ',' or '}}' at character {position}")

    def items(self, position: int, on_item: Callable[[int], int]) -> int:
        text = self.text
        position = _expect(text, position, "[")
        position = _skip(text, position)
        if text[position : position + 1] == "]":
            return position + 1
        while True:
            position = _skip(text, on_item(_skip(text, position)))
            char = text[position : position + 1]
            if char == ",":
                position += 1
                continue
            if char == "]":
                return position + 1
            raise ValueError(f"expected ',' or ']' at character {position}")

    def bundle_entries(self, start: int) -> list[tuple[int, int, object]]:
        """(start, end, value) of each entry of the bundle at ``start``."""
        entries: list[tuple[int, int, object]] = []

        def on_entry(position: int) -> int:
            value, end = self.value(position)
            entries.append((position, end, value))
            return end

        def on_top(key: str, value_start: int) -> int:
            if key == "entry" and self.text[value_start : value_start + 1] == "[":
                return self.items(value_start, on_entry)
            return self.value(value_start)[1]

        self.members(start, on_top)
        return entries

    def member_span(self, key: str) -> tuple[int, int]:
        """Where the value of the top-level member ``key`` starts and ends."""
        span = [0, 0]

        def on_member(name: str, value_start: int) -> int:
            end = self.value(value_start)[1]
            if name == key:
                span[0], span[1] = value_start, end
            return end

        self.members(0, on_member)
        return span[0], span[1]


def _entry_items(text: str, entry, locator: str, out: list, depth: int) -> None:
    """Add what one bundle entry holds to ``out``: its resource, the resources of a nested
    Bundle, or a refusal saying what is wrong with the entry."""
    if not isinstance(entry, dict):
        out.append(Rejected(locator, "bundle entry is not a JSON object", storable(text)))
        return
    resource = entry.get("resource")
    if resource is None:
        out.append(Rejected(locator, "bundle entry has no resource", storable(text)))
        return
    if not isinstance(resource, dict):
        out.append(Rejected(locator, "bundle entry resource is not a JSON object", text))
        return
    start, end = _Walker(text).member_span("resource")
    resource_text = text[start:end]
    full_url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else ""
    if resource.get("resourceType") != "Bundle":
        out.append(Resource(locator, resource_text, resource, full_url))
    elif depth >= MAX_BUNDLE_DEPTH:
        out.append(
            Rejected(
                locator,
                f"a Bundle nested inside {depth} other Bundles (more than {MAX_BUNDLE_DEPTH} "
                "deep) is not read; send its resources in a flatter bundle",
                resource_text[:MAX_ITEM_CHARS],
            )
        )
    else:
        _bundle_resources(resource_text, resource, locator, out, depth=depth + 1)


def _bundle_resources(text: str, data: dict, prefix: str, out: list, *, depth: int = 1) -> None:
    """Add each entry's resource of the bundle ``text`` (in memory) to ``out``."""
    try:
        entries = _Walker(text).bundle_entries(0)
    except RecursionError:
        out.append(Rejected(prefix, f"bundle {_TOO_DEEP}", text[:1000]))
        return
    except ValueError as error:  # orjson already accepted the text, so this is unexpected
        raise FileUnreadable(f"{prefix}: bundle could not be read ({error})") from None
    for number, (start, end, entry) in enumerate(entries, start=1):
        _entry_items(text[start:end], entry, f"{prefix} entry {number}", out, depth)


class _JsonStream:
    """A JSON file read a piece at a time, keeping only the text not yet consumed.

    A 200 MB Bundle read whole took 5 GB (the text, then every resource as Python objects);
    read this way the memory held is the entry being read plus a window of resources waiting
    for validation. Values are parsed with the C scanner; one cut short by the end of the text
    read so far is parsed again once more has been read.
    """

    def __init__(self, path: Path):
        self.path = path
        self.handle = open(path, "rb")  # noqa: SIM115 - closed by close()
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.text = ""
        self.consumed = 0  # characters dropped from the front of ``text``
        self.bytes_read = 0
        self.eof = False

    def close(self) -> None:
        self.handle.close()

    def __enter__(self) -> "_JsonStream":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def where(self, position: int) -> str:
        return f"character {self.consumed + position:,}"

    def more(self) -> bool:
        """Read the next piece; False at the end of the file."""
        if self.eof:
            return False
        chunk = self.handle.read(STREAM_CHUNK)
        if self.bytes_read == 0 and chunk.startswith(b"\xef\xbb\xbf"):
            chunk = chunk[3:]
            self.bytes_read = 3
        try:
            piece = self.decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            raise FileUnreadable(
                f"{self.path} is not UTF-8 text (byte {self.bytes_read + error.start:,}); "
                "FHIR JSON must be UTF-8"
            ) from None
        self.bytes_read += len(chunk)
        self.eof = not chunk
        self.text += piece
        return True

    def consume(self, position: int) -> int:
        """Forget the text before ``position`` (a position in the current text); returns 0."""
        self.text = self.text[position:]
        self.consumed += position
        return 0

    def next_char(self, position: int) -> tuple[int, str]:
        """The position and character of the next non-blank character ("" at the end)."""
        while True:
            position = _skip(self.text, position)
            if position < len(self.text) or not self.more():
                return position, self.text[position : position + 1]

    def expect(self, position: int, chars: str) -> tuple[int, str]:
        position, char = self.next_char(position)
        if not char or char not in chars:
            found = f"'{char}'" if char else "the end of the file"
            raise FileUnreadable(
                f"{self.path} is not valid JSON (expected {' or '.join(chars)} at "
                f"{self.where(position)}, found {found})"
            )
        return position + 1, char

    def value(self, position: int) -> tuple[object, int]:
        """The value starting at ``position`` and where it ends (RecursionError when nested
        too deeply for the scanner; ``_Oversized`` when over ``MAX_ITEM_CHARS``)."""
        while True:
            try:
                value, end = _DECODER.scan_once(self.text, position)
            except (StopIteration, ValueError) as error:
                if len(self.text) - position <= MAX_ITEM_CHARS and self.more():
                    continue
                if len(self.text) - position > MAX_ITEM_CHARS:
                    raise _Oversized from None
                detail = error.msg if isinstance(error, json.JSONDecodeError) else "bad value"
                raise FileUnreadable(
                    f"{self.path} is not valid JSON ({detail} at {self.where(position)})"
                ) from None
            if end >= len(self.text) and self.more():
                continue  # a number may have been cut short by the end of the piece read
            return value, end

    def skip_value(self, position: int) -> tuple[int, str]:
        """Skip the value at ``position`` without parsing it (for values too deep or too large
        to parse): its end and its first 1,000 characters. Consumes the text as it goes."""
        head = None
        depth = 0
        while True:
            if position > STREAM_CHUNK:
                position = self.consume(position)
            position, char = self.next_char(position)
            if not char:
                raise FileUnreadable(f"{self.path} is not valid JSON (it ends mid-value)")
            if head is None:
                head = self.text[position : position + 1000]
            if char == '"':
                match = _STRING.match(self.text, position)
                while match is None:  # the string goes on past the text read so far
                    if not self.more():
                        raise FileUnreadable(f"{self.path} is not valid JSON (unended string)")
                    match = _STRING.match(self.text, position)
                position = match.end()
            elif char in "[{":
                depth += 1
                position += 1
            elif char in "]}":
                depth -= 1
                position += 1
            elif char in ",:":
                position += 1
            else:
                position = _SCALAR.match(self.text, position).end()
            if depth <= 0:
                return position, head


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_SCALAR = re.compile(r'[^\s,:\[\]{}"]+')


class _Oversized(Exception):
    """A value longer than ``MAX_ITEM_CHARS``."""


def _members(stream: _JsonStream, *, on_entries=None) -> Iterator[tuple[str, object]]:
    """(key, value) for each top-level member of the JSON object in ``stream``.

    The ``entry`` array is not parsed here: ``on_entries(position)`` reads it (returning where
    it ends) and the member is reported with ``None``. Without ``on_entries`` it is skipped.
    """
    position, char = stream.next_char(0)
    if char != "{":
        if char in '["0123456789-tfn':
            raise FileUnreadable(f"{stream.path} is JSON but not a FHIR resource (not an object)")
        position, _ = stream.expect(position, "{")
    position, char = stream.next_char(position + 1)
    if char == "}":
        return
    while True:
        try:
            key, position = stream.value(position)
        except (RecursionError, _Oversized):
            raise FileUnreadable(f"{stream.path} is not valid FHIR JSON") from None
        if not isinstance(key, str):
            raise FileUnreadable(f"{stream.path} is not valid JSON (a key that is not a string)")
        position, _ = stream.expect(position, ":")
        position, char = stream.next_char(position)
        if key == "entry" and char == "[":
            if on_entries is not None:
                position = yield from on_entries(position)
            else:
                position = _skip_entries(stream, position)
            value = None
        else:
            try:
                value, position = stream.value(position)
            except (RecursionError, _Oversized):
                position, _ = stream.skip_value(position)
                value = None
        position = stream.consume(position)
        yield key, value
        position, char = stream.expect(position, ",}")
        if char == "}":
            break
        position, _ = stream.next_char(position)
    position, char = stream.next_char(position)
    if char:
        raise FileUnreadable(
            f"{stream.path} is not valid JSON (more text after the end, at {stream.where(position)})"
        )


def _skip_entries(stream: _JsonStream, position: int) -> int:
    """Read through the entry array, checking it is JSON; where it ends."""
    entries = _entries(stream, position, "", check_only=True)
    while True:
        try:
            next(entries)
        except StopIteration as stop:
            return stop.value


def _entries(
    stream: _JsonStream, position: int, prefix: str, *, check_only: bool = False
) -> Iterator:
    """The items of the bundle's ``entry`` array, one entry in memory at a time."""
    position, _ = stream.expect(position, "[")
    position, char = stream.next_char(position)
    if char == "]":
        return position + 1
    number = 0
    while True:
        number += 1
        locator = f"{prefix} entry {number}"
        found: list = []
        try:
            entry, end = stream.value(position)
            if not check_only:
                try:
                    _entry_items(stream.text[position:end], entry, locator, found, 1)
                except RecursionError:
                    head = stream.text[position : position + 1000]
                    found = [Rejected(locator, f"bundle entry {_TOO_DEEP}", head)]
        except RecursionError:
            end, head = stream.skip_value(position)
            found.append(Rejected(locator, f"bundle entry {_TOO_DEEP}", head))
        except _Oversized:
            end, head = stream.skip_value(position)
            found.append(
                Rejected(locator, f"bundle entry is over {MAX_ITEM_CHARS:,} characters", head)
            )
        position = stream.consume(end)
        yield from found
        position, char = stream.expect(position, ",]")
        if char == "]":
            return position
        position, char = stream.next_char(position)
        if char == "]":
            raise FileUnreadable(
                f"{stream.path} is not valid JSON (a comma before ']' at {stream.where(position)})"
            )


def _top_resource_type(path: Path) -> str:
    """The resourceType of the JSON object a file holds, read without holding the file."""
    with _JsonStream(path) as stream:
        for key, value in _members(stream):
            if key == "resourceType":
                if isinstance(value, str) and value:
                    return value
                break
    raise FileUnreadable(f"{path} is JSON but not a FHIR resource (no resourceType)")


def check_json(path: Path) -> None:
    """Read a FHIR JSON file through once, so that one which is not JSON at all is refused
    before anything from it is written (the ingest itself then streams it)."""
    if _looks_like_ndjson(path):
        check_ndjson(path)
        return
    _top_resource_type(path)
    with _JsonStream(path) as stream:
        for _ in _members(stream):
            pass


def check_ndjson(path: Path) -> None:
    """An NDJSON file with no line but blank ones is refused (every other problem is a line's)."""
    with open(path, "rb") as handle:
        for line in iter(lambda: handle.readline(STREAM_CHUNK), b""):
            if line.strip(b" \t\r\n\xef\xbb\xbf"):
                return
    raise FileUnreadable(f"{path} is empty")


def _looks_like_ndjson(path: Path) -> bool:
    """A ``.json`` file whose first line is a whole JSON object with more lines after it."""
    with open(path, "rb") as handle:
        first = handle.readline(MAX_ITEM_CHARS + 1)
        if not first.endswith(b"\n"):
            return False
        rest = handle.read(4096).strip()
    try:
        return bool(rest) and isinstance(orjson.loads(first.lstrip(b"\xef\xbb\xbf")), dict)
    except orjson.JSONDecodeError:
        return False


def read_fhir_json(
    path: Path,
    *,
    ndjson: bool,
    context: FhirContext,
    on_progress: Callable[[int], None],
) -> Iterator[Item]:
    """Every resource of a FHIR JSON or NDJSON file as a record, an event or a refusal."""
    if ndjson or _looks_like_ndjson(path):
        yield from _read_ndjson(path, context=context, on_progress=on_progress)
        return
    if _top_resource_type(path) != "Bundle":
        yield from _single_resource(path, context=context, on_progress=on_progress)
        return
    full_urls: dict[str, str] = {}
    window: list = []
    with _JsonStream(path) as stream:
        reported = 0
        members = _members(stream, on_entries=lambda at: _entries(stream, at, path.name))
        held = 0
        for item in _stream_items(members):
            window.append(item)
            held += len(item.text) if isinstance(item, Resource) else len(item.raw)
            if len(window) >= STREAM_WINDOW or held >= STREAM_WINDOW_CHARS:
                yield from _validated_items(window, context, full_urls)
                window = []
                held = 0
                on_progress(stream.bytes_read - reported)
                reported = stream.bytes_read
        yield from _validated_items(window, context, full_urls)
        on_progress(stream.bytes_read - reported)


def _stream_items(members: Iterator) -> Iterator:
    """The items ``_members`` yields from the entry array (its own (key, value) pairs dropped)."""
    for found in members:
        if not isinstance(found, tuple):
            yield found


def _single_resource(
    path: Path, *, context: FhirContext, on_progress: Callable[[int], None]
) -> Iterator[Item]:
    """A file holding one resource that is not a Bundle (read whole: it is at most
    ``MAX_ITEM_CHARS`` characters, or quarantined unread)."""
    size = path.stat().st_size
    if size > MAX_ITEM_CHARS * 4:
        with open(path, "rb") as handle:
            head = handle.read(1000).decode("utf-8", "replace")
        found: list = [Rejected(path.name, f"resource is {size:,} bytes, over the limit", head)]
    else:
        text = _decode(path.read_bytes(), path)
        if len(text) > MAX_ITEM_CHARS:
            found = [
                Rejected(
                    path.name, f"resource is {len(text)} characters, over the limit", text[:1000]
                )
            ]
        else:
            found = [Resource(path.name, text.strip(), orjson.loads(text))]
    yield from _validated_items(found, context)
    on_progress(size)


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileUnreadable(
            f"{path} is not UTF-8 text (byte {error.start}); FHIR JSON must be UTF-8"
        ) from None


def _read_ndjson(
    path: Path, *, context: FhirContext, on_progress: Callable[[int], None]
) -> Iterator[Item]:
    window: list = []
    done_bytes = 0
    anything = False
    with open(path, "rb") as handle:
        number = 0
        while True:
            line = handle.readline(MAX_ITEM_CHARS + 1)
            if not line:
                break
            number += 1
            done_bytes += len(line)
            if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            locator = f"{path.name} line {number}"
            if len(line) > MAX_ITEM_CHARS and not line.endswith(b"\n"):
                head = line[:1000].decode("utf-8", "replace")
                while line and not line.endswith(b"\n"):  # the rest of the over-long line
                    line = handle.readline(STREAM_CHUNK)
                    done_bytes += len(line)
                anything = True
                window.append(
                    Rejected(locator, f"line is over {MAX_ITEM_CHARS:,} characters", head)
                )
                continue
            line = line.rstrip(b"\r\n")
            if not line.strip():
                continue
            anything = True
            window.extend(_ndjson_line(line, locator))
            if len(window) >= WINDOW:
                yield from _validated_items(window, context)
                on_progress(done_bytes)
                done_bytes = 0
                window = []
    if not anything:
        raise FileUnreadable(f"{path} is empty")
    yield from _validated_items(window, context)
    on_progress(done_bytes)


def _ndjson_line(line: bytes, locator: str) -> list:
    """What one NDJSON line holds: a resource, a bundle's resources, or a refusal."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        return [
            Rejected(
                locator,
                f"line is not UTF-8 text (byte {error.start})",
                storable(line.decode("utf-8", "surrogateescape")),
            )
        ]
    if len(text) > MAX_ITEM_CHARS:
        return [Rejected(locator, f"line is {len(text)} characters, over the limit", text[:1000])]
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        if "depth limit" in str(error):
            return [Rejected(locator, f"line {_TOO_DEEP}", text[:MAX_ITEM_CHARS])]
        return [Rejected(locator, f"line is not valid JSON ({error})", storable(text))]
    if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
        return [Rejected(locator, "line is not a FHIR resource (no resourceType)", text)]
    if data["resourceType"] == "Bundle":
        found: list = []
        _bundle_resources(text, data, locator, found)
        return found
    return [Resource(locator, text, data)]


def _safe_parser() -> etree.XMLParser:
    """No external entities, no network, no billion laughs: partner XML is untrusted input."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
    )


def check_xml(path: Path) -> None:
    """Parse a FHIR XML file once with the safe parser, so one that is not well-formed (or
    nests deeper than libxml2's limit of 256 elements) is refused before anything is written."""
    _xml_root(path, path.read_bytes())


def _xml_root(path: Path, raw: bytes):
    if not raw.strip():
        raise FileUnreadable(f"{path} is empty")
    try:
        root = etree.fromstring(raw, parser=_safe_parser())
    except etree.XMLSyntaxError as error:
        raise FileUnreadable(f"{path} is not valid XML ({error})") from None
    if root is None or not isinstance(root.tag, str):
        raise FileUnreadable(f"{path} is not valid XML (no root element)")
    if not root.tag.startswith(f"{{{FHIR_NS}}}"):
        raise FileUnreadable(f"{path} is XML but not FHIR (root element is not in {FHIR_NS})")
    return root


def read_fhir_xml(
    path: Path, raw: bytes, *, context: FhirContext, on_progress: Callable[[int], None]
) -> Iterator[Item]:
    """Every resource of a FHIR XML file (one resource or a Bundle)."""
    root = _xml_root(path, raw)
    namespace, _, name = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", "")
    if namespace != FHIR_NS:
        raise FileUnreadable(f"{path} is XML but not FHIR (root element is not in {FHIR_NS})")
    found: list = []
    if name == "Bundle":
        _xml_bundle(root, path.name, found)
    else:
        found.append(_xml_resource(root, path.name, ""))
    yield from _validated_items(found, context)
    on_progress(len(raw))


def _xml_bundle(root, prefix: str, out: list, depth: int = 1) -> None:
    ns = {"f": FHIR_NS}
    for number, entry in enumerate(root.findall("f:entry", ns), start=1):
        locator = f"{prefix} entry {number}"
        full_url_node = entry.find("f:fullUrl", ns)
        full_url = full_url_node.get("value", "") if full_url_node is not None else ""
        holder = entry.find("f:resource", ns)
        children = [c for c in holder if isinstance(c.tag, str)] if holder is not None else []
        if not children:
            out.append(
                Rejected(
                    locator,
                    "bundle entry has no resource",
                    etree.tostring(entry, encoding="unicode"),
                )
            )
            continue
        element = children[0]
        if element.tag == f"{{{FHIR_NS}}}Bundle" and depth >= MAX_BUNDLE_DEPTH:
            out.append(
                Rejected(
                    locator,
                    f"a Bundle nested inside {depth} other Bundles (more than "
                    f"{MAX_BUNDLE_DEPTH} deep) is not read; send its resources in a flatter bundle",
                    etree.tostring(element, encoding="unicode")[:MAX_ITEM_CHARS],
                )
            )
        elif element.tag == f"{{{FHIR_NS}}}Bundle":
            _xml_bundle(element, locator, out, depth + 1)
        else:
            out.append(_xml_resource(element, locator, full_url))


def _xml_resource(element, locator: str, full_url: str) -> Resource | Rejected:
    """Validate one XML resource now (XML is small and parsed here) and keep it as JSON."""
    xml_text = etree.tostring(element, encoding="unicode")
    resource_type = etree.QName(element).localname
    try:
        model = get_fhir_model_class(resource_type)
    except (ValueError, KeyError):
        return Rejected(locator, f"'{resource_type[:60]}' is not a FHIR R4 resource type", xml_text)
    set_aside: dict[str, str] = {}
    try:
        try:
            validated = model.model_validate_xml(etree.tostring(element), xmlparser=_safe_parser())
        except ValidationError as error:
            if resource_type != "Patient" or not _only_fields_kept_as_recorded(error):
                raise
            # As for JSON: validate the Patient without them; the mapping keeps them as recorded.
            element, set_aside = _without_fields_kept_as_recorded(element)
            validated = model.model_validate_xml(etree.tostring(element), xmlparser=_safe_parser())
    except ValidationError as error:
        return Rejected(locator, _describe(resource_type, error), xml_text)
    except (ValueError, TypeError, KeyError, etree.LxmlError) as error:
        return Rejected(
            locator, f"{resource_type} failed FHIR validation: {str(error)[:300]}", xml_text
        )
    text = validated.model_dump_json()
    data = orjson.loads(text)
    if set_aside:
        data.update(set_aside)
        text = orjson.dumps(data).decode()
    return Resource(locator, text, data, full_url, None, True)


def _without_fields_kept_as_recorded(element) -> tuple[object, dict[str, str]]:
    """A copy of a Patient element without ``birthDate``/``gender``, and their values as sent."""
    copy = deepcopy(element)
    found = {}
    for child in list(copy):
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions
        name = etree.QName(child).localname
        if name in PATIENT_FIELDS_KEPT_AS_RECORDED:
            found[name] = child.get("value") or ""
            copy.remove(child)
    return copy, found


# ---------------------------------------------------------------------------------------------
# From validated resources to records and events


def _validated_items(
    found: list, context: FhirContext, full_urls: dict[str, str] | None = None
) -> Iterator[Item]:
    """Validate and map a window of resources. ``full_urls`` (bundle ``fullUrl`` to
    ``Type/id``) is shared by the windows of one streamed bundle, so references resolve across
    windows."""
    resources = [item for item in found if isinstance(item, Resource)]
    digests = {}
    for resource in resources:
        digest = digests[id(resource)] = content_hash(resource.text)
        if digest in context.known_hashes:
            resource.checked = True
    _validate(resources)
    mapper = FhirMapper(
        partner=context.partner,
        organisation=context.organisation,
        directory=context.directory,
        full_urls=_learn_full_urls(resources, {} if full_urls is None else full_urls),
    )
    for resource in resources:  # names first, so references resolve in any order
        if resource.error is None:
            mapper.learn(resource.data)
    for item in found:
        if not isinstance(item, Resource):
            yield item
        elif item.error is not None:
            yield Rejected(item.locator, item.error, storable(item.text))
        else:
            yield mapper.to_item(
                item.data,
                text=item.text,
                digest=digests[id(item)],
                locator=item.locator,
                full_url=item.full_url,
            )


def _learn_full_urls(resources: list[Resource], full_urls: dict[str, str]) -> dict[str, str]:
    for r in resources:
        if r.full_url and r.data.get("id"):
            full_urls[r.full_url] = f"{r.data.get('resourceType')}/{r.data.get('id')}"
    return full_urls
