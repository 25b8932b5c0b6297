"""CSV feeds: demographic extracts and activity extracts (see ``docs/feeds.md``).

A file is an *activity* CSV when its header has ``event_id``, ``kind`` and ``date``; otherwise
it is a *demographic* CSV and must have ``source_record_id``. Each row's payload is the exact
line(s) the partner sent; its content hash also covers the header, so a re-ordered extract
counts as changed rather than silently mis-read.
"""

import csv
import datetime as dt
import hashlib
import re
from collections import deque
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from pathlib import Path

from wraparound.core import nhs_number
from wraparound.sources import sensitivity
from wraparound.sources.readers.rows import (
    EVENT_LIMITS,
    MAX_ITEM_CHARS,
    MAX_TEXT_CHARS,
    RECORD_LIMITS,
    EventRow,
    FileLines,
    FileUnreadable,
    Item,
    RecordRow,
    Rejected,
    as_recorded,
    clean_postcode,
    date_of_birth_problem,
    has_bad_characters,
    local_midnight,
    parse_iso_date,
    sex_problem,
    storable,
    too_long,
)

DEMOGRAPHIC_COLUMNS = (
    "source_record_id",
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "address",
    "phone",
    "other_identifier",
)
ACTIVITY_REQUIRED = ("event_id", "source_record_id", "date", "kind", "text")
ACTIVITY_COLUMNS = (
    *ACTIVITY_REQUIRED,
    "status",
    "amount",
    "category",
    "worker_name",
    "worker_role",
    "worker_team",
    "worker_phone",
    "code",
)
# Other activity columns that name a service, team or organisation: checked for services whose
# involvement is itself sensitive ("CAMHS North", "GUM clinic"), like ``worker_team``.
SERVICE_COLUMN = re.compile(
    r"(?:^|_)(?:team|service|organi[sz]ation|provider|clinic|location|agency|setting|referred_to"
    r"|referral_to|referred)(?:$|_)"
)
# Readable names for the activity kinds partners send; anything else is made readable.
KIND_LABELS = {
    "rent_arrears": "Rent arrears",
    "repair": "Housing repair",
    "council_tax_arrears": "Council tax arrears",
    "care_assessment": "Care assessment",
    "care_package": "Care package",
    "carer_assessment": "Carer's assessment",
    "safeguarding_concern": "Safeguarding concern",
    "tenancy_visit": "Tenancy visit",
    "eviction_notice": "Notice of eviction",
    "missed_payment": "Missed payment",
}
# Event.extra keys ingest fills itself; a CSV column of the same name is kept as "column:NAME".
RESERVED_EXTRA = {
    "organisation",
    "involved",
    "kind_code",
    "amount",
    "related_person",
    "stated_category",
}

# One record may span this many physical lines (a quoted address or case note with line
# breaks); a quote still open after that was never meant to be closed so far away.
MAX_RECORD_LINES = 50

csv.field_size_limit(MAX_ITEM_CHARS + 1)


def kind_label(code: str) -> str:
    """``rent_arrears`` -> ``Rent arrears``: the words a practitioner reads on the timeline."""
    label = KIND_LABELS.get(code)
    if label:
        return label
    words = code.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


class _Unclosed(Exception):
    """A quoted field ran past ``MAX_RECORD_LINES`` lines, or past the end of the file."""


class _PhysicalLines:
    """The file's lines as the csv module asks for them, numbered, one record at a time.

    The csv module reads on past a line break while a quoted field is open, so one stray
    quote could swallow the rest of the file into a single field. Here a record may span at
    most ``MAX_RECORD_LINES`` lines (and ``MAX_TEXT_CHARS`` characters after its first line);
    past that, or at the end of the file, ``_Unclosed`` is raised, and ``replay_after_first``
    hands every line but the record's first back to be read again as rows of their own.
    """

    def __init__(self, handle):
        self.lines = iter(handle)
        self.replay: deque[tuple[int, str]] = deque()
        self.number = 0
        self.record: list[tuple[int, str]] = []
        self.continued = 0

    def start_record(self) -> None:
        self.record = []
        self.continued = 0

    def take(self) -> tuple[int, str] | None:
        """The next physical line, numbered, outside any record (None at the end)."""
        if self.replay:
            return self.replay.popleft()
        line = next(self.lines, None)
        if line is None:
            return None
        self.number += 1
        return (self.number, line)

    def __iter__(self) -> "_PhysicalLines":
        return self

    def __next__(self) -> str:
        record = self.record
        if record and (len(record) >= MAX_RECORD_LINES or self.continued > MAX_TEXT_CHARS):
            raise _Unclosed(f"not closed within {MAX_RECORD_LINES} lines")
        item = self.take()
        if item is None:
            if record:
                raise _Unclosed("never closed")
            raise StopIteration
        if record:
            self.continued += len(item[1])
        record.append(item)
        return item[1]

    def replay_after_first(self) -> tuple[int, str]:
        """The record's first line; the lines after it will be read again, as new rows."""
        first, *rest = self.record
        self.replay.extendleft(reversed(rest))
        self.record = []
        return first


def _plain(line: str) -> bool:
    """Whether the csv module would read ``line`` as nothing more than its text split on
    commas: no quote, no NUL, and short enough that no field can pass the csv module's field
    size limit. Most lines of most feeds are plain, and splitting them directly is several
    times faster; every other line goes through the csv module and the careful checks."""
    return '"' not in line and "\x00" not in line and len(line) <= MAX_TEXT_CHARS


def read_csv(
    path: Path, *, partner: str, organisation: str, on_progress: Callable[[int], None]
) -> Iterator[Item]:
    """Every row of a demographic or activity CSV as a record, an event or a refusal.

    Every physical line ends somewhere: the header, a blank line, a row (one line, or several
    when a quoted field such as an address holds line breaks), or a refusal naming its line. A
    quote that is opened and not closed where it should be costs only the line it is on.
    """
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        lines = _PhysicalLines(handle)
        rows = csv.reader(lines, strict=True)
        try:
            header: list[str] = []
            while not header or header == [""]:  # blank lines before the header
                lines.start_record()
                header = next(rows)
        except StopIteration:
            raise FileUnreadable(f"{path} is empty") from None
        except (csv.Error, _Unclosed) as error:
            where = f"header line {lines.record[0][0]}" if lines.record else "header"
            what = f"a quote {error}" if isinstance(error, _Unclosed) else str(error)
            raise FileUnreadable(f"{path} is not a readable CSV file ({where}: {what})") from None
        header_text = "".join(text for _, text in lines.record)
        names = _check_header(path, header, header_text)
        hasher = hashlib.sha256(header_text.encode("utf-8", "surrogateescape"))
        activity = {"event_id", "kind", "date"} <= set(names)
        if activity:
            missing = [c for c in ACTIVITY_REQUIRED if c not in names]
            if missing:
                raise FileUnreadable(
                    f"{path} looks like an activity CSV but has no {', '.join(missing)} column"
                )
            build = _ActivityRow(names, partner=partner, organisation=organisation)
            free_text = {"text"}
        else:
            if "source_record_id" not in names:
                shown = ", ".join(names[:12]) + (" ..." if len(names) > 12 else "")
                raise FileUnreadable(
                    f"{path} has no source_record_id column (its header is: {shown})"
                )
            build = _DemographicRow(names)
            free_text = {"address"}
        known = set(DEMOGRAPHIC_COLUMNS) | set(ACTIVITY_COLUMNS)
        # Columns whose values never hold a line break: one there means a quote went astray.
        one_line = [i for i, n in enumerate(names) if n in known and n not in free_text]
        width = len(names)
        name = path.name
        pending_bytes = len(header_text)
        rows_read = 0
        while True:
            item = lines.take()
            if item is None:
                break
            number, raw = item
            if _plain(raw):
                # A line with no quote is one record: the csv module would split it on commas.
                # (With newline="", a line holds no line break but the one it ends with.)
                row = raw.rstrip("\r\n").split(",")
            else:
                lines.replay.appendleft(item)
                lines.start_record()
                try:
                    row = next(rows)
                except StopIteration:
                    break
                except (csv.Error, _Unclosed) as error:
                    number, text = lines.replay_after_first()
                    pending_bytes += len(text)
                    rows_read += 1
                    reason = (
                        f"a quote opened on this line is {error}"
                        if isinstance(error, _Unclosed)
                        else f"unreadable CSV row ({error})"
                    )
                    yield Rejected(
                        f"{path.name} line {number}", reason, storable(text.rstrip("\r\n"))
                    )
                    continue
                record = lines.record
                if len(record) > 1:
                    if len(row) != width or any(
                        "\n" in row[i] or "\r" in row[i] for i in one_line if i < len(row)
                    ):
                        last = record[-1][0]
                        _, text = lines.replay_after_first()
                        pending_bytes += len(text)
                        rows_read += 1
                        yield Rejected(
                            f"{path.name} line {number}",
                            f"a quote opened on this line is not closed on it (it would run to "
                            f"line {last} as one row of {len(row)} fields; the header has "
                            f"{width})",
                            storable(text.rstrip("\r\n")),
                        )
                        continue
                    raw = "".join(text for _, text in record)
            pending_bytes += len(raw)
            if pending_bytes > 1_000_000:
                on_progress(pending_bytes)
                pending_bytes = 0
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line is not a row
            rows_read += 1
            if len(raw) > MAX_ITEM_CHARS:
                yield Rejected(
                    f"{path.name} line {number}",
                    f"row is {len(raw)} characters, over the limit of {MAX_ITEM_CHARS}",
                    raw.rstrip("\r\n")[:MAX_TEXT_CHARS],
                )
                continue
            locator = f"{name} line {number}"
            payload = raw.rstrip("\r\n")
            if len(row) != width:
                yield Rejected(
                    locator, f"row has {len(row)} fields but the header has {width}", payload
                )
                continue
            try:
                encoded = raw.encode("utf-8")
            except UnicodeEncodeError:
                encoded = None
            if encoded is None or "\x00" in raw:
                column, bad = next(
                    (n, has_bad_characters(v))
                    for n, v in zip(names, row, strict=True)
                    if has_bad_characters(v)
                )
                yield Rejected(locator, f"field '{column}' {bad}", storable(payload))
                continue
            digest = hasher.copy()
            digest.update(encoded)
            yield build(row, payload, digest.hexdigest(), locator, len(raw) > MAX_TEXT_CHARS)
        on_progress(pending_bytes)
        yield FileLines(path.name, lines.number, lines.number - rows_read)


def _check_header(path: Path, header: list[str], header_text: str) -> list[str]:
    if has_bad_characters(header_text):
        raise FileUnreadable(f"{path} is not a UTF-8 text CSV file (its header is unreadable)")
    names = [name.strip() for name in header]
    if len(names) == 1 and not names[0]:
        raise FileUnreadable(f"{path} has an empty header row")
    for position, name in enumerate(names, start=1):
        if not name:
            raise FileUnreadable(f"{path}: column {position} of the header has no name")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise FileUnreadable(f"{path}: the header names column '{name}' twice")
        seen.add(name)
    known = set(DEMOGRAPHIC_COLUMNS) | set(ACTIVITY_COLUMNS)
    # Known columns are matched whatever their case; extra columns keep their own spelling.
    return [name.lower() if name.lower() in known else name for name in names]


class _Columns:
    """Positions of the known columns in this file's header (None where absent)."""

    def __init__(self, names: list[str], known: tuple[str, ...]):
        self.names = names
        self.at = {name: (names.index(name) if name in names else None) for name in known}
        self.extra = [(i, n) for i, n in enumerate(names) if n not in known]

    def picker(self, *wanted: str) -> Callable[[list[str]], tuple[str, ...]]:
        """Stripped values of ``wanted`` columns in one call ("" for absent columns)."""
        pick = itemgetter(*(-1 if self.at[name] is None else self.at[name] for name in wanted))
        strip = str.strip
        if all(self.at[name] is not None for name in wanted):

            def present(row: list[str]) -> tuple[str, ...]:
                return tuple(map(strip, pick(row)))

            return present

        def values(row: list[str]) -> tuple[str, ...]:
            return tuple(map(strip, pick([*row, ""])))  # absent columns (index -1) read ""

        return values


def _over_text_limit(names: list[str], row: list[str]) -> str:
    for name, value in zip(names, row, strict=True):
        if len(value) > MAX_TEXT_CHARS:
            return f"field '{name}' is {len(value)} characters, over the limit of {MAX_TEXT_CHARS}"
    return ""


# Dates of birth and sex codes repeat across a feed: each distinct value is checked once.
_DATES_OF_BIRTH: dict[str, tuple[dt.date | None, str]] = {}
_SEX_CODES: dict[str, tuple[str, str]] = {}
_CACHE_LIMIT = 100_000


def _date_of_birth(raw: str) -> tuple[dt.date | None, str]:
    """(the date, "") or (None, why the text is not used as a date of birth)."""
    found = _DATES_OF_BIRTH.get(raw)
    if found is None:
        day = parse_iso_date(raw)
        found = (day, "" if day else date_of_birth_problem(raw))
        if len(_DATES_OF_BIRTH) < _CACHE_LIMIT:
            _DATES_OF_BIRTH[raw] = found
    return found


def _sex(raw: str) -> tuple[str, str]:
    """(the code to store, "") or ("", why the code as sent is not used)."""
    found = _SEX_CODES.get(raw)
    if found is None:
        problem = sex_problem(raw)
        found = ("", problem) if problem else (raw, "")
        if len(_SEX_CODES) < _CACHE_LIMIT:
            _SEX_CODES[raw] = found
    return found


_ID_LIMIT = RECORD_LIMITS["source_record_id"]
_NUMBER_LIMIT = RECORD_LIMITS["nhs_number"]
_NAME_LIMIT = min(RECORD_LIMITS["given_name"], RECORD_LIMITS["family_name"])
_SEX_LIMIT = RECORD_LIMITS["sex"]
_POSTCODE_LIMIT = RECORD_LIMITS["postcode"]
_PHONE_LIMIT = RECORD_LIMITS["phone"]
_OTHER_ID_LIMIT = RECORD_LIMITS["other_identifier"]


class _DemographicRow:
    """One demographic row -> ``RecordRow`` (or a refusal naming the field)."""

    def __init__(self, names: list[str]):
        self.columns = _Columns(names, DEMOGRAPHIC_COLUMNS)
        self.pick = self.columns.picker(*DEMOGRAPHIC_COLUMNS)

    def __call__(
        self, row: list[str], payload: str, digest: str, locator: str, long_row: bool
    ) -> Item:
        (
            record_id,
            raw_number,
            given,
            family,
            raw_dob,
            sex,
            raw_postcode,
            address,
            phone,
            other_identifier,
        ) = self.pick(row)
        if not record_id:
            return Rejected(locator, "row has no source_record_id", payload)
        # A field that cannot be used is kept as recorded and left out of linkage; the record
        # itself is still accepted (only a row that cannot be a record is quarantined).
        problems = {}
        dob = None
        if raw_dob:
            dob, dob_problem = _date_of_birth(raw_dob)
            if dob_problem:
                problems["date_of_birth"] = as_recorded(raw_dob, dob_problem)
        if sex:
            code, problem = _sex(sex)
            if problem:
                problems["sex"] = as_recorded(sex, problem)
            sex = code
        number = nhs_number.normalise(raw_number)
        postcode, postcode_problem = clean_postcode(raw_postcode)
        if postcode_problem:
            problems["postcode"] = as_recorded(raw_postcode, postcode_problem)
        limit = RECORD_LIMITS
        if (  # the usual case, checked without building anything
            long_row
            or len(record_id) > _ID_LIMIT
            or len(number) > _NUMBER_LIMIT
            or len(given) > _NAME_LIMIT
            or len(family) > _NAME_LIMIT
            or len(sex) > _SEX_LIMIT
            or len(postcode) > _POSTCODE_LIMIT
            or len(phone) > _PHONE_LIMIT
            or len(other_identifier) > _OTHER_ID_LIMIT
        ):
            fields = {
                "source_record_id": record_id,
                "nhs_number": number,
                "given_name": given,
                "family_name": family,
                "sex": sex,
                "postcode": postcode,
                "phone": phone,
                "other_identifier": other_identifier,
            }
            problem = too_long(fields, limit) or _over_text_limit(self.columns.names, row)
            if problem:
                return Rejected(locator, problem, payload[:MAX_ITEM_CHARS])
        return RecordRow(
            source_record_id=record_id,
            format="csv",
            payload=payload,
            content_hash=digest,
            locator=locator,
            nhs_number=number,
            nhs_number_valid=nhs_number.is_valid(number),
            given_name=given,
            family_name=family,
            date_of_birth=dob,
            sex=sex,
            postcode=postcode,
            address=address,
            phone=phone,
            other_identifier=other_identifier,
            extra={name: row[i] for i, name in self.columns.extra},
            problems=problems,
        )


class _ActivityRow:
    """One activity row -> ``EventRow`` on the person's timeline (or a refusal)."""

    def __init__(self, names: list[str], *, partner: str, organisation: str):
        self.columns = _Columns(names, ACTIVITY_COLUMNS)
        self.pick = self.columns.picker(*ACTIVITY_COLUMNS)
        self.partner = partner
        self.organisation = organisation
        self.service_columns = [i for i, name in self.columns.extra if SERVICE_COLUMN.search(name)]

    def __call__(
        self, row: list[str], payload: str, digest: str, locator: str, long_row: bool
    ) -> Item:
        (
            event_id,
            record_id,
            raw_date,
            kind,
            text,
            status,
            raw_amount,
            category,
            worker,
            worker_role,
            worker_team,
            worker_phone,
            clinical_code,
        ) = self.pick(row)
        for name, value in (
            ("event_id", event_id),
            ("source_record_id", record_id),
            ("date", raw_date),
            ("kind", kind),
        ):
            if not value:
                return Rejected(locator, f"row has no {name}", payload)
        day = parse_iso_date(raw_date)
        if day is None:
            return Rejected(
                locator, f"date '{raw_date[:40]}' is not a date in YYYY-MM-DD form", payload
            )
        category = category.lower()
        if category and not sensitivity.is_category(category):
            allowed = ", ".join(sensitivity.SensitiveCategory.values)
            return Rejected(
                locator, f"category '{category[:40]}' is not one of: {allowed}", payload
            )
        amount = ""
        if raw_amount:
            try:
                amount = str(Decimal(raw_amount.lstrip("£").replace(",", "")))
            except InvalidOperation:
                return Rejected(
                    locator, f"amount '{raw_amount[:40]}' is not a number of pounds", payload
                )
        fields = {
            "event_id": event_id,
            "subject_record_id": record_id,
            "kind": kind_label(kind),
            "status": status,
            "code": kind,
        }
        problem = too_long(fields, EVENT_LIMITS)
        if not problem and long_row:
            problem = _over_text_limit(self.columns.names, row)
        if problem:
            return Rejected(locator, problem, payload[:MAX_ITEM_CHARS])
        extra: dict = {"organisation": self.organisation, "kind_code": kind}
        if amount:
            extra["amount"] = amount
        if worker:
            extra["involved"] = [
                {
                    "name": worker,
                    "role": worker_role,
                    "organisation": worker_team or self.organisation,
                    "contact": worker_phone,
                }
            ]
        for index, name in self.columns.extra:
            extra[f"column:{name}" if name in RESERVED_EXTRA else name] = row[index]
        if clinical_code:
            extra["code"] = clinical_code
        if category:
            extra["stated_category"] = category  # kept for `wraparound reclassify`
        services = [self.organisation, worker_team, *(row[i] for i in self.service_columns)]
        return EventRow(
            resource_type="activity",
            payload=payload,
            content_hash=digest,
            locator=locator,
            occurred_at=local_midnight(day),
            summary=text,
            # A category the partner states stands, unless codes, services or words show a
            # more restricted one (fail closed: "safeguarding" on a note that says HIV).
            sensitive_category=sensitivity.most_restricted(
                (
                    category,
                    sensitivity.category_for(
                        codes=[("", clinical_code)] if clinical_code else (),
                        services=services,
                        words=f"{kind} {text}",
                        partner=self.partner,
                    ),
                )
            ),
            on_timeline=True,
            extra=extra,
            **fields,
        )


def stored_activity_category(
    *, kind_code: str, text: str, extra: dict, partner: str, organisation: str
) -> str:
    """The category an activity row stored earlier would be given now (``wraparound
    reclassify``), from what was kept of it: its kind, text, code, the category the partner
    stated, and the teams and services it names."""
    services = [organisation, str(extra.get("organisation") or "")]
    for person in extra.get("involved") or ():
        if isinstance(person, dict):
            services.append(str(person.get("organisation") or ""))
    services.extend(str(v) for k, v in extra.items() if SERVICE_COLUMN.search(k) and v)
    code = str(extra.get("code") or "")
    stated = str(extra.get("stated_category") or "")
    return sensitivity.most_restricted(
        (
            stated if sensitivity.is_category(stated) else "",
            sensitivity.category_for(
                codes=[("", code)] if code else (),
                services=services,
                words=f"{kind_code} {text}",
                partner=partner,
            ),
        )
    )
