"""Bulk-load a synthetic population straight into the tables, for the page-latency benchmark.

Loading a million people through ``generate`` + ``ingest`` + ``link`` takes far longer than
the benchmark should, and it measures those steps rather than the pages. So this writes
``Person``, ``SourceRecord``, ``Link``, ``Event`` and ``PersonSearchIndex`` rows directly
(explicit ids, columns taken from the models so it follows model changes), then one team,
one clinician login and the team's neighbourhood. It is not a test of ingest or linkage: rows
are synthetic and already "linked".

Why it is fast (a million people, ~2 million records, ~3.5 million events, ~15 million
search tokens):
- rows are built as plain lists in column order from a per-model template of defaults; values
  that need a database adapter (datetimes, JSON) are adapted once and reused, and the search
  tokens of each name, date and postcode are computed once (``tokens_for`` is a union per
  field, so caching per field gives the same tokens);
- secondary indexes of the five tables are dropped before the load and rebuilt after it
  (building an index from sorted data is far cheaper than updating it row by row); unique
  constraints stay, so a bad row still fails;
- SQLite: one connection with ``synchronous=OFF``, an in-memory journal and a large page cache
  (a throwaway benchmark database: a crash means load again); ``executemany`` per table per
  batch;
- PostgreSQL: ``COPY ... FROM STDIN`` through psycopg 3 (``cursor.copy``); foreign keys are
  dropped for the load and added back after it (which checks every row at once); then the
  sequences are moved past the explicit ids.

Run by ``benchmarks/bench_pages.py`` in a subprocess with ``DATABASE_URL`` set:
    python benchmarks/pages_data.py --people 100000 --out sample.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from functools import cache

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings")
django.setup()

from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from wraparound.core import nhs_number  # noqa: E402
from wraparound.governance.access.search import current_area_tokens, tokens_for  # noqa: E402
from wraparound.governance.models import PersonSearchIndex  # noqa: E402
from wraparound.identity.models import Link, Person  # noqa: E402
from wraparound.sources.models import Event, Source, SourceRecord  # noqa: E402
from wraparound.synthetic import names  # noqa: E402

CHUNK = 20_000
DISTRICTS = [f"WV{n}" for n in range(1, 15)]
BENCH_USER = "bench.clinician"
BENCH_PASSWORD = "bench-password-not-secret-1"
SOURCES = [
    ("gp", "gp", 1.0),
    ("acute", "acute", 0.5),
    ("adult_social_care", "adult_social_care", 0.2),
    ("housing", "housing", 0.25),
]
EVENT_KINDS = {
    "gp": ["consultation", "medication", "condition", "allergy"],
    "acute": ["ae_attendance", "admission", "outpatient"],
    "adult_social_care": ["care_assessment", "care_package"],
    "housing": ["repair", "rent_arrears"],
}
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
TABLES = [Person, SourceRecord, Link, Event, PersonSearchIndex]


class Table:
    """One model's columns and a row template of prepared defaults; rows are lists in order."""

    def __init__(self, model: type[models.Model], now, *, skip_id: bool = False):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not (skip_id and f.primary_key)]
        self.index = {f.attname: i for i, f in enumerate(self.fields)}
        template = []
        for f in self.fields:
            auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            template.append(f.get_db_prep_save(now if auto else f.get_default(), connection))
        self.template = template

    def prepare(self, attname: str, value):
        """A value as the driver wants it, for values reused across many rows."""
        return self.fields[self.index[attname]].get_db_prep_save(value, connection)

    def row(self, **values) -> list:
        out = self.template.copy()
        index = self.index
        for name, value in values.items():
            out[index[name]] = value
        return out

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def columns(self) -> list[str]:
        return [f.column for f in self.fields]


def _insert(table: Table, rows: list[list]) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    cols = ", ".join(quote(c) for c in table.columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3: COPY is the fast path
            with raw.copy(f"COPY {quote(table.table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(table.columns))
            cursor.executemany(f"INSERT INTO {quote(table.table)} ({cols}) VALUES ({marks})", rows)


# --- secondary indexes: drop before, rebuild after -----------------------------------------


def _secondary_indexes() -> list[tuple[str, str]]:
    """(name, CREATE statement) for every plain index on the loaded tables (not constraints)."""
    tables = [m._meta.db_table for m in TABLES]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "WHERE i.tablename = ANY(%s) AND i.schemaname = current_schema() "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "  WHERE c.conname = i.indexname)",
                [tables],
            )
        else:
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({marks}) AND sql NOT LIKE 'CREATE UNIQUE%%'",
                tables,
            )
        return list(cursor.fetchall())


def _foreign_keys() -> list[tuple[str, str, str]]:
    """PostgreSQL: (table, name, definition) of the loaded tables' foreign keys.

    PostgreSQL checks each foreign key row by row (at commit, as Django makes them deferred);
    adding the constraint back after the load checks every row in one join instead. SQLite's
    checks are cheap here and it cannot drop a constraint, so it keeps them.
    """
    if connection.vendor != "postgresql":
        return []
    tables = [m._meta.db_table for m in TABLES]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        return list(cursor.fetchall())


def _drop_foreign_keys(keys: list[tuple[str, str, str]]) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")


def _restore_foreign_keys(keys: list[tuple[str, str, str]]) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")


def _drop(indexes: list[tuple[str, str]]) -> None:
    with connection.cursor() as cursor:
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")


def _rebuild(indexes: list[tuple[str, str]]) -> None:
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)


def _fast_sqlite() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA journal_mode = MEMORY")
            cursor.execute("PRAGMA cache_size = -400000")  # ~400 MB
            cursor.execute("PRAGMA temp_store = MEMORY")


# --- synthetic values ------------------------------------------------------------------------


def _nhs(rng: random.Random) -> str:
    while True:
        first = f"{rng.randrange(400_000_000, 999_999_999):09d}"
        digit = nhs_number.check_digit(first)
        if digit is not None:
            return first + str(digit)


@cache
def _given_tokens(given: str) -> frozenset[str]:
    return frozenset(
        tokens_for(
            given_names=[given], family_names=[], dates_of_birth=[], postcodes_=[], nhs_numbers=[]
        )
    )


@cache
def _family_tokens(family: str) -> frozenset[str]:
    return frozenset(
        tokens_for(
            given_names=[], family_names=[family], dates_of_birth=[], postcodes_=[], nhs_numbers=[]
        )
    )


@cache
def _dob_tokens(dob: dt.date) -> frozenset[str]:
    return frozenset(
        tokens_for(
            given_names=[], family_names=[], dates_of_birth=[dob], postcodes_=[], nhs_numbers=[]
        )
    )


@cache
def _postcode_tokens(postcode: str) -> frozenset[str]:
    return frozenset(
        tokens_for(
            given_names=[],
            family_names=[],
            dates_of_birth=[],
            postcodes_=[postcode],
            nhs_numbers=[],
        )
    )


def _tokens(given: str, family: str, dob: dt.date, postcode: str, nhs: str) -> set[str]:
    """The same set ``tokens_for`` gives for the whole person (it is a union per field)."""
    tokens = set(_given_tokens(given))
    tokens |= _family_tokens(family)
    tokens |= _dob_tokens(dob)
    tokens |= _postcode_tokens(postcode)
    tokens |= current_area_tokens(postcode)  # where they live now: a team's neighbourhood
    tokens.add(f"h:{nhs}")
    return tokens


def load(people: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    now = timezone.now()
    given_f = names.BRITISH_FEMALE_OLDER + names.BRITISH_FEMALE_MIDDLE + names.SIKH_FEMALE
    given_m = names.BRITISH_MALE_OLDER + names.BRITISH_MALE_MIDDLE + names.SIKH_MALE
    family = names.BRITISH_FAMILY + names.SIKH_FAMILY + names.POLISH_FAMILY
    sources = {}
    for name, partner, _share in SOURCES:
        sources[name], _ = Source.objects.get_or_create(
            name=name, defaults={"partner": partner, "display_name": name.replace("_", " ").title()}
        )
    _fast_sqlite()
    person_t, record_t, link_t, event_t = (
        Table(Person, now),
        Table(SourceRecord, now),
        Table(Link, now),
        Table(Event, now),
    )
    token_t = Table(PersonSearchIndex, now, skip_id=True)  # the database numbers these
    # Reused prepared values: 3,650 possible event times, the two JSON objects, the booleans.
    event_times = [event_t.prepare("occurred_at", now - dt.timedelta(days=d)) for d in range(3650)]
    empty_extra = record_t.prepare("extra", {})
    empty_event_extra = event_t.prepare("extra", {})
    summaries = {
        kind: f"{kind.replace('_', ' ').capitalize()} (synthetic)"
        for kinds in EVENT_KINDS.values()
        for kind in kinds
    }
    record_id = event_id = tokens_written = 0
    started = time.perf_counter()
    indexes = _secondary_indexes()
    keys = _foreign_keys()
    _drop_foreign_keys(keys)
    _drop(indexes)
    sample = []
    timings = {"build": 0.0, "insert": 0.0}
    for start in range(1, people + 1, CHUNK):
        built = time.perf_counter()
        person_rows, record_rows, link_rows, event_rows, token_rows = [], [], [], [], []
        for pid in range(start, min(start + CHUNK, people + 1)):
            female = rng.random() < 0.52
            given = rng.choice(given_f if female else given_m)
            fam = rng.choice(family)
            dob = dt.date(1925, 1, 1) + dt.timedelta(days=rng.randrange(0, 36_500))
            district = rng.choice(DISTRICTS)
            postcode = (
                f"{district} {rng.randrange(1, 10)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}"
            )
            address = (
                f"{rng.randrange(1, 200)} {rng.choice(names.BRITISH_FAMILY)} Road, Wolverhampton"
            )
            nhs = _nhs(rng)
            person_rows.append(
                person_t.row(
                    id=pid,
                    nhs_number=nhs,
                    given_name=given,
                    family_name=fam,
                    date_of_birth=dob,
                    postcode=postcode,
                    address=address,
                )
            )
            for name, _partner, share in SOURCES:
                if rng.random() > share:
                    continue
                record_id += 1
                src_id = f"{name[:2].upper()}{pid:08d}"
                source_id = sources[name].id
                record_rows.append(
                    record_t.row(
                        id=record_id,
                        source_id=source_id,
                        source_record_id=src_id,
                        format="csv",
                        nhs_number=nhs,
                        nhs_number_valid=True,
                        given_name=given,
                        family_name=fam,
                        date_of_birth=dob,
                        sex="female" if female else "male",
                        postcode=postcode,
                        address=address,
                        extra=empty_extra,
                        payload=f'{{"id": "{src_id}"}}',
                        content_hash=f"{record_id:064d}",
                    )
                )
                link_rows.append(
                    link_t.row(
                        id=record_id,
                        source_record_id=record_id,
                        person_id=pid,
                        rule="nhs_number",
                    )
                )
                kinds = EVENT_KINDS[name]
                for _ in range(rng.randrange(1, 5) if name == "gp" else rng.randrange(0, 3)):
                    event_id += 1
                    kind = rng.choice(kinds)
                    event_rows.append(
                        event_t.row(
                            id=event_id,
                            source_id=source_id,
                            event_id=f"E{event_id}",
                            resource_type="Activity",
                            kind=kind,
                            subject_record_id=src_id,
                            occurred_at=event_times[rng.randrange(0, 3650)],
                            summary=summaries[kind],
                            on_timeline=True,
                            extra=empty_event_extra,
                            payload="{}",
                            content_hash=f"{event_id:064d}",
                        )
                    )
            for token in _tokens(given, fam, dob, postcode, nhs):
                token_rows.append([token, pid, ""])  # every feed unrestricted here
            if len(sample) < 2000 and rng.random() < 0.05:
                sample.append(
                    {
                        "person_id": pid,
                        "nhs": nhs,
                        "name": f"{given} {fam}",
                        "year": dob.year,
                        "postcode": postcode,
                    }
                )
        inserting = time.perf_counter()
        timings["build"] += inserting - built
        with transaction.atomic():
            _insert(person_t, person_rows)
            _insert(record_t, record_rows)
            _insert(link_t, link_rows)
            _insert(event_t, event_rows)
            _insert(token_t, token_rows)
        tokens_written += len(token_rows)
        timings["insert"] += time.perf_counter() - inserting
        done = min(start + CHUNK - 1, people)
        rate = done / (time.perf_counter() - started)
        print(f"\r{done:,} people ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    rebuilding = time.perf_counter()
    _rebuild(indexes)
    _restore_foreign_keys(keys)
    timings["indexes"] = time.perf_counter() - rebuilding
    analysing = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from django.core.management.color import no_style

            for sql in connection.ops.sequence_reset_sql(
                no_style(), [Person, SourceRecord, Link, Event]
            ):
                cursor.execute(sql)
        cursor.execute("ANALYZE")
    timings["analyze"] = time.perf_counter() - analysing
    return {
        "people": people,
        "records": record_id,
        "events": event_id,
        "tokens": tokens_written,
        "seconds": round(time.perf_counter() - started, 1),
        "timings": {k: round(v, 1) for k, v in timings.items()},
        "sample": sample,
    }


def set_up_viewer() -> None:
    """One clinician in one team whose neighbourhood covers every synthetic district."""
    from django.contrib.auth import get_user_model

    from wraparound.governance.models import Organisation, Staff, Team

    user, _ = get_user_model().objects.get_or_create(username=BENCH_USER)
    user.set_password(BENCH_PASSWORD)
    user.save()
    org, _ = Organisation.objects.get_or_create(name="Oak Tree Surgery", defaults={"partner": "gp"})
    team, _ = Team.objects.get_or_create(name="Bench neighbourhood team")
    team.neighbourhood = DISTRICTS
    team.save()
    staff, _ = Staff.objects.get_or_create(
        user=user, defaults={"organisation": org, "role": "clinician"}
    )
    staff.teams.add(team)
    set_up_caseloads(staff, team)


# The bench clinician's caseloads (issue 10): people assigned to them, the team's list of
# referrals, and on those people plans (actions, reviews), recent safety flags and hospital
# visits to work out.
ASSIGNED = 40
TEAM_LIST = 300


def set_up_caseloads(staff, team) -> None:
    from wraparound.governance.models import Assignment, CaseloadEntry

    rng = random.Random(11)
    people = Person.objects.count()
    chosen = rng.sample(range(1, people + 1), min(people, ASSIGNED + TEAM_LIST))
    Assignment.objects.bulk_create(
        Assignment(staff=staff, person_id=pid, role_in_care="District nurse")
        for pid in chosen[:ASSIGNED]
    )
    CaseloadEntry.objects.bulk_create(
        CaseloadEntry(team=team, person_id=pid, added_by="bench", reason="Referral")
        for pid in chosen[ASSIGNED:]
    )
    records = {
        pid: (source_id, record_id)
        for pid, source_id, record_id in SourceRecord.objects.filter(
            link__person_id__in=chosen, source__name__in=("gp", "acute")
        ).values_list("link__person_id", "source_id", "source_record_id")
    }
    now = timezone.now()
    events = []
    for n, pid in enumerate(chosen):
        if pid not in records or rng.random() > 0.4:
            continue
        source_id, record_id = records[pid]
        for kind, rtype, code in (
            ("Safety flag", "Flag", "risk_to_staff"),
            ("A&E attendance", "Encounter", ""),
        ):
            events.append(
                Event(
                    source_id=source_id,
                    event_id=f"bench-caseload-{n}-{rtype}",
                    resource_type=rtype,
                    kind=kind,
                    code=code,
                    subject_record_id=record_id,
                    occurred_at=now - dt.timedelta(days=rng.randrange(0, 20)),
                    summary="Dog on premises" if rtype == "Flag" else "Fall at home",
                    on_timeline=True,
                    payload="{}",
                    content_hash=f"bench-caseload-{n}-{rtype}",
                )
            )
    Event.objects.bulk_create(events)
    _plans(staff, chosen, rng)


def _plans(staff, people: list[int], rng: random.Random) -> None:
    """Plans for the caseload people: actions owned by the bench clinician (some overdue,
    some due this week, some later) and review dates, written through the plan's actions."""
    from wraparound.plans.actions import (
        ActionOwnerChoice,
        Writer,
        add_plan_action,
        save_plan_details,
    )

    writer = Writer(by="Bench Clinician (District nurse)", user_id=staff.user_id, partner="gp")
    owner = ActionOwnerChoice(kind="staff", name="Bench Clinician", staff_id=staff.id)
    today = timezone.localdate()
    for pid in people:
        if rng.random() < 0.5:
            for _ in range(rng.randrange(1, 4)):
                add_plan_action(
                    person_id=pid,
                    what="Check the dressing and the pressure areas",
                    owner=owner,
                    due_on=today + dt.timedelta(days=rng.randrange(-10, 30)),
                    status="to_do",
                    by=writer,
                )
        if rng.random() < 0.3:
            save_plan_details(
                person_id=pid,
                supported_by="",
                supported_on=None,
                agreed_with="",
                agreed_on=None,
                review_on=today + dt.timedelta(days=rng.randrange(-5, 60)),
                reviewer_staff_id=None,
                reviewer_name="",
                by=writer,
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, required=True)
    parser.add_argument("--out", required=True, help="JSON file for the sample of people")
    args = parser.parse_args()
    result = load(args.people)
    set_up_viewer()
    with open(args.out, "w") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    main()
