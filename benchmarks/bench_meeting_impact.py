"""The MDT impact page (``/team/mdt/impact/``) with 100,000 people loaded.

For each database (SQLite always; PostgreSQL when ``BENCH_DATABASE_URL`` names a throwaway
database): migrate a fresh database and bulk-load the page benchmark's synthetic population
(``benchmarks/pages_data.py``: people, partner records, events, one team and its clinician).
Then, in a second process, give the team ``MEETINGS`` finished fortnightly MDTs of ``AGENDA``
people each (through ``meetings.actions``, as the gate runs them), two plan actions agreed per
discussion in every state (on time, late, overdue, not yet due, no longer needed), and acute
trust encounters (A&E attendances, emergency and planned admissions) around each discussion.
Then time, after a warm-up, the gate (``access.open_meeting_impact``) and the whole page through
Django's test client (middleware, session, gate, charts, template), and count the queries one
page load makes. Every load is audited.

Size: ``BENCH_IMPACT_PEOPLE`` (default 100000); loads per measure: ``BENCH_IMPACT_REQUESTS``
(default 100). Run: ``.venv/bin/python benchmarks/run.py bench_meeting_impact``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
WRAPAROUND = str(ROOT / ".venv" / "bin" / "wraparound")
GOAL_MS = 150
MEETINGS = 50
AGENDA = 8
EVERY_DAYS = 14


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"n": len(ordered), "p50": statistics.median(ordered), "p95": p95, "max": ordered[-1]}


# --- the measuring process (DATABASE_URL set, data loaded) ------------------------------------


def _history() -> dict:
    """The team's MDT history: meetings, discussions, actions and hospital events around them."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from pages_data import BENCH_USER

    from wraparound.meetings import actions as mdt
    from wraparound.meetings.models import CaseItem
    from wraparound.plans import actions as plans
    from wraparound.plans.models import PlanAction
    from wraparound.sources.models import Event, Source, SourceRecord

    rng = random.Random(5)
    user = get_user_model().objects.get(username=BENCH_USER)
    staff = user.staff
    team = staff.teams.get()
    acute = Source.objects.get(name="acute")
    records = dict(
        SourceRecord.objects.filter(source=acute).values_list("link__person_id", "source_record_id")
    )
    pool = rng.sample(sorted(records), min(len(records), 300))
    by = mdt.By(staff_id=staff.id, user_id=user.id, name="Bench Clinician")
    chair = mdt.Invitee(name="Bench Clinician", staff_id=staff.id)
    writer = plans.Writer(by="Bench Clinician", user_id=user.id, partner="gp")
    owner = plans.ActionOwnerChoice(kind="staff", name="Bench Clinician", staff_id=staff.id)
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    started = time.perf_counter()
    events = []
    for n in range(MEETINGS):
        day = today - dt.timedelta(days=EVERY_DAYS * (MEETINGS - n))
        meeting = mdt.schedule_meeting(
            team_id=team.id,
            title="Bench MDT",
            starts_at=dt.datetime.combine(day, dt.time(13), tzinfo=tz),
            chair=chair,
            invitees=[],
            every="once",
            by=by,
        )
        for pid in rng.sample(pool, AGENDA):
            item = mdt.add_to_case_list(
                meeting_id=meeting.id,
                person_id=pid,
                reason="Two A&E attendances this month",
                source="suggested",
                on_agenda=True,
                by=by,
            )
            nominated = dt.datetime.combine(day - dt.timedelta(rng.randint(0, 30)), dt.time(9))
            CaseItem.objects.filter(id=item.id).update(nominated_at=nominated.replace(tzinfo=tz))
            mdt.record_discussion(
                item_id=item.id, discussion="", decisions="Joint visit", finished=True, by=by
            )
            for _ in range(2):
                due = day + dt.timedelta(rng.randint(3, 40))
                action = plans.add_plan_action(
                    person_id=pid,
                    what="Visit together",
                    owner=owner,
                    due_on=due,
                    status="to_do",
                    meeting_item_id=item.id,
                    by=writer,
                )
                state = rng.random()
                if state < 0.6:
                    done = dt.datetime.combine(due + dt.timedelta(rng.randint(-5, 6)), dt.time(15))
                    PlanAction.objects.filter(id=action.id).update(
                        status="done", done_at=done.replace(tzinfo=tz)
                    )
                elif state < 0.7:
                    PlanAction.objects.filter(id=action.id).update(status="not_needed")
            for _ in range(rng.randint(0, 4)):
                kind, code = rng.choice(
                    [("A&E attendance", "50849002"), ("Admission", "183452005")]
                    + [("Admission", "8715000")]
                )
                when = dt.datetime.combine(day + dt.timedelta(rng.randint(-100, 100)), dt.time(11))
                events.append((pid, kind, code, when.replace(tzinfo=tz)))
        mdt.finish_meeting(meeting_id=meeting.id, by=by)
    Event.objects.bulk_create(
        Event(
            source=acute,
            event_id=f"bench-impact/{i}",
            resource_type="Encounter",
            kind=kind,
            subject_record_id=records[pid],
            occurred_at=when,
            summary=kind,
            code=code,
            payload="{}",
            content_hash=hashlib.sha256(f"bench-impact/{i}".encode()).hexdigest(),
        )
        for i, (pid, kind, code, when) in enumerate(events)
    )
    return {
        "user": user,
        "history_seconds": time.perf_counter() - started,
        "discussions": CaseItem.objects.filter(status="discussed").count(),
        "actions": PlanAction.objects.exclude(meeting_item_id=None).count(),
        "events": len(events),
    }


def _timed(call, n: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each call after 5 warm-ups. The CPU time (this
    process: Python, and SQLite, which runs in it) shows the page's own cost when the shared
    machine is busy and wall-clock times mostly measure waiting for a core."""
    wall, cpu = [], []
    for i in range(n + 5):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        if i >= 5:
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def measure(requests: int) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings")
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from wraparound.governance import access
    from wraparound.sources.models import Event

    world = _history()
    user = world["user"]
    page = access.open_meeting_impact(viewer=user, ip="127.0.0.1")
    gate, gate_cpu = _timed(
        lambda: access.open_meeting_impact(viewer=user, ip="127.0.0.1"), requests
    )
    client = Client()
    client.force_login(user)
    statuses = set()
    pages, pages_cpu = _timed(
        lambda: statuses.add(client.get("/team/mdt/impact/").status_code), requests
    )
    with CaptureQueriesContext(connection) as queries:
        client.get("/team/mdt/impact/")
    h = page.hospital
    return {
        "gate": {**_percentiles(gate), "cpu": _percentiles(gate_cpu)},
        "page": {**_percentiles(pages), "cpu": _percentiles(pages_cpu)},
        "statuses": sorted(statuses),
        "queries": len(queries.captured_queries),
        "all_events": Event.objects.count(),
        "people_discussed": page.people_discussed,
        "followed": h.people,
        "attendances": (h.attendances_before.events, h.attendances_after.events)
        if h.shown
        else None,
        **{k: world[k] for k in ("history_seconds", "discussions", "actions", "events")},
    }


# --- the driver (``make bench``) --------------------------------------------------------------


def _run_one(database_url: str, people: int, requests: int, workdir: Path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "WRAPAROUND_DEBUG": "0",
        "WRAPAROUND_VAR_DIR": str(workdir),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "benchmarks"), str(ROOT)]),
    }
    subprocess.run([WRAPAROUND, "migrate", "--no-input"], env=env, check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run(
        [
            PYTHON,
            str(ROOT / "benchmarks" / "pages_data.py"),
            "--people",
            str(people),
            "--out",
            str(workdir / "sample.json"),
        ],
        env=env,
        check=True,
    )
    load_seconds = time.perf_counter() - started
    out = workdir / "impact.json"
    load_before = os.getloadavg()[0]
    subprocess.run(
        [PYTHON, __file__, "--measure", "--requests", str(requests), "--out", str(out)],
        env=env,
        check=True,
    )
    result = json.loads(out.read_text())
    result.update(load_seconds=load_seconds, loadavg=(load_before, os.getloadavg()[0]))
    return result


def run() -> str:
    requests = int(os.environ.get("BENCH_IMPACT_REQUESTS", "100"))
    people = int(os.environ.get("BENCH_IMPACT_PEOPLE", "100000"))
    backends = [("SQLite", None)]
    if os.environ.get("BENCH_DATABASE_URL"):
        backends.append(("PostgreSQL", os.environ["BENCH_DATABASE_URL"]))
    rows, notes = [], []
    for label, url in backends:
        workdir = Path(tempfile.mkdtemp(prefix="bench-impact-"))
        try:
            if url is None:
                db_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
            else:
                db_url = url
                subprocess.run(
                    [WRAPAROUND, "flush", "--no-input"],
                    env={
                        **os.environ,
                        "DATABASE_URL": url,
                        "WRAPAROUND_ENVIRONMENT": "development",
                    },
                    capture_output=True,
                )
            r = _run_one(db_url, people, requests, workdir)
        except Exception as exc:  # a benchmark reports, it does not crash the run
            notes.append(f"- {label}, {people:,} people: not measured ({exc}).")
            continue
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        for what in ("gate", "page"):
            m = r[what]
            met = "yes" if m["p95"] <= GOAL_MS else "no"
            rows.append(
                f"| {label} | {people:,} | {what} | {m['n']} | {m['p50']:.1f} | {m['p95']:.1f} | "
                f"{m['max']:.1f} | {m['cpu']['p50']:.1f} | {m['cpu']['p95']:.1f} | {met} |"
            )
        notes.append(
            f"- {label}: {r['all_events']:,} events in all; {r['discussions']} discussions in all "
            f"({r['people_discussed']} people in the last 12 months), {r['actions']} actions, "
            f"{r['events']} acute encounters added around the discussions; {r['followed']} people "
            f"followed up for hospital use (A&E before, after: {r['attendances']}); "
            f"{r['queries']} queries per page load (session and audit included); statuses "
            f"{r['statuses']}; population loaded in {r['load_seconds']:.0f} s, MDT history "
            f"written in {r['history_seconds']:.0f} s; load average {r['loadavg'][0]:.1f} before, "
            f"{r['loadavg'][1]:.1f} after."
        )
    if not os.environ.get("BENCH_DATABASE_URL"):
        notes.append("- PostgreSQL: not measured in this run (set BENCH_DATABASE_URL).")
    return "\n".join(
        [
            "## The MDT impact page (issue 12, item 5)",
            "",
            "Command: `.venv/bin/python benchmarks/run.py bench_meeting_impact` (PostgreSQL too "
            "with `BENCH_DATABASE_URL`, a throwaway database: it is flushed).",
            "",
            f"Data: the page benchmark's {people:,} synthetic people, and one team's {MEETINGS} "
            f"fortnightly MDTs of {AGENDA} people (from a pool of 300), two actions per "
            "discussion and acute encounters around each. The gate and the page through Django's "
            f"test client, {requests} loads each after 5 warm-ups, DEBUG off. Times in ms; "
            f"goal p95 ≤ {GOAL_MS} ms (wall clock). CPU: this process's CPU time per load (on "
            "PostgreSQL the server's own time is not in it).",
            "",
            "| database | people | measure | loads | p50 | p95 | max | CPU p50 | CPU p95 "
            "| p95 within goal |",
            "|---|---:|---|---:|---:|---:|---:|---:|---:|---|",
            *rows,
            "",
            *notes,
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--measure", action="store_true")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--out")
    args = parser.parse_args()
    if not args.measure:
        print(run())
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    result = measure(args.requests)
    Path(args.out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
