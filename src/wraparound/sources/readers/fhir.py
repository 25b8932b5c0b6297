"""FHIR R4 feeds: JSON (a Bundle of any type or one resource), Bulk Data NDJSON and XML.

The only module that imports ``fhir.resources``. Every resource is validated with the R4B
models (structural validation: types, cardinality, unknown elements; no terminology or UK Core
profile checks). A resource that fails is quarantined with the first failing field named.

What we keep is the partner's own text: for JSON and NDJSON the exact characters of each
resource (cut out of the bundle, not re-serialised), for XML a compact JSON rendering of the
validated resource (so every FHIR payload in the database is JSON). Patient becomes a
``SourceRecord``; every other resource becomes an ``Event`` (see ``docs/feeds.md``).
"""

import json
import multiprocessing
import os
import re
from collections.abc import Callable, Container, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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
        return _describe(resource_type, error)
    except (TypeError, ValueError) as error:  # defensive: odd input the models choke on
        return f"{resource_type} failed FHIR validation: {str(error)[:300]}"
    return None


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


def _skip(text: str, position: int) -> int:
    return _WHITESPACE.match(text, position).end()


def _expect(text: str, position: int, char: str) -> int:
    position = _skip(text, position)
    if text[position : position + 1] != char:
        raise ValueError(f"expected '{char}' at character {position}")
    return position + 1


class _Walker:
    """Cuts each entry's resource out of a Bundle's JSON text, keeping its exact characters.

    It walks the bundle with the standard library's C scanner, which returns each value with
    the position where it ends, so the stored payload is exactly what the partner sent.
    """

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

    def bundle_entries(self, start: int) -> list[tuple[int, int, dict]]:
        """(start, end, entry-without-resource) for each entry of the bundle at ``start``."""
        entries: list[tuple[int, int, dict]] = []

        def on_entry(position: int) -> int:
            entry: dict = {}
            span = [position, position]

            def on_member(key: str, value_start: int) -> int:
                value, end = self.value(value_start)
                entry[key] = value
                if key == "resource":
                    span[0], span[1] = value_start, end
                return end

            if self.text[position : position + 1] != "{":
                value, end = self.value(position)
                entries.append((position, end, {"__not_an_object__": value}))
                return end
            end = self.members(position, on_member)
            entry["__entry_span__"] = (position, end)
            entries.append((span[0], span[1], entry))
            return end

        def on_top(key: str, value_start: int) -> int:
            if key == "entry" and self.text[value_start : value_start + 1] == "[":
                return self.items(value_start, on_entry)
            return self.value(value_start)[1]

        self.members(start, on_top)
        return entries


def _bundle_resources(text: str, data: dict, prefix: str, out: list) -> None:
    """Add each entry's resource of the bundle ``text`` to ``out`` (refusals for bad entries)."""
    walker = _Walker(text)
    try:
        entries = walker.bundle_entries(0)
    except ValueError as error:  # orjson already accepted the file, so this is unexpected
        raise FileUnreadable(f"{prefix}: bundle could not be read ({error})") from None
    for number, (start, end, entry) in enumerate(entries, start=1):
        locator = f"{prefix} entry {number}"
        if "__not_an_object__" in entry:
            out.append(Rejected(locator, "bundle entry is not a JSON object", text[start:end]))
            continue
        entry_start, entry_end = entry["__entry_span__"]
        resource = entry.get("resource")
        if resource is None:
            out.append(
                Rejected(locator, "bundle entry has no resource", text[entry_start:entry_end])
            )
            continue
        if not isinstance(resource, dict):
            out.append(
                Rejected(locator, "bundle entry resource is not a JSON object", text[start:end])
            )
            continue
        resource_text = text[start:end]
        full_url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else ""
        if resource.get("resourceType") == "Bundle":
            _bundle_resources(resource_text, resource, locator, out)
            continue
        out.append(Resource(locator, resource_text, resource, full_url))


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileUnreadable(
            f"{path} is not UTF-8 text (byte {error.start}); FHIR JSON must be UTF-8"
        ) from None


def read_fhir_json(
    path: Path,
    raw: bytes,
    *,
    ndjson: bool,
    context: FhirContext,
    on_progress: Callable[[int], None],
) -> Iterator[Item]:
    """Every resource of a FHIR JSON or NDJSON file as a record, an event or a refusal."""
    if not ndjson:
        text = _decode(raw, path)
        if not text.strip():
            raise FileUnreadable(f"{path} is empty")
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            # A .json file that is really NDJSON (one resource per line) is read as such.
            first = text.lstrip().split("\n", 1)[0]
            if "\n" in text.strip() and _is_json_object(first):
                ndjson = True
            else:
                raise FileUnreadable(f"{path} is not valid JSON ({error})") from None
    if ndjson:
        yield from _read_ndjson(path, raw, context=context, on_progress=on_progress)
        return
    if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
        raise FileUnreadable(f"{path} is JSON but not a FHIR resource (no resourceType)")
    found: list = []
    if data["resourceType"] == "Bundle":
        _bundle_resources(text, data, path.name, found)
    elif len(text) > MAX_ITEM_CHARS:
        found.append(
            Rejected(path.name, f"resource is {len(text)} characters, over the limit", text[:1000])
        )
    else:
        found.append(Resource(path.name, text.strip(), data))
    yield from _validated_items(found, context)
    on_progress(len(raw))


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


def _read_ndjson(
    path: Path, raw: bytes, *, context: FhirContext, on_progress: Callable[[int], None]
) -> Iterator[Item]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise FileUnreadable(f"{path} is empty")
    window: list = []
    done_bytes = 0
    for number, line in enumerate(raw.split(b"\n"), start=1):
        done_bytes += len(line) + 1
        line = line.rstrip(b"\r")
        if not line.strip():
            continue
        locator = f"{path.name} line {number}"
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as error:
            window.append(
                Rejected(
                    locator,
                    f"line is not UTF-8 text (byte {error.start})",
                    storable(line.decode("utf-8", "surrogateescape")),
                )
            )
            continue
        if len(text) > MAX_ITEM_CHARS:
            window.append(
                Rejected(locator, f"line is {len(text)} characters, over the limit", text[:1000])
            )
            continue
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            window.append(Rejected(locator, f"line is not valid JSON ({error})", storable(text)))
            continue
        if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
            window.append(Rejected(locator, "line is not a FHIR resource (no resourceType)", text))
            continue
        if data["resourceType"] == "Bundle":
            _bundle_resources(text, data, locator, window)
        else:
            window.append(Resource(locator, text, data))
        if len(window) >= WINDOW:
            yield from _validated_items(window, context)
            on_progress(done_bytes)
            done_bytes = 0
            window = []
    yield from _validated_items(window, context)
    on_progress(done_bytes)


def _safe_parser() -> etree.XMLParser:
    """No external entities, no network, no billion laughs: partner XML is untrusted input."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
    )


def read_fhir_xml(
    path: Path, raw: bytes, *, context: FhirContext, on_progress: Callable[[int], None]
) -> Iterator[Item]:
    """Every resource of a FHIR XML file (one resource or a Bundle)."""
    if not raw.strip():
        raise FileUnreadable(f"{path} is empty")
    try:
        root = etree.fromstring(raw, parser=_safe_parser())
    except etree.XMLSyntaxError as error:
        raise FileUnreadable(f"{path} is not valid XML ({error})") from None
    if root is None or not isinstance(root.tag, str):
        raise FileUnreadable(f"{path} is not valid XML (no root element)")
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


def _xml_bundle(root, prefix: str, out: list) -> None:
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
        if element.tag == f"{{{FHIR_NS}}}Bundle":
            _xml_bundle(element, locator, out)
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
    try:
        validated = model.model_validate_xml(etree.tostring(element), xmlparser=_safe_parser())
    except ValidationError as error:
        return Rejected(locator, _describe(resource_type, error), xml_text)
    except (ValueError, TypeError, KeyError, etree.LxmlError) as error:
        return Rejected(
            locator, f"{resource_type} failed FHIR validation: {str(error)[:300]}", xml_text
        )
    text = validated.model_dump_json()
    return Resource(locator, text, orjson.loads(text), full_url, None, True)


# ---------------------------------------------------------------------------------------------
# From validated resources to records and events


def _validated_items(found: list, context: FhirContext) -> Iterator[Item]:
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
        full_urls={
            r.full_url: f"{r.data.get('resourceType')}/{r.data.get('id')}"
            for r in resources
            if r.full_url and r.data.get("id")
        },
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
