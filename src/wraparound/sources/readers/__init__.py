"""Readers: one per file format, each turning a partner's file into records, events and refusals.

``open_feed`` decides what kind of file it has been given (by its name, else by its first
bytes) and refuses, with a one-line reason, anything it cannot read at all: a missing file, a
directory, an empty or oversized file, a binary file, an unknown type. Row-level problems are
not errors: they become ``Rejected`` items that ingest quarantines.
"""

import re
import sys
from collections.abc import Callable, Container, Iterator
from pathlib import Path

from wraparound.sources.readers.rows import (
    EventRow,
    FileUnreadable,
    Item,
    RecordRow,
    Rejected,
    max_file_bytes,
)

__all__ = [
    "EventRow",
    "FileUnreadable",
    "Item",
    "RecordRow",
    "Rejected",
    "check_contents",
    "check_file",
    "first_resource_type",
    "read_feed",
    "shutdown_workers",
    "start_workers_if_worthwhile",
]

EXTENSIONS = {
    ".csv": "csv",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".xml": "xml",
}
_BINARY_SIGNATURES = (
    b"PK\x03\x04",  # zip, xlsx, docx
    b"%PDF",
    b"\x89PNG",
    b"\x1f\x8b",  # gzip
    b"\xd0\xcf\x11\xe0",  # old Excel / Word
    b"\xff\xfe",  # UTF-16
    b"\xfe\xff",
)


def check_file(path: Path) -> str:
    """The file's format ("csv", "json", "ndjson" or "xml"), or ``FileUnreadable`` saying why not.

    Run on every file before anything is written, so a command with one bad file fails fast.
    """
    if not path.exists():
        raise FileUnreadable(f"{path}: no such file")
    if path.is_dir():
        raise FileUnreadable(f"{path} is a directory; name the files to ingest")
    if not path.is_file():
        raise FileUnreadable(f"{path} is not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise FileUnreadable(f"{path} is empty")
    limit = max_file_bytes()
    if size > limit:
        raise FileUnreadable(
            f"{path} is {size:,} bytes, over the limit of {limit:,} "
            "(set WRAPAROUND_INGEST_MAX_BYTES to raise it)"
        )
    try:
        with open(path, "rb") as handle:
            head = handle.read(65536)
    except OSError as error:
        raise FileUnreadable(f"{path} cannot be read ({error.strerror})") from None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileUnreadable(f"{path} is UTF-16 text; partner files must be UTF-8")
    if _looks_binary(head):
        raise FileUnreadable(f"{path} is a binary file, not CSV, JSON or XML text")
    kind = EXTENSIONS.get(path.suffix.lower())
    if kind:
        return kind
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"{":
        return "json"
    if start == b"<":
        return "xml"
    raise FileUnreadable(
        f"{path}: unknown file type (expected .csv, .json, .ndjson or .xml, or JSON or XML content)"
    )


_RESOURCE_TYPE_JSON = re.compile(rb'"resourceType"\s*:\s*"([A-Za-z]+)"')
_ROOT_XML = re.compile(rb"<([A-Za-z]+)[\s>/]")


def first_resource_type(path: Path, kind: str) -> str:
    """The first resource type named near the start of a FHIR file ("" when not found).

    Used to read files of organisations and practitioners first, so that other resources'
    references to them can be shown by name whatever order the files were given in.
    """
    if kind == "csv":
        return ""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if kind == "xml":
        head = re.sub(rb"<\?.*?\?>|<!--.*?-->", b"", head, flags=re.DOTALL)
        found = _ROOT_XML.search(head)
    else:
        found = _RESOURCE_TYPE_JSON.search(head)
    return found.group(1).decode("ascii") if found else ""


def _looks_binary(head: bytes) -> bool:
    if head.startswith(_BINARY_SIGNATURES):
        return True
    text = head.decode("utf-8", "replace")
    odd = sum(1 for char in text if char == "\ufffd" or (char < " " and char not in "\t\r\n"))
    return odd > max(3, len(text) // 20)


def read_feed(
    path: Path,
    kind: str,
    *,
    partner: str,
    organisation: str,
    directory: dict[str, dict],
    known_hashes: Container[str] = frozenset(),
    on_progress: Callable[[int], None],
) -> Iterator[Item]:
    """Every item of one file (already passed by ``check_file``)."""
    if kind == "csv":
        from wraparound.sources.readers.csv import read_csv

        yield from read_csv(
            path, partner=partner, organisation=organisation, on_progress=on_progress
        )
        return
    from wraparound.sources.readers import fhir

    context = fhir.FhirContext(
        partner=partner,
        organisation=organisation,
        directory=directory,
        known_hashes=known_hashes,
    )
    if kind == "xml":
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise FileUnreadable(f"{path} cannot be read ({error.strerror})") from None
        yield from fhir.read_fhir_xml(path, raw, context=context, on_progress=on_progress)
    else:
        yield from fhir.read_fhir_json(
            path, ndjson=kind == "ndjson", context=context, on_progress=on_progress
        )


# XML is parsed whole (lxml builds the tree); larger FHIR files must come as JSON or NDJSON,
# which are streamed.
MAX_XML_BYTES = 64 * 2**20


def check_contents(path: Path, kind: str) -> None:
    """Read enough of a file (already passed by ``check_file``) to know it can be ingested,
    raising ``FileUnreadable`` if not: ingest commits in batches, so a file that cannot be read
    at all must be refused before its first batch is written.

    CSV: the header (row-level problems are quarantined, never file errors). JSON: the whole
    file, streamed, for its syntax and encoding. XML: parsed whole, with the safe parser.
    """
    if kind == "csv":
        from wraparound.sources.readers.csv import read_csv

        rows = read_csv(path, partner="", organisation="", on_progress=lambda done: None)
        try:
            next(rows, None)
        finally:
            rows.close()
        return
    from wraparound.sources.readers import fhir

    if kind == "json":
        fhir.check_json(path)
    elif kind == "ndjson":
        fhir.check_ndjson(path)
    elif kind == "xml":
        size = path.stat().st_size
        if size > MAX_XML_BYTES:
            raise FileUnreadable(
                f"{path} is {size:,} bytes of XML, over the limit of {MAX_XML_BYTES:,} for XML "
                "(read whole); send large feeds as FHIR JSON or NDJSON, which are streamed"
            )
        fhir.check_xml(path)


def start_workers_if_worthwhile(files: list[Path], kinds: list[str]) -> None:
    """Start FHIR validation worker processes when the command has enough FHIR JSON to gain."""
    size = sum(
        path.stat().st_size
        for path, kind in zip(files, kinds, strict=True)
        if kind in {"json", "ndjson"}
    )
    from wraparound.sources.readers import fhir

    if size >= fhir.PARALLEL_BYTES:
        fhir.start_workers()


def shutdown_workers() -> None:
    """Stop FHIR validation worker processes, if any were started."""
    fhir = sys.modules.get("wraparound.sources.readers.fhir")
    if fhir is not None:
        fhir.shutdown_pool()
