"""A run killed half-way leaves the database as it was, and running it again completes.

Real processes and a real SQLite file: ``wraparound ingest`` is started in a subprocess,
SIGKILLed once it has read a good part of the file (its file position, seen through /proc), and
the database is then inspected directly.
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

ROWS = 40_000
COMMAND = [sys.executable, "-m", "wraparound.manage"]

pytestmark = pytest.mark.skipif(not Path("/proc/self/fdinfo").exists(), reason="needs /proc")


def write_people(path: Path) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write("source_record_id,given_name,family_name,date_of_birth,postcode,address\n")
        for i in range(ROWS):
            out.write(f"P{i:06d},Name{i % 97},Family{i % 1013},1950-01-{i % 28 + 1:02d},")
            out.write(f'LS{i % 29 + 1} {i % 9}AB,"{i} Long Lane, Leeds"\n')


def file_position(pid: int, path: Path) -> int:
    """How far the process has read into ``path`` (0 if it has not opened it yet)."""
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                    for line in Path(f"/proc/{pid}/fdinfo/{fd}").read_text().splitlines():
                        if line.startswith("pos:"):
                            return int(line.split()[1])
            except OSError:
                continue
    except OSError:
        pass
    return 0


def counts(db: Path) -> dict:
    with sqlite3.connect(db) as con:
        return {
            table: con.execute(f"SELECT COUNT(*) FROM sources_{table}").fetchone()[0]
            for table in ("source", "ingestrun", "sourcerecord", "quarantinedrow")
        } | {"integrity": con.execute("PRAGMA integrity_check").fetchone()[0]}


def test_killed_run_writes_nothing_and_the_rerun_completes(tmp_path):
    db = tmp_path / "killed.sqlite3"
    feed = tmp_path / "people.csv"
    write_people(feed)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([*COMMAND, "migrate", "-v0"], env=env, check=True)
    ingest = [*COMMAND, "ingest", "--source", "gp", "--json", str(feed)]

    run = subprocess.Popen(ingest, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    size = feed.stat().st_size
    deadline = time.monotonic() + 120
    while run.poll() is None and time.monotonic() < deadline:
        if file_position(run.pid, feed) > size // 3:
            break
        time.sleep(0.01)
    assert run.poll() is None, "the ingest finished before it could be killed"
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert run.returncode == -signal.SIGKILL

    after_kill = counts(db)
    assert after_kill == {
        "source": 0,
        "ingestrun": 0,
        "sourcerecord": 0,
        "quarantinedrow": 0,
        "integrity": "ok",
    }

    done = subprocess.run(ingest, env=env, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert (result["accepted"], result["quarantined"]) == (ROWS, 0)
    assert counts(db) == {
        "source": 1,
        "ingestrun": 1,
        "sourcerecord": ROWS,
        "quarantinedrow": 0,
        "integrity": "ok",
    }
