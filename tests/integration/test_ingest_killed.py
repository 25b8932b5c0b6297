"""A run killed at any point leaves a consistent database, and running it again completes.

Real processes and a real SQLite file: ``wraparound ingest`` is started in a subprocess and
SIGKILLed, either before it has committed anything (once it has read a good part of the file,
seen through /proc) or part-way through its committed batches (seen by counting rows from a
second connection). The database is then inspected directly.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest_processes import file_position, write_people

ROWS = 40_000
COMMAND = [sys.executable, "-m", "wraparound.manage"]

pytestmark = pytest.mark.skipif(not Path("/proc/self/fdinfo").exists(), reason="needs /proc")


def counts(db: Path) -> dict:
    with sqlite3.connect(db) as con:
        return {
            table: con.execute(f"SELECT COUNT(*) FROM sources_{table}").fetchone()[0]
            for table in ("source", "ingestrun", "sourcerecord", "quarantinedrow")
        } | {"integrity": con.execute("PRAGMA integrity_check").fetchone()[0]}


def sqlite_value(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return con.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:  # tables not there yet
        return 0


def start(ingest: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(ingest, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill(run: subprocess.Popen) -> None:
    assert run.poll() is None, "the ingest finished before it could be killed"
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert run.returncode == -signal.SIGKILL


def kill_when(run: subprocess.Popen, ready) -> None:
    deadline = time.monotonic() + 120
    while run.poll() is None and time.monotonic() < deadline and not ready():
        time.sleep(0.005)
    kill(run)


def distinct_records(db: Path) -> int:
    return sqlite_value(
        db,
        "SELECT COUNT(*) FROM (SELECT DISTINCT source_id, source_record_id "
        "FROM sources_sourcerecord)",
    )


def test_run_killed_before_its_first_batch_leaves_no_rows_and_the_rerun_completes(tmp_path):
    db = tmp_path / "killed.sqlite3"
    feed = tmp_path / "people.csv"
    write_people(feed, ROWS)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "WRAPAROUND_INGEST_BATCH": "100000"}
    subprocess.run([*COMMAND, "migrate", "-v0"], env=env, check=True)
    ingest = [*COMMAND, "ingest", "--source", "gp", "--json", str(feed)]

    run = start(ingest, env)
    size = feed.stat().st_size
    kill_when(run, lambda: file_position(run.pid, feed) > size // 3)

    # The run itself is recorded (it started) and says it did not finish; no rows landed.
    assert counts(db) == {
        "source": 1,
        "ingestrun": 1,
        "sourcerecord": 0,
        "quarantinedrow": 0,
        "integrity": "ok",
    }
    assert sqlite_value(db, "SELECT COUNT(*) FROM sources_ingestrun WHERE status='running'") == 1

    done = subprocess.run(ingest, env=env, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert (result["accepted"], result["unchanged"], result["quarantined"]) == (ROWS, 0, 0)
    assert "did not finish" in done.stdout
    assert counts(db)["sourcerecord"] == distinct_records(db) == ROWS


def test_run_killed_between_batches_twice_keeps_whole_batches_and_the_rerun_completes(tmp_path):
    db = tmp_path / "killed.sqlite3"
    feed = tmp_path / "people.csv"
    write_people(feed, ROWS)
    batch = 1_000
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "WRAPAROUND_INGEST_BATCH": str(batch)}
    subprocess.run([*COMMAND, "migrate", "-v0"], env=env, check=True)
    ingest = [*COMMAND, "ingest", "--source", "gp", "--json", str(feed)]

    def records() -> int:
        return sqlite_value(db, "SELECT COUNT(*) FROM sources_sourcerecord")

    # First run: killed once a quarter of the rows are committed, mid-way through the feed.
    run = start(ingest, env)
    kill_when(run, lambda: records() >= ROWS // 4)
    first = counts(db)
    kept = first["sourcerecord"]
    assert ROWS // 4 <= kept < ROWS and kept % batch == 0, "whole batches only"
    assert first["integrity"] == "ok" and distinct_records(db) == kept
    # The run's own counts were committed with each batch: it shows how far it got.
    assert sqlite_value(db, "SELECT accepted FROM sources_ingestrun") == kept

    # Second run: finds the kept rows unchanged, and is killed again further on.
    run = start(ingest, env)
    kill_when(run, lambda: records() >= ROWS * 3 // 5)
    second = records()
    assert kept < second < ROWS and (second - kept) % batch == 0
    assert distinct_records(db) == second

    # Third run completes: nothing lost, nothing doubled.
    done = subprocess.run(ingest, env=env, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert (result["accepted"], result["unchanged"], result["quarantined"]) == (
        ROWS - second,
        second,
        0,
    )
    assert "Earlier runs 1, 2 of this source did not finish" in done.stdout
    final = counts(db)
    assert final == {
        "source": 1,
        "ingestrun": 3,
        "sourcerecord": ROWS,
        "quarantinedrow": 0,
        "integrity": "ok",
    }
    assert distinct_records(db) == ROWS
    statuses = sqlite_value(
        db,
        "SELECT group_concat(status, ',') FROM (SELECT status FROM sources_ingestrun ORDER BY id)",
    )
    assert statuses == "running,running,completed"
