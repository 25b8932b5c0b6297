"""The audit trail's hash chain: each row's hash covers the row before it, so tampering shows.

``hash = SHA-256(prev_hash + canonical JSON of the row's values)``; the first row's
``prev_hash`` is 64 zeros. ``AuditEntry.save`` (and ``bulk_create``) compute it for every
writer. Changing a row's values breaks its own hash; removing a row breaks the next row's
``prev_hash``; a row inserted by hand either has no valid hash or breaks the row after it.
``verify`` recomputes the chain in id order and names the first break.

Writers are serialised so two rows never chain to the same predecessor: on PostgreSQL a
transaction-level advisory lock held until the writing transaction ends (every audited
request waits its turn only for the short moment between its audit row and its commit);
SQLite already allows one writer at a time (``transaction_mode=IMMEDIATE``).

What the chain cannot show on its own: someone who can write the database directly and
rewrites *every* row after the one they changed, recomputing each hash, or who removes the
newest rows. Against both, keep the head that ``wraparound verify-audit`` prints (row id and
hash) somewhere the database's administrators cannot write, and compare (``--expect-head``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connections

GENESIS = "0" * 64
TABLE = "governance_auditentry"
# pg_advisory_xact_lock key: any fixed 64-bit number; this one reads "WRAPAUDT" in ASCII.
LOCK_KEY = 0x5752415041554454
FIELDS = (
    "at",
    "user_id",
    "username",
    "staff_name",
    "role",
    "organisation",
    "ip",
    "action",
    "person_id",
    "purpose",
    "query",
    "detail",
)


def as_utc(at: dt.datetime) -> dt.datetime:
    """A moment in UTC, as the database returns it (naive values are taken as UTC)."""
    if at.tzinfo is None:
        return at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC)


def json_round_trip(detail) -> dict:
    """``detail`` as JSONField will read it back (tuples become lists, keys become strings)."""
    return json.loads(json.dumps(detail if detail is not None else {}))


def staff_name_of(user_id: int) -> str:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def values_of(entry) -> dict:
    return {name: getattr(entry, name) for name in FIELDS}


def _numbers_as_stored(value):
    """Whole-number floats as integers: PostgreSQL's jsonb gives ``1e+20`` back as an integer."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e300:
        return int(value)
    if isinstance(value, dict):
        return {k: _numbers_as_stored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_as_stored(v) for v in value]
    return value


def canonical(values: dict) -> bytes:
    """One byte string per set of values: sorted keys, UTC times to the microsecond."""
    plain = dict(values)
    plain["at"] = as_utc(plain["at"]).isoformat(timespec="microseconds")
    plain["detail"] = _numbers_as_stored(plain.get("detail"))
    return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def row_hash(prev_hash: str, values: dict) -> str:
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical(values))
    return digest.hexdigest()


def lock_and_read_head(using: str) -> str:
    """Take the chain's write lock (PostgreSQL) and return the newest row's hash.

    Call inside the transaction that writes the row: the lock is held until it ends.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        table = connection.ops.quote_name(TABLE)
        cursor.execute(f"SELECT hash FROM {table} ORDER BY id DESC LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
    return (row[0] or GENESIS) if row else GENESIS


def people_shown(person_id, detail) -> list[int]:
    """Every person an audit row showed: its ``person_id``, search results, listed people."""
    ids: set[int] = set()
    if isinstance(person_id, int) and not isinstance(person_id, bool):
        ids.add(person_id)
    if isinstance(detail, dict):
        for key in ("results", "person_ids"):
            listed = detail.get(key)
            if not isinstance(listed, list):
                continue
            for item in listed:
                if isinstance(item, dict):
                    item = item.get("person_id")
                if isinstance(item, int) and not isinstance(item, bool):
                    ids.add(item)
    return sorted(ids)


@dataclass(frozen=True)
class Break:
    """The first row where the chain does not hold, in plain words."""

    entry_id: int
    at: dt.datetime | None
    kind: str  # "changed" | "removed" | "inserted"
    words: str


@dataclass(frozen=True)
class Verified:
    rows: int
    first_break: Break | None
    head_id: int | None
    head_hash: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.first_break is None


def verify(
    *, using: str = "default", progress: Callable[[int], None] | None = None, chunk: int = 5000
) -> Verified:
    """Recompute every row's hash in id order, streaming; stop at the first break."""
    from wraparound.governance.models import AuditEntry

    started = time.perf_counter()
    rows = 0
    last_hash, before_last_hash = GENESIS, None
    last_id: int | None = None
    found: Break | None = None
    entries: Iterable[dict] = (
        AuditEntry.objects.using(using)
        .order_by("id")
        .values("id", "prev_hash", "hash", *FIELDS)
        .iterator(chunk_size=chunk)
    )
    for row in entries:
        rows += 1
        if progress is not None and rows % 1000 == 0:
            progress(1000)
        recomputed = row_hash(row["prev_hash"] or "", {k: row[k] for k in FIELDS})
        if not row["hash"]:
            found = Break(
                row["id"],
                row["at"],
                "inserted",
                f"Row {row['id']} has no hash: it was written outside the application.",
            )
        elif recomputed != row["hash"]:
            found = Break(
                row["id"],
                row["at"],
                "changed",
                f"Row {row['id']} was changed after it was written: its values no longer "
                "match its hash.",
            )
        elif row["prev_hash"] != last_hash:
            if before_last_hash is not None and row["prev_hash"] == before_last_hash:
                found = Break(
                    last_id,
                    None,
                    "inserted",
                    f"Row {last_id} was inserted between rows: row {row['id']} follows the "
                    "row before it.",
                )
            else:
                where = f"after row {last_id}" if last_id is not None else "at the start"
                found = Break(
                    row["id"],
                    row["at"],
                    "removed",
                    f"One or more rows were removed {where}, before row {row['id']} "
                    "(the chain has a gap).",
                )
        if found is not None:
            break
        before_last_hash, last_hash, last_id = last_hash, row["hash"], row["id"]
    if progress is not None:
        progress(rows % 1000)
    return Verified(
        rows=rows,
        first_break=found,
        head_id=last_id,
        head_hash=last_hash if last_id is not None else GENESIS,
        seconds=time.perf_counter() - started,
    )
