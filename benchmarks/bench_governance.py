"""The gate itself: search_people, open_record and search.find, timed in-process (no HTTP).

Loads a synthetic population straight into a fresh SQLite database with
``benchmarks/pages_data.py`` (the page benchmark's loader: Person, SourceRecord, Link, Event
and search-index rows), then, in a second process, times a mix of queries a practitioner
types (NHS Number, full name, surname, name + year, name + district, postcode, district,
given name) through ``governance.access.search_people`` (which includes the agreement
filtering and the audit row written in the same transaction) and ``open_record`` for people
on the viewer's caseload. ``search.find`` alone shows the index lookup's share.

Size: ``BENCH_GOVERNANCE_PEOPLE`` (default 100000). Run:
    .venv/bin/python benchmarks/run.py bench_governance
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
WRAPAROUND = str(ROOT / ".venv" / "bin" / "wraparound")
REQUESTS = 300

TIMER = r"""
import json, os, random, statistics, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings")
django.setup()
from django.contrib.auth import get_user_model
from wraparound.governance import access
from wraparound.governance.access import search

user = get_user_model().objects.get(username="bench.clinician")
sample = json.load(open(sys.argv[1]))["sample"]
rng = random.Random(1)

def query():
    s = rng.choice(sample)
    district = s["postcode"].split()[0]
    given, family = s["name"].split()[0], s["name"].split()[-1]
    return rng.choice([s["nhs"], s["name"], family, f'{s["name"]} {s["year"]}',
                       f'{s["name"]} {district}', s["postcode"], district, given])

def timed(fn, n):
    out = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    out.sort()
    return {"p50": statistics.median(out), "p95": out[int(len(out) * 0.95) - 1], "max": out[-1]}

for _ in range(20):
    access.search_people(viewer=user, query=query(), ip=None)
result = {
    "find": timed(lambda: search.find(query()), int(sys.argv[2])),
    "search_people": timed(lambda: access.search_people(viewer=user, query=query(), ip=None), int(sys.argv[2])),
    "open_record": timed(
        lambda: access.open_record(viewer=user, person_id=rng.choice(sample)["person_id"],
                                   purpose="bench", ip=None),
        int(sys.argv[2]) // 2,
    ),
}
print(json.dumps(result))
"""


def run() -> str:
    people = int(os.environ.get("BENCH_GOVERNANCE_PEOPLE", "100000"))
    with tempfile.TemporaryDirectory(prefix="bench-governance-") as tmp:
        env = {**os.environ, "WRAPAROUND_VAR_DIR": tmp, "DATABASE_URL": ""}
        # 300 searches in seconds would pause searching (agreement ``search:`` limits): time
        # the searches, not the pause, with the limits raised in a copy of the agreement.
        agreement = Path(tmp) / "agreement.yaml"
        text = (ROOT / "src" / "wraparound" / "governance" / "agreement.yaml").read_text()
        raised = (
            text.replace("  people: 200\n", "  people: 1000000000\n")
            .replace("  strangers: 30\n", "  strangers: 1000000000\n")
            .replace("  searches: 120\n", "  searches: 1000000000\n")
        )
        if raised.count("1000000000") != 3:
            raise SystemExit("bench_governance: the agreement's search limits have changed")
        agreement.write_text(raised)
        env["WRAPAROUND_AGREEMENT"] = str(agreement)
        subprocess.run(
            [WRAPAROUND, "migrate", "--no-input"], env=env, check=True, capture_output=True
        )
        sample = Path(tmp) / "sample.json"
        subprocess.run(
            [
                PYTHON,
                str(ROOT / "benchmarks" / "pages_data.py"),
                "--people",
                str(people),
                "--out",
                str(sample),
            ],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        loaded = json.loads(sample.read_text())
        timer = Path(tmp) / "timer.py"
        timer.write_text(TIMER)
        out = subprocess.run(
            [PYTHON, str(timer), str(sample), str(REQUESTS)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        figures = json.loads(out.strip().splitlines()[-1])
    rows = "\n".join(
        f"| `{name}` | {f['p50']:.1f} | {f['p95']:.1f} | {f['max']:.1f} |"
        for name, f in figures.items()
    )
    return f"""## Governance gate (search and record, in-process)

{people:,} synthetic people ({loaded["records"]:,} source records, {loaded["events"]:,} events) on
SQLite, loaded with `benchmarks/pages_data.py`; {REQUESTS} searches and {REQUESTS // 2} record
opens by one clinician whose team covers every district. Times include the agreement
filtering and the audit row committed with each call; no HTTP.

| call | p50 ms | p95 ms | max ms |
|---|---|---|---|
{rows}

Query mix: NHS Number, full name, surname, name + year, name + district, full postcode,
district, given name. `find` is the index lookup alone (`governance.access.search.find`).

Command: `BENCH_GOVERNANCE_PEOPLE={people} .venv/bin/python benchmarks/run.py bench_governance`
(machine shared with other work, so figures are noisy; {sys.platform}).
"""
