"""Page latency while a feed ingests: does the web app keep answering on SQLite?

On SQLite one connection writes at a time, and every audited page writes (its audit row). An
ingest used to be one write transaction for the whole feed, so pages waited 30 s and failed
"database is locked". Ingest now commits in batches (decision 0004); this measures what a
person sees: the person page's latency while a 200,000-row CSV feed ingests in another process,
and the same page with no ingest running.

Steps: migrate a fresh SQLite file, load synthetic people for the page
(``benchmarks/pages_data.py``), serve the app over loopback (gunicorn if installed, else
``wraparound runserver --noreload``), log in as a clinician, time person-page requests with no
ingest, then again for as long as ``wraparound ingest`` of the feed runs. Goals: p95 during
ingest <= 1 s, 0 errors.

    .venv/bin/python benchmarks/run.py bench_ingest_web
    BENCH_WEB_ROWS=200000 BENCH_WEB_PEOPLE=10000 BENCH_WEB_REQUESTS=200 (defaults)
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ingest import write_demographic_csv  # noqa: E402
from bench_pages import Client, _percentiles  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
WRAPAROUND = str(ROOT / ".venv" / "bin" / "wraparound")
ROWS = int(os.environ.get("BENCH_WEB_ROWS", "200000"))
PEOPLE = int(os.environ.get("BENCH_WEB_PEOPLE", "10000"))
REQUESTS = int(os.environ.get("BENCH_WEB_REQUESTS", "200"))
GOAL_MS = 1000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(env: dict, port: int) -> tuple[subprocess.Popen, str]:
    gunicorn = shutil.which("gunicorn", path=str(ROOT / ".venv" / "bin"))
    if gunicorn:
        command = [gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "wraparound.wsgi"]
        name = "gunicorn, 2 workers"
    else:
        command = [WRAPAROUND, "runserver", "--noreload", f"127.0.0.1:{port}"]
        name = "`wraparound runserver --noreload` (threaded; gunicorn not installed)"
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, name
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the web server did not start")


def _get(client: Client, path: str) -> tuple[bool, float]:
    started = time.perf_counter()
    try:
        status, _, ms = client.request("GET", path)
    except OSError:
        return False, (time.perf_counter() - started) * 1000
    return status == 200, ms


def _summary(samples: list[tuple[bool, float]]) -> dict:
    times = [ms for _, ms in samples]
    p50, p95, worst = _percentiles(times)
    errors = sum(1 for ok, _ in samples if not ok)
    return {"n": len(samples), "p50": p50, "p95": p95, "max": worst, "errors": errors}


def measure(workdir: Path) -> dict:
    db = workdir / "web.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "WRAPAROUND_DEBUG": "0",
        "WRAPAROUND_VAR_DIR": str(workdir),
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run([WRAPAROUND, "migrate", "--no-input"], env=env, check=True, capture_output=True)
    sample_file = workdir / "sample.json"
    subprocess.run(
        [PYTHON, str(ROOT / "benchmarks" / "pages_data.py"), "--people", str(PEOPLE)]
        + ["--out", str(sample_file)],
        env=env,
        check=True,
        capture_output=True,
    )
    sample = json.loads(sample_file.read_text())["sample"]
    feed = workdir / "feed.csv"
    write_demographic_csv(feed, ROWS, seed=11)
    port = _free_port()
    server, server_name = _serve(env, port)
    try:
        from pages_data import BENCH_PASSWORD, BENCH_USER

        client = Client(port)
        client.log_in(BENCH_USER, BENCH_PASSWORD)
        rng = random.Random(1)

        def page() -> str:
            return f"/people/{rng.choice(sample)['person_id']}/"

        for _ in range(10):  # warm up
            _get(client, page())
        quiet = _summary([_get(client, page()) for _ in range(REQUESTS)])
        started = time.perf_counter()
        ingest = subprocess.Popen(
            [WRAPAROUND, "ingest", "--source", "bench-web-feed", "--partner", "housing"]
            + ["--json", str(feed)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        during = []
        while ingest.poll() is None:
            during.append(_get(client, page()))
        ingest_seconds = time.perf_counter() - started
        out, err = ingest.communicate()
        if ingest.returncode != 0:
            raise RuntimeError(f"ingest failed: {err[-2000:]}")
        counts = json.loads(out.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "server": server_name,
        "quiet": quiet,
        "during": _summary(during) if during else None,
        "ingest_seconds": ingest_seconds,
        "counts": counts,
    }


def run() -> str:
    with tempfile.TemporaryDirectory(prefix="bench-ingest-web-") as tmp:
        result = measure(Path(tmp))
    quiet, during = result["quiet"], result["during"]
    counts = result["counts"]

    def row(label: str, m: dict) -> str:
        return (
            f"| {label} | {m['n']:,} | {m['p50']:.0f} ms | **{m['p95']:.0f} ms** "
            f"| {m['max']:.0f} ms | {m['errors']} |"
        )

    met = during is not None and during["p95"] <= GOAL_MS and during["errors"] == 0
    return "\n".join(
        [
            "## Page latency during ingest (`bench_ingest_web`)",
            "",
            "Command: `.venv/bin/python benchmarks/run.py bench_ingest_web`. SQLite file "
            f"database, {PEOPLE:,} synthetic people loaded for the page, served by "
            f"{result['server']} on loopback; one client requests random person pages (each "
            "writes its audit row) back to back, first with nothing else running, then for "
            f"as long as `wraparound ingest` of a {ROWS:,}-row demographic CSV runs in another "
            "process. Goal: p95 during ingest ≤ 1 s with 0 errors.",
            "",
            "| person page | requests | p50 | p95 | max | errors |",
            "|---|---:|---:|---:|---:|---:|",
            row("no ingest running", quiet),
            row("during ingest", during) if during else "| during ingest | 0 | - | - | - | - |",
            "",
            f"The ingest took {result['ingest_seconds']:.1f} s wall-clock "
            f"({counts['accepted']:,} accepted; {ROWS / counts['seconds']:,.0f} rows/s by its "
            f"own clock) while pages were served. Goal met: {'yes' if met else 'no'}.",
            "",
        ]
    )


if __name__ == "__main__":
    print(run())
