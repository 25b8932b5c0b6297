"""While a feed ingests, other connections can still write: a page's audit row gets through.

On SQLite one writer holds the database at a time. Ingest used to hold it for the whole feed
(one transaction), so every audited page waited and then failed "database is locked". Now it
commits in batches and rests briefly after each, and a second connection's write transaction
(what an audited page does) succeeds in between. Real processes and a real SQLite file.
"""

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest_processes import file_position, write_people

ROWS = 80_000
COMMAND = [sys.executable, "-m", "wraparound.manage"]
# A page's write waits at most this long for the lock (the app waits up to 30 s, then fails).
WAIT_SECONDS = 2.0


pytestmark = pytest.mark.skipif(not Path("/proc/self/fdinfo").exists(), reason="needs /proc")


def records(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return con.execute("SELECT COUNT(*) FROM sources_sourcerecord").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def write_like_a_page(db: Path, number: int) -> float:
    """One short write transaction from another connection; seconds it took."""
    started = time.monotonic()
    con = sqlite3.connect(db, timeout=WAIT_SECONDS, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute(
            "INSERT INTO django_session (session_key, session_data, expire_date) "
            "VALUES (?, ?, datetime('now', '+1 day'))",
            (f"during-ingest-{number}", "x"),
        )
        con.execute("COMMIT")
    finally:
        con.close()
    return time.monotonic() - started


def test_another_connection_writes_between_batches_while_a_feed_ingests(tmp_path):
    db = tmp_path / "busy.sqlite3"
    feed = tmp_path / "people.csv"
    write_people(feed, ROWS)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([*COMMAND, "migrate", "-v0"], env=env, check=True)
    run = subprocess.Popen(
        [*COMMAND, "ingest", "--source", "gp", "--json", str(feed)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Wait until the ingest is well into the feed (its read position, seen through /proc).
        size = feed.stat().st_size
        deadline = time.monotonic() + 60
        while run.poll() is None and time.monotonic() < deadline:
            if file_position(run.pid, feed) > size // 10:
                break
            time.sleep(0.005)
        waits = []
        for number in range(5):
            assert run.poll() is None, "the ingest finished before the writes were tried"
            waits.append(write_like_a_page(db, number))
            # Before batches, a write that did not time out had waited for the whole ingest.
            assert run.poll() is None, "the write got through only once the ingest had finished"
            time.sleep(0.1)
        written_during = records(db)
        assert run.poll() is None, "the ingest finished before the writes were done"
    finally:
        out, err = run.communicate(timeout=300)
    assert run.returncode == 0, err[-2000:]
    assert json.loads(out.strip().splitlines()[-1])["accepted"] == ROWS
    assert 0 < written_during < ROWS  # the writes happened part-way through the feed
    assert max(waits) < WAIT_SECONDS
    with sqlite3.connect(db) as con:
        assert (
            con.execute(
                "SELECT COUNT(*) FROM django_session WHERE session_key LIKE 'during-ingest-%'"
            ).fetchone()[0]
            == 5
        )
        assert con.execute("SELECT COUNT(*) FROM sources_sourcerecord").fetchone()[0] == ROWS
    print(f"page-like writes during ingest waited {', '.join(f'{w:.3f}' for w in waits)} s")
