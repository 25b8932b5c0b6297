"""What every reader hands to ingest: a record, an event, or a row it refused, with the reason.

Readers know file formats and nothing about the database; ``actions.ingest_files`` knows the
database and nothing about formats. These small types are the whole contract between them.
"""

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from wraparound.core import postcodes

LONDON = ZoneInfo("Europe/London")

# Field limits: the database columns' sizes, so nothing is cut short silently and PostgreSQL
# never refuses a row half-way through a feed. Anything longer is quarantined with the reason.
RECORD_LIMITS = {
    "source_record_id": 200,
    "nhs_number": 32,
    "given_name": 200,
    "family_name": 200,
    "sex": 32,
    "postcode": 16,
    "phone": 64,
    "other_identifier": 64,
}
EVENT_LIMITS = {
    "event_id": 300,
    "subject_record_id": 200,
    "kind": 100,
    "status": 64,
    "code": 64,
}
# Free-text fields (address, summary, extra columns) are capped too, against runaway input.
MAX_TEXT_CHARS = 20_000
# One CSV row or one FHIR resource larger than this is quarantined unread.
MAX_ITEM_CHARS = 2_000_000
# A file larger than this is refused outright (override with WRAPAROUND_INGEST_MAX_BYTES).
DEFAULT_MAX_FILE_BYTES = 4 * 2**30


def max_file_bytes() -> int:
    """The largest file ingest will open, from ``WRAPAROUND_INGEST_MAX_BYTES`` if set."""
    raw = os.environ.get("WRAPAROUND_INGEST_MAX_BYTES", "").strip()
    return int(raw) if raw.isdigit() else DEFAULT_MAX_FILE_BYTES


class FileUnreadable(Exception):
    """The whole file cannot be read: ingest stops, writes nothing, and says why in one line."""


@dataclass(slots=True)
class RecordRow:
    """One partner's record of a person (becomes a ``SourceRecord``)."""

    source_record_id: str
    format: str
    payload: str
    content_hash: str
    locator: str
    nhs_number: str = ""
    nhs_number_valid: bool = False
    given_name: str = ""
    family_name: str = ""
    date_of_birth: dt.date | None = None
    sex: str = ""
    postcode: str = ""
    address: str = ""
    phone: str = ""
    other_identifier: str = ""
    extra: dict = field(default_factory=dict)
    # Fields kept as recorded but not used to link, and why (see ``SourceRecord.problems``).
    problems: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.source_record_id


@dataclass(slots=True)
class EventRow:
    """Anything else a partner sent (becomes an ``Event``)."""

    event_id: str
    resource_type: str
    payload: str
    content_hash: str
    locator: str
    kind: str = ""
    subject_record_id: str = ""
    occurred_at: dt.datetime | None = None
    summary: str = ""
    status: str = ""
    code: str = ""
    sensitive_category: str = ""
    on_timeline: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.event_id


@dataclass(slots=True)
class Rejected:
    """A row or resource we could not accept, kept whole for a data steward with the reason."""

    locator: str
    reason: str
    raw: str


@dataclass(slots=True)
class FileLines:
    """A CSV file's physical lines, reported after its last row so that the summary reconciles
    the rows read with the file: ``lines`` = rows + ``other_lines`` (the header, blank lines,
    and the extra lines of quoted fields that hold line breaks)."""

    locator: str
    lines: int
    other_lines: int


Item = RecordRow | EventRow | Rejected | FileLines


def content_hash(text: str | bytes) -> str:
    """SHA-256 of the exact text: equal hashes mean nothing changed since the last feed."""
    if isinstance(text, str):
        text = text.encode("utf-8", "surrogatepass")
    return hashlib.sha256(text).hexdigest()


def storable(text: str) -> str:
    """Text safe for any database: NUL bytes and undecodable bytes written out visibly.

    Quarantined rows keep what the partner sent, but PostgreSQL refuses NUL characters and
    lone surrogates (left by bytes that were not UTF-8), so those are shown as ``\\x00``/``\\xe9``.
    """
    if "\x00" in text:
        text = text.replace("\x00", "\\x00")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def has_bad_characters(text: str) -> str:
    """Why ``text`` cannot be stored as it is ("" when it can)."""
    if "\x00" in text:
        return "contains a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid UTF-8 text"
    return ""


def normalise_postcode(raw: str) -> str:
    """Upper case, one space before the inward code: ``LS17 7DF`` (``core.postcodes``)."""
    return postcodes.normalise(raw)


# Sex and gender codes partners send: words, FHIR's codes, and the NHS Data Dictionary's
# (0 not known, 1 male, 2 female, 9 not specified). Anything else is kept but not used.
KNOWN_SEX_CODES = frozenset(
    {
        "male", "female", "m", "f", "man", "woman", "other", "o", "unknown", "u",
        "not known", "not specified", "indeterminate", "i", "x", "0", "1", "2", "9",
    }
)  # fmt: skip


def as_recorded(value: str, problem: str) -> dict:
    """One entry of ``RecordRow.problems``: the value exactly as sent, and why it is not used."""
    return {"as_recorded": value[:MAX_TEXT_CHARS], "problem": problem}


def date_of_birth_problem(raw: str) -> str:
    """Why a date of birth as sent is not used ("" when it is a real ``YYYY-MM-DD`` date)."""
    if _ISO_DATE.match(raw):
        return "" if parse_iso_date(raw) else "not a valid date"
    return "not a date in YYYY-MM-DD form"


def sex_problem(raw: str) -> str:
    """Why a sex code as sent is not used ("" when it is one partners use)."""
    return "" if raw.lower() in KNOWN_SEX_CODES else "not a known sex code"


_POSTCODES: dict[str, tuple[str, str]] = {}


def clean_postcode(raw: str) -> tuple[str, str]:
    """(the postcode to store, "") or ("", why it cannot be used), from ``core.postcodes``.

    Cached: a feed repeats the same postcodes many times, and this runs for every row. The
    cache stops growing when full rather than evicting: a feed with more distinct postcodes
    than it holds (one per household) made an LRU cache miss on almost every row.
    """
    found = _POSTCODES.get(raw)
    if found is None:
        postcode = postcodes.normalise(raw)
        problem = postcodes.problem(postcode) if postcode else ""
        found = ("", problem) if problem else (postcode, "")
        if len(_POSTCODES) < 100_000:
            _POSTCODES[raw] = found
    return found


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_iso_date(raw: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` date, or None when the text is not one (including 2023-02-30)."""
    if not _ISO_DATE.match(raw):
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


_midnights: dict[dt.date, dt.datetime] = {}


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in England, the moment a dated (untimed) event is filed under."""
    moment = _midnights.get(day)
    if moment is None:
        moment = dt.datetime(day.year, day.month, day.day, tzinfo=LONDON)
        if len(_midnights) < 100_000:
            _midnights[day] = moment
    return moment


def parse_fhir_datetime(raw: str) -> dt.datetime | None:
    """A FHIR ``date``/``dateTime``/``instant`` as an aware datetime; partial dates start the
    year or month; a time without offset is read as England time."""
    if not raw or not isinstance(raw, str):
        return None
    try:
        if len(raw) == 4:
            return local_midnight(dt.date(int(raw), 1, 1))
        if len(raw) == 7:
            return local_midnight(dt.date(int(raw[:4]), int(raw[5:7]), 1))
        if len(raw) == 10:
            return local_midnight(dt.date.fromisoformat(raw))
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return moment


def too_long(values: dict[str, str], limits: dict[str, int]) -> str:
    """The first field over its limit, as a plain reason ("" when all fit)."""
    for name, limit in limits.items():
        value = values.get(name)
        if value and len(value) > limit:
            return f"field '{name}' is {len(value)} characters, over the limit of {limit}"
    return ""
