"""CSV feeds: demographic extracts and activity extracts (see ``docs/feeds.md``).

A file is an *activity* CSV when its header has ``event_id``, ``kind`` and ``date``; otherwise
it is a *demographic* CSV and must have ``source_record_id``. Each row's payload is the exact
line(s) the partner sent; its content hash also covers the header, so a re-ordered extract
counts as changed rather than silently mis-read.
"""

import csv
import hashlib
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
    FileUnreadable,
    Item,
    RecordRow,
    Rejected,
    has_bad_characters,
    local_midnight,
    normalise_postcode,
    parse_iso_date,
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
RESERVED_EXTRA = {"organisation", "involved", "kind_code", "amount", "related_person"}

csv.field_size_limit(MAX_ITEM_CHARS + 1)


def kind_label(code: str) -> str:
    """``rent_arrears`` -> ``Rent arrears``: the words a practitioner reads on the timeline."""
    label = KIND_LABELS.get(code)
    if label:
        return label
    words = code.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def _tracked_lines(handle, consumed: list[str]) -> Iterator[str]:
    """Lines as the csv module asks for them, remembering each so a row keeps its exact text."""
    for line in handle:
        consumed.append(line)
        yield line


def read_csv(
    path: Path, *, partner: str, organisation: str, on_progress: Callable[[int], None]
) -> Iterator[Item]:
    """Every row of a demographic or activity CSV as a record, an event or a refusal."""
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        consumed: list[str] = []
        rows = csv.reader(_tracked_lines(handle, consumed), strict=False)
        try:
            header = next(rows)
            while not header or header == [""]:  # blank lines before the header
                header = next(rows)
        except StopIteration:
            raise FileUnreadable(f"{path} is empty") from None
        except csv.Error as error:
            raise FileUnreadable(f"{path} is not a readable CSV file ({error})") from None
        header_text = "".join(consumed)
        consumed.clear()
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
        else:
            if "source_record_id" not in names:
                shown = ", ".join(names[:12]) + (" ..." if len(names) > 12 else "")
                raise FileUnreadable(
                    f"{path} has no source_record_id column (its header is: {shown})"
                )
            build = _DemographicRow(names)
        width = len(names)
        line = header_text.count("\n") or 1
        pending_bytes = len(header_text)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                break
            except csv.Error as error:
                raw = "".join(consumed)
                consumed.clear()
                yield Rejected(f"{path.name} line {line + 1}", f"unreadable CSV row ({error})", raw)
                line += raw.count("\n") or 1
                continue
            raw = "".join(consumed)
            consumed.clear()
            locator = f"{path.name} line {line + 1}"
            line += raw.count("\n") or 1
            pending_bytes += len(raw)
            if pending_bytes > 1_000_000:
                on_progress(pending_bytes)
                pending_bytes = 0
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line is not a row
            payload = raw.rstrip("\r\n")
            if len(raw) > MAX_ITEM_CHARS:
                yield Rejected(
                    locator,
                    f"row is {len(raw)} characters, over the limit of {MAX_ITEM_CHARS}",
                    payload[:MAX_TEXT_CHARS],
                )
                continue
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

        def values(row: list[str]) -> tuple[str, ...]:
            stripped = [value.strip() for value in row]
            stripped.append("")  # what absent columns (index -1) read
            return pick(stripped)

        return values


def _over_text_limit(names: list[str], row: list[str]) -> str:
    for name, value in zip(names, row, strict=True):
        if len(value) > MAX_TEXT_CHARS:
            return f"field '{name}' is {len(value)} characters, over the limit of {MAX_TEXT_CHARS}"
    return ""


class _DemographicRow:
    """One demographic row -> ``RecordRow`` (or a refusal naming the field)."""

    def __init__(self, names: list[str]):
        self.columns = _Columns(names, DEMOGRAPHIC_COLUMNS)
        self.pick = self.columns.picker(*DEMOGRAPHIC_COLUMNS)

    def __call__(
        self, row: list[str], payload: str, digest: str, locator: str, long_row: bool
    ) -> Item:
        record_id, raw_number, given, family, raw_dob, sex, raw_postcode, address, phone = (
            self.pick(row)
        )
        if not record_id:
            return Rejected(locator, "row has no source_record_id", payload)
        dob = None
        if raw_dob:
            dob = parse_iso_date(raw_dob)
            if dob is None:
                return Rejected(
                    locator,
                    f"date_of_birth '{raw_dob[:40]}' is not a date in YYYY-MM-DD form",
                    payload,
                )
        number = nhs_number.normalise(raw_number)
        postcode = normalise_postcode(raw_postcode)
        limit = RECORD_LIMITS
        if (  # the usual case, checked without building anything
            len(record_id) > limit["source_record_id"]
            or len(number) > limit["nhs_number"]
            or len(given) > limit["given_name"]
            or len(family) > limit["family_name"]
            or len(sex) > limit["sex"]
            or len(postcode) > limit["postcode"]
            or len(phone) > limit["phone"]
            or long_row
        ):
            fields = {
                "source_record_id": record_id,
                "nhs_number": number,
                "given_name": given,
                "family_name": family,
                "sex": sex,
                "postcode": postcode,
                "phone": phone,
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
            extra={name: row[i] for i, name in self.columns.extra},
        )


class _ActivityRow:
    """One activity row -> ``EventRow`` on the person's timeline (or a refusal)."""

    def __init__(self, names: list[str], *, partner: str, organisation: str):
        self.columns = _Columns(names, ACTIVITY_COLUMNS)
        self.pick = self.columns.picker(*ACTIVITY_COLUMNS)
        self.partner = partner
        self.organisation = organisation

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
        return EventRow(
            resource_type="activity",
            payload=payload,
            content_hash=digest,
            locator=locator,
            occurred_at=local_midnight(day),
            summary=text,
            sensitive_category=category
            or sensitivity.category_for(words=f"{kind} {text}", partner=self.partner),
            on_timeline=True,
            extra=extra,
            **fields,
        )
