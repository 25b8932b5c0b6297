"""Page latency: the person page and search, with 100,000 (and 1,000,000) people loaded.

For each database (SQLite always; PostgreSQL when ``BENCH_DATABASE_URL`` points at a
throwaway database) and each size: migrate a fresh database, bulk-load synthetic people
(``benchmarks/pages_data.py``: rows written straight into the tables, not through
ingest + link), start ``wraparound runserver --noreload`` (Django's threaded development
server, one process) on loopback, log in as a clinician from this process, then time N
requests per page over loopback with the session cookie (warm-up requests not counted).

Sizes: ``BENCH_PAGES_SIZES`` (comma-separated, default ``100000``; add ``1000000`` when the
machine has the ~time to load it). Requests per page: ``BENCH_PAGES_REQUESTS`` (default 200).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
WRAPAROUND = str(ROOT / ".venv" / "bin" / "wraparound")
GOAL_MS = 150
ASSIGNED_NOTE = (
    "40 people assigned; the team's list: 300 referrals; half of them with 1-3 plan actions, "
    "30% with a plan review date, 40% with a recent safety flag and A&E attendance"
)
PAGES = (
    "person",
    "search",
    "my caseload",
    "team caseload (list)",
    "team caseload (neighbourhood)",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """A tiny HTTP client with a cookie jar: keeps the bench free of extra packages."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, float]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}/login/"
        started = time.perf_counter()
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        elapsed = (time.perf_counter() - started) * 1000
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return response.status, text, elapsed

    def log_in(self, username: str, password: str) -> None:
        _, page, _ = self.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _, _ = self.request(
            "POST",
            "/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password},
        )
        if status != 302:
            raise RuntimeError(f"bench login failed with HTTP {status}")


def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return p50, p95, ordered[-1]


def _measure(client: Client, paths: list[str], warmup: int = 10) -> dict:
    for path in paths[:warmup]:
        client.request("GET", path)
    times, bad = [], 0
    for path in paths:
        status, _, ms = client.request("GET", path)
        if status != 200:
            bad += 1
        times.append(ms)
    p50, p95, worst = _percentiles(times)
    return {"n": len(times), "p50": p50, "p95": p95, "max": worst, "errors": bad}


def _run_one(database_url: str, people: int, requests: int, workdir: Path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "WRAPAROUND_DEBUG": "0",
        "WRAPAROUND_VAR_DIR": str(workdir),
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run([WRAPAROUND, "migrate", "--no-input"], env=env, check=True, capture_output=True)
    sample_file = workdir / "sample.json"
    load_started = time.perf_counter()
    subprocess.run(
        [
            PYTHON,
            str(ROOT / "benchmarks" / "pages_data.py"),
            "--people",
            str(people),
            "--out",
            str(sample_file),
        ],
        env=env,
        check=True,
    )
    load_seconds = time.perf_counter() - load_started
    loaded = json.loads(sample_file.read_text())
    port = _free_port()
    server = subprocess.Popen(
        [WRAPAROUND, "runserver", "--noreload", "--nothreading", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        from pages_data import BENCH_PASSWORD, BENCH_USER  # noqa: PLC0415

        client = Client(port)
        client.log_in(BENCH_USER, BENCH_PASSWORD)
        rng = random.Random(1)
        sample = loaded["sample"]
        person_paths = [f"/people/{rng.choice(sample)['person_id']}/" for _ in range(requests)]
        queries = []
        for _ in range(requests):
            s = rng.choice(sample)
            queries.append(
                rng.choice(
                    [
                        s["nhs"][:3] + " " + s["nhs"][3:6] + " " + s["nhs"][6:],
                        f"{s['name']} {s['year']}",
                        s["name"].lower(),
                        s["postcode"],
                    ]
                )
            )
        search_paths = ["/?" + urllib.parse.urlencode({"q": q}) for q in queries]
        # Caseloads (issue 10): "My caseload" and the team's list in every sort and filter,
        # and the whole neighbourhood (every person: 100,000 at 100,000) at random pages.
        choices = [
            {},
            {"sort": "most"},
            {"sort": "next_due", "show": "needs"},
            {"show": "needs", "overdue": "1"},
        ]
        my_paths = [
            "/caseload/?" + urllib.parse.urlencode(rng.choice(choices)) for _ in range(requests)
        ]
        team_paths = [
            "/caseload/team/?" + urllib.parse.urlencode({**rng.choice(choices), "page": page})
            for page in (rng.randrange(1, 13) for _ in range(requests))
        ]
        area_pages = max(1, people // 25)
        area_paths = [
            "/caseload/team/?scope=neighbourhood&page=" + str(rng.randrange(1, area_pages + 1))
            for _ in range(requests)
        ]
        load_before = os.getloadavg()[0]
        person = _measure(client, person_paths)
        search = _measure(client, search_paths)
        my_caseload = _measure(client, my_paths)
        team_caseload = _measure(client, team_paths)
        neighbourhood = _measure(client, area_paths)
        return {
            "people": people,
            "records": loaded["records"],
            "events": loaded["events"],
            "tokens": loaded.get("tokens"),
            "timings": loaded.get("timings", {}),
            "load_seconds": load_seconds,
            "loadavg": (load_before, os.getloadavg()[0]),
            "person": person,
            "search": search,
            "my caseload": my_caseload,
            "team caseload (list)": team_caseload,
            "team caseload (neighbourhood)": neighbourhood,
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def _sizes() -> list[int]:
    raw = os.environ.get("BENCH_PAGES_SIZES", "100000")
    return [int(x) for x in raw.split(",") if x.strip()]


def run() -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    requests = int(os.environ.get("BENCH_PAGES_REQUESTS", "200"))
    backends = [("SQLite", None)]
    if os.environ.get("BENCH_DATABASE_URL"):
        backends.append(("PostgreSQL", os.environ["BENCH_DATABASE_URL"]))
    rows, notes = [], []
    for label, url in backends:
        for people in _sizes():
            workdir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
            try:
                if url is None:
                    db_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
                else:
                    db_url = url
                    subprocess.run(
                        [WRAPAROUND, "flush", "--no-input"],
                        # A throwaway benchmark database: flush refuses outside development.
                        env={
                            **os.environ,
                            "DATABASE_URL": url,
                            "WRAPAROUND_ENVIRONMENT": "development",
                        },
                        capture_output=True,
                    )
                result = _run_one(db_url, people, requests, workdir)
            except Exception as exc:  # a benchmark reports, it does not crash the run
                notes.append(f"- {label}, {people:,} people: not measured ({exc}).")
                continue
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
            for page in PAGES:
                m = result[page]
                rows.append(
                    f"| {label} | {people:,} | {page} | {m['n']} | {m['p50']:.1f} | {m['p95']:.1f} | "
                    f"{m['max']:.1f} | {'yes' if m['p95'] <= GOAL_MS else 'no'} | {m['errors']} |"
                )
            phases = ", ".join(f"{k} {v:.0f} s" for k, v in result["timings"].items())
            notes.append(
                f"- {label}, {people:,} people: {result['records']:,} source records, "
                f"{result['events']:,} events, {result['tokens'] or 0:,} search tokens; "
                f"loaded in {result['load_seconds']:.0f} s ({phases}); load average "
                f"{result['loadavg'][0]:.1f} before and {result['loadavg'][1]:.1f} after "
                "the requests."
            )
    for size in (100_000, 1_000_000):
        if size not in _sizes():
            notes.append(f"- {size:,} people: not measured in this run (set BENCH_PAGES_SIZES).")
    if not os.environ.get("BENCH_DATABASE_URL"):
        notes.append("- PostgreSQL: not measured in this run (set BENCH_DATABASE_URL).")
    return "\n".join(
        [
            "## Pages: person page, search and caseload latency",
            "",
            "Command: `BENCH_PAGES_SIZES=100000,1000000 "
            "BENCH_DATABASE_URL=postgres://USER@127.0.0.1:PORT/wraparound "
            ".venv/bin/python benchmarks/run.py bench_pages` (without `BENCH_DATABASE_URL`, "
            "SQLite only; the PostgreSQL database is flushed). PostgreSQL 15 here: a throwaway "
            "server with `shared_buffers=512MB`, `maintenance_work_mem=512MB`, "
            "`max_wal_size=4GB`, fsync and synchronous commit left on.",
            "",
            f"Each page requested {requests} times from a second process over loopback with a "
            "logged-in clinician's session cookie, after 10 warm-up requests; the server is "
            "`wraparound runserver --noreload --nothreading` (one process, one thread, DEBUG off). "
            "Person pages: random people on the clinician's team caseload. Searches: a random mix "
            'of spaced NHS Number, "name year", lower-case name, and postcode. Caseloads: '
            f"My caseload ({ASSIGNED_NOTE}) and the team's list in every sort and filter, and "
            "the whole neighbourhood (every person loaded) at random pages. Times in ms, "
            f"goal p95 ≤ {GOAL_MS} ms.",
            "",
            "| database | people | page | requests | p50 | p95 | max | p95 within goal | non-200 |",
            "|---|---:|---|---:|---:|---:|---:|---|---:|",
            *rows,
            "",
            "Data: synthetic rows bulk-inserted straight into Person, SourceRecord, Link, Event "
            "and the search index (`benchmarks/pages_data.py`: executemany on SQLite, COPY on "
            "PostgreSQL, secondary indexes built after the load), not through ingest + link; "
            "about two source records and 3.5 timeline events per person. The machine is "
            "shared (2 cores; other helpers' benchmarks ran at the same time): compare rows "
            "of one run, and read the load average.",
            *notes,
            "",
        ]
    )
