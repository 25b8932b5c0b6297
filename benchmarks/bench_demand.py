"""The team's learning page ("What demand teaches us") and the team's queue, with 100,000 requests.

A fresh SQLite database (or PostgreSQL with ``BENCH_DATABASE_URL``, a throwaway database) is
migrated and loaded by the demo generator (``wraparound.demand.demo``, bulk inserts): the
requests shared by 2 teams (the worst case: every request on two teams' charts) and then by 20,
a year of them, with contacts, hand-offs, urgent visits and the recorded change half-way.
Then, in a second process, a nurse in the first team is logged in with Django's test client and
each page is fetched N times in-process (middleware, gate, audit row, template: everything but
the socket), after a few warm-up fetches. Nothing is precomputed per request: the page counts by
week in the database on every load.

Size: ``BENCH_DEMAND_REQUESTS`` (default 100000). Fetches per page: ``BENCH_DEMAND_FETCHES``
(default 60). Run: ``.venv/bin/python benchmarks/run.py bench_demand``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
WRAPAROUND = str(ROOT / ".venv" / "bin" / "wraparound")
GOAL_MS = 150
WEEKS = 52
TEAM_COUNTS = (2, 20)


def _load(total: int, teams_count: int) -> dict:
    """Child process: teams, three staff each, and ``total`` requests through the demo generator."""
    from django.contrib.auth import get_user_model

    from wraparound.demand.demo import load_demo_demand
    from wraparound.frontdoor.models import Handoff, HelpRequest, RequestContact
    from wraparound.governance.models import Organisation, Staff, Team

    org, _ = Organisation.objects.get_or_create(
        name="Community trust (bench)", defaults={"partner": "community"}
    )
    teams = [
        Team.objects.get_or_create(name=f"Team {i} (bench)", defaults={"neighbourhood": ["WV10"]})[
            0
        ]
        for i in range(teams_count)
    ]
    for i, team in enumerate(teams):
        for j, role in enumerate(("clinician", "social_worker", "care_coordinator")):
            user = get_user_model().objects.create_user(
                username=f"bench.{i}.{j}", first_name=f"Staff{i}{j}", last_name="Bench"
            )
            Staff.objects.create(user=user, organisation=org, role=role).teams.set([team])
    started = time.perf_counter()
    load_demo_demand(
        teams=teams, people_by_team={}, requests_per_week=round(total / teams_count / WEEKS)
    )
    return {
        "requests": HelpRequest.objects.count(),
        "contacts": RequestContact.objects.count(),
        "handoffs": Handoff.objects.count(),
        "load_s": time.perf_counter() - started,
    }


def _time(fetches: int) -> dict:
    """Child process: p50/p95/max of each page for the North team's nurse."""
    import statistics

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench.0.0"))  # the first team
    pages = {"learning page": reverse("record:demand")}
    try:
        pages["team queue"] = reverse("record:requests")
    except NoReverseMatch:
        pass
    out = {}
    for name, url in pages.items():
        for _ in range(3):
            status = client.get(url).status_code
        times = []
        for _ in range(fetches):
            started = time.perf_counter()
            status = client.get(url).status_code
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        out[name] = {
            "status": status,
            "p50": statistics.median(times),
            "p95": times[max(0, int(len(times) * 0.95) - 1)],
            "max": times[-1],
        }
    return out


def _child(what: str, arg: int, teams_count: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings")
    django.setup()
    print(json.dumps(_load(arg, teams_count) if what == "load" else _time(arg)))


def _run_on(label: str, env: dict, total: int, fetches: int, teams_count: int) -> list[str]:
    subprocess.run([WRAPAROUND, "migrate", "--no-input"], env=env, check=True, capture_output=True)
    me = str(Path(__file__).resolve())
    loaded = json.loads(
        subprocess.run(
            [PYTHON, me, "--child", "load", str(total), str(teams_count)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()[-1]
    )
    timed = json.loads(
        subprocess.run(
            [PYTHON, me, "--child", "time", str(fetches), str(teams_count)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()[-1]
    )
    per_team = loaded["requests"] / teams_count / WEEKS
    rows = [
        f"| {label} | {teams_count} | {per_team:.0f} | {page} | {loaded['requests']:,} | {t['status']} | {t['p50']:.0f} | "
        f"{t['p95']:.0f} | {t['max']:.0f} | {'yes' if t['p95'] <= GOAL_MS else 'no'} |"
        for page, t in timed.items()
    ]
    rows.append(
        f"| {label} | {teams_count} | | (loading: {loaded['contacts']:,} contacts, "
        f"{loaded['handoffs']:,} hand-offs, {loaded['load_s']:.0f} s) | | | | | | |"
    )
    return rows


def run() -> str:
    total = int(os.environ.get("BENCH_DEMAND_REQUESTS", "100000"))
    fetches = int(os.environ.get("BENCH_DEMAND_FETCHES", "60"))
    rows = []
    for teams_count in TEAM_COUNTS:
        with tempfile.TemporaryDirectory(prefix="bench-demand-") as tmp:
            env = {
                **os.environ,
                "WRAPAROUND_VAR_DIR": tmp,
                "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
                "WRAPAROUND_INSECURE_DEV_KEY": "1",
            }
            rows += _run_on("SQLite", env, total, fetches, teams_count)
    if os.environ.get("BENCH_DATABASE_URL"):
        with tempfile.TemporaryDirectory(prefix="bench-demand-") as tmp:
            env = {
                **os.environ,
                "WRAPAROUND_VAR_DIR": tmp,
                "DATABASE_URL": os.environ["BENCH_DATABASE_URL"],
                "WRAPAROUND_INSECURE_DEV_KEY": "1",
            }
            rows += _run_on("PostgreSQL", env, total, fetches, TEAM_COUNTS[0])
    return "\n".join(
        [
            "## What demand teaches us, and the team's queue",
            "",
            f"`.venv/bin/python benchmarks/run.py bench_demand`: {total:,} requests over a year "
            "(demo generator: contacts, hand-offs, urgent visits, a change half-way), shared by "
            f"{' or '.join(str(n) for n in TEAM_COUNTS)} teams; the first team's nurse fetches "
            f"each page {fetches} times in-process with Django's test client after 3 warm-ups. "
            f"Goal: p95 ≤ {GOAL_MS} ms. With 2 teams each has ~960 requests a week (the worst "
            "case: all 100,000 in two teams' charts); with 20, ~96 a week, still more than a "
            "neighbourhood team's usual front door.",
            "",
            "| database | teams | requests a week per team | page | requests | status | p50 ms "
            "| p95 ms | max ms | goal met? |",
            "|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "PostgreSQL is measured only when `BENCH_DATABASE_URL` names a throwaway database.",
        ]
    )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        _child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        print(run())
