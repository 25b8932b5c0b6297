"""Bulk-load a synthetic population straight into the tables, for the page-latency benchmark.

Loading a million people through ``generate`` + ``ingest`` + ``link`` takes far longer than
the benchmark should, and it measures those steps rather than the pages. So this writes
``Person``, ``SourceRecord``, ``Link``, ``Event`` and ``PersonSearchIndex`` rows directly with
``executemany`` (explicit ids, columns taken from the models so it follows model changes),
then one team, one clinician login and the team's neighbourhood. It is not a test of ingest or
linkage: rows are synthetic and already "linked".

Run by ``benchmarks/bench_pages.py`` in a subprocess with ``DATABASE_URL`` set:
    python benchmarks/pages_data.py --people 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings")
django.setup()

from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from wraparound.core import nhs_number  # noqa: E402
from wraparound.governance.models import PersonSearchIndex  # noqa: E402
from wraparound.governance.search import tokens_for  # noqa: E402
from wraparound.identity.models import Link, Person  # noqa: E402
from wraparound.sources.models import Event, Source, SourceRecord  # noqa: E402
from wraparound.synthetic import names  # noqa: E402

CHUNK = 10_000
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


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields]


def _fill(model, rows: list[dict], now) -> list[tuple]:
    """Turn dicts into tuples in column order, filling defaults the way the model would.

    Only datetimes and JSON go through Django's adapters (they differ per database); plain
    strings, numbers, booleans and dates go to the driver as they are, which is what makes a
    million rows load in minutes rather than an hour.
    """
    fields = _columns(model)
    plan = []
    for f in fields:
        needs_prep = isinstance(f, models.DateTimeField | models.JSONField)
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        default = f.get_db_prep_save(now if auto else f.get_default(), connection)
        plan.append((f.attname, needs_prep, default, f))
    out = []
    prepared_now = connection.ops.adapt_datetimefield_value(now)
    for row in rows:
        values = []
        for attname, needs_prep, default, f in plan:
            if attname not in row:
                values.append(default)
                continue
            value = row[attname]
            if needs_prep:
                if value is now:
                    value = prepared_now
                elif isinstance(f, models.JSONField) and value == {}:
                    value = f.get_db_prep_save({}, connection)
                else:
                    value = f.get_db_prep_save(value, connection)
            values.append(value)
        out.append(tuple(values))
    return out


def _insert(model, rows: list[dict], now) -> None:
    if not rows:
        return
    fields = _columns(model)
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({cols}) VALUES ({marks})", _fill(model, rows, now)
        )


def _nhs(rng: random.Random) -> str:
    while True:
        first = f"{rng.randrange(400_000_000, 999_999_999):09d}"
        digit = nhs_number.check_digit(first)
        if digit is not None:
            return first + str(digit)


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
    record_id = event_id = 0
    started = time.perf_counter()
    sample = []
    for start in range(1, people + 1, CHUNK):
        person_rows, record_rows, link_rows, event_rows, token_rows = [], [], [], [], []
        for pid in range(start, min(start + CHUNK, people + 1)):
            female = rng.random() < 0.52
            given = rng.choice(given_f if female else given_m)
            fam = rng.choice(family)
            dob = dt.date(1925, 1, 1) + dt.timedelta(days=rng.randrange(0, 36_500))
            district = rng.choice(DISTRICTS)
            postcode = f"{district} {rng.randrange(1, 10)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            address = (
                f"{rng.randrange(1, 200)} {rng.choice(names.BRITISH_FAMILY)} Road, Wolverhampton"
            )
            nhs = _nhs(rng)
            person_rows.append(
                {
                    "id": pid,
                    "nhs_number": nhs,
                    "given_name": given,
                    "family_name": fam,
                    "date_of_birth": dob,
                    "postcode": postcode,
                    "address": address,
                    "retired": False,
                }
            )
            for name, _partner, share in SOURCES:
                if rng.random() > share:
                    continue
                record_id += 1
                src_id = f"{name[:2].upper()}{pid:08d}"
                record_rows.append(
                    {
                        "id": record_id,
                        "source_id": sources[name].id,
                        "source_record_id": src_id,
                        "format": "csv",
                        "nhs_number": nhs,
                        "nhs_number_valid": True,
                        "given_name": given,
                        "family_name": fam,
                        "date_of_birth": dob,
                        "sex": "female" if female else "male",
                        "postcode": postcode,
                        "address": address,
                        "phone": "",
                        "extra": {},
                        "payload": json.dumps({"id": src_id}),
                        "content_hash": f"{record_id:064d}",
                    }
                )
                link_rows.append(
                    {
                        "id": record_id,
                        "source_record_id": record_id,
                        "person_id": pid,
                        "rule": "nhs_number",
                        "match_probability": None,
                    }
                )
                for _ in range(rng.randrange(1, 5) if name == "gp" else rng.randrange(0, 3)):
                    event_id += 1
                    kind = rng.choice(EVENT_KINDS[name])
                    event_rows.append(
                        {
                            "id": event_id,
                            "source_id": sources[name].id,
                            "event_id": f"E{event_id}",
                            "resource_type": "Activity",
                            "kind": kind,
                            "subject_record_id": src_id,
                            "occurred_at": now - dt.timedelta(days=rng.randrange(0, 3650)),
                            "summary": f"{kind.replace('_', ' ').capitalize()} (synthetic)",
                            "status": "",
                            "code": "",
                            "sensitive_category": "",
                            "on_timeline": True,
                            "extra": {},
                            "payload": "{}",
                            "content_hash": f"{event_id:064d}",
                        }
                    )
            for token in tokens_for(
                given_names=[given],
                family_names=[fam],
                dates_of_birth=[dob],
                postcodes_=[postcode],
                nhs_numbers=[nhs],
            ):
                token_rows.append({"token": token, "person_id": pid})
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
        with transaction.atomic():
            _insert(Person, person_rows, now)
            _insert(SourceRecord, record_rows, now)
            _insert(Link, link_rows, now)
            _insert(Event, event_rows, now)
            # The index table has an auto id: let the database number it.
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {PersonSearchIndex._meta.db_table} (token, person_id) VALUES (%s, %s)",
                    [(t["token"], t["person_id"]) for t in token_rows],
                )
        done = min(start + CHUNK - 1, people)
        rate = done / (time.perf_counter() - started)
        print(f"\r{done:,} people ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [Person, SourceRecord, Link, Event]
            ):
                cursor.execute(sql)
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "people": people,
        "records": record_id,
        "events": event_id,
        "seconds": round(time.perf_counter() - started, 1),
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
