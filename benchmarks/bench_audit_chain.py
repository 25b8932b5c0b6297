"""The audit trail's hash chain: what it costs each audit write, and how fast it is verified.

In a fresh database (SQLite by default; PostgreSQL with ``BENCH_DATABASE_URL``), times
``AuditEntry.objects.create`` one row per transaction, as the gate writes them (chain lock,
head read, SHA-256, insert, person index), against the same insert without the chain
(``Model.save`` bypassing ``AuditEntry.save``); then loads ``BENCH_AUDIT_ROWS`` rows
(default 200,000) with ``bulk_create`` (chained too) and times ``audit_chain.verify`` over
all of them (what ``wraparound verify-audit`` runs).

Run: ``.venv/bin/python benchmarks/run.py bench_audit_chain``
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

TIMER = r"""
import json, os, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings")
django.setup()
from django.db import connection, models, transaction
from django.utils import timezone
from wraparound.governance import audit_chain
from wraparound.governance.models import AuditEntry

WRITES = 2000
ROWS = int(sys.argv[1])
detail = {"access": "caseload", "shown_partners": ["gp", "community"], "withheld": [],
          "withheld_categories": [], "timeline": {"page": 1}}

def entry(i):
    return AuditEntry(at=timezone.now(), user_id=7, username="bench.nurse", staff_name="Jo Baker",
                      role="clinician", organisation="GP", ip="10.0.0.1", action="view_person",
                      person_id=1000 + i, purpose="direct_care", detail=detail)

def per_write(save):
    started = time.perf_counter()
    for i in range(WRITES):
        with transaction.atomic():
            save(entry(i))
    return (time.perf_counter() - started) / WRITES * 1e6

chained = per_write(lambda e: e.save())
started = time.perf_counter()
batch = 5000
for start in range(0, ROWS, batch):
    AuditEntry.objects.bulk_create([entry(i) for i in range(start, min(ROWS, start + batch))])
bulk = ROWS / (time.perf_counter() - started)
result = audit_chain.verify()  # what verify-audit runs, over an intact chain
checked, verify_seconds = result.rows, result.seconds
# The baseline last: rows written without the chain would break it for verify.
plain = per_write(lambda e: models.Model.save(e, force_insert=True))
rows = AuditEntry.objects.count()
print(json.dumps({"vendor": connection.vendor, "plain_us": plain, "chained_us": chained,
                  "bulk_rows_per_s": bulk, "rows": rows, "verify_rows": checked,
                  "verify_seconds": verify_seconds, "verify_rows_per_s": checked / verify_seconds,
                  "first_break_kind": result.first_break.kind if result.first_break else None}))
"""


def _measure(database_url: str, rows: int) -> dict:
    env = os.environ | {"DATABASE_URL": database_url, "WRAPAROUND_INSECURE_DEV_KEY": "1"}
    subprocess.run([WRAPAROUND, "migrate", "--no-input"], env=env, check=True, capture_output=True)
    out = subprocess.run(
        [PYTHON, "-c", TIMER, str(rows)], env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> str:
    rows = int(os.environ.get("BENCH_AUDIT_ROWS", "200000"))
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(_measure(f"sqlite:///{tmp}/bench.sqlite3", rows))
    if os.environ.get("BENCH_DATABASE_URL"):
        results.append(_measure(os.environ["BENCH_DATABASE_URL"], rows))
    lines = [
        "## Audit hash chain (cost per audit write, verify speed)",
        "",
        "One audit row per transaction, as the gate writes them, with and without the chain "
        f"(2,000 each); then {rows:,} chained rows loaded with `bulk_create` and recomputed "
        "as `wraparound verify-audit` does. Command: "
        "`.venv/bin/python benchmarks/run.py bench_audit_chain`.",
        "",
        "| database | write without chain | write with chain | extra per write | "
        "bulk chained writes | verify |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['vendor']} | {r['plain_us']:.0f} µs | {r['chained_us']:.0f} µs | "
            f"{r['chained_us'] - r['plain_us']:.0f} µs | {r['bulk_rows_per_s']:,.0f} rows/s | "
            f"{r['verify_rows_per_s']:,.0f} rows/s ({r['verify_rows']:,} rows in "
            f"{r['verify_seconds']:.1f} s) |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(run())
