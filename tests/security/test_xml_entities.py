"""XXE and entity bombs in FHIR XML feeds (issue 9, item 10; held in the red-team pass).

``wraparound ingest`` is run as a partner's file would meet it: the real command, in its own
process, on its own throwaway SQLite database. Each hostile file must be refused (non-zero
exit, a one-line reason naming XML) or have its resource quarantined with a reason; never a
traceback; the local file an external entity points at is never read into the database or the
output; and memory stays bounded (the process runs under an address-space limit that a
billion expanded "lol"s would break, and its peak resident size is measured).
"""

from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

SECRET = "SECRET-FILE-CONTENT-4417"
PATIENT = (
    '<Patient xmlns="http://hl7.org/fhir"><id value="p1"/>'
    '<name><family value="{family}"/><given value="Ann"/></name>'
    '<birthDate value="1950-01-01"/>{extra}</Patient>'
)
NARRATIVE = (
    '<text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml">{body}</div></text>'
)
MEMORY_LIMIT = 2 * 2**30  # address space for the whole command (Python, Django, lxml)
PEAK_LIMIT_KB = 400 * 1024  # resident: the command itself takes ~65 MB here


def _laughs(depth: int = 9) -> str:
    """The "billion laughs": each entity is ten of the one before; lol9 is 10^9 "lol"s."""
    return "".join(
        f'<!ENTITY lol{i} "{"".join(f"&lol{i - 1};" for _ in range(10))}">'
        for i in range(1, depth + 1)
    )


def hostile_files(secret: Path) -> dict[str, str]:
    uri = secret.as_uri()
    return {
        "external entity in an attribute": (
            f'<?xml version="1.0"?><!DOCTYPE Patient [<!ENTITY xxe SYSTEM "{uri}">]>'
            + PATIENT.format(family="&xxe;", extra="")
        ),
        "external entity in the narrative": (
            f'<?xml version="1.0"?><!DOCTYPE Patient [<!ENTITY xxe SYSTEM "{uri}">]>'
            + PATIENT.format(family="Smith", extra=NARRATIVE.format(body="a &xxe; b"))
        ),
        "external parameter entity": (
            f'<?xml version="1.0"?><!DOCTYPE Patient [<!ENTITY % p SYSTEM "{uri}"> %p;]>'
            + PATIENT.format(family="Smith", extra="")
        ),
        "external DTD": (
            f'<?xml version="1.0"?><!DOCTYPE Patient SYSTEM "{uri}">'
            + PATIENT.format(family="Smith", extra="")
        ),
        "entity over the network": (
            '<?xml version="1.0"?><!DOCTYPE Patient '
            '[<!ENTITY net SYSTEM "http://127.0.0.1:9/secret">]>'
            + PATIENT.format(family="&net;", extra="")
        ),
        "billion laughs in the narrative": (
            f'<?xml version="1.0"?><!DOCTYPE Patient [<!ENTITY lol0 "lol">{_laughs()}]>'
            + PATIENT.format(family="Smith", extra=NARRATIVE.format(body="&lol9;"))
        ),
        "billion laughs in an attribute": (
            f'<?xml version="1.0"?><!DOCTYPE Patient [<!ENTITY lol0 "lol">{_laughs()}]>'
            + PATIENT.format(family="&lol9;", extra="")
        ),
        "quadratic blow-up": (
            '<?xml version="1.0"?><!DOCTYPE Patient [<!ENTITY a "'
            + "A" * 50_000
            + '">]>'
            + PATIENT.format(family="Smith", extra=NARRATIVE.format(body="&a;" * 5_000))
        ),
    }


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> dict:
    """A migrated throwaway SQLite database for the commands (not the test database)."""
    folder = tmp_path_factory.mktemp("xml-ingest")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "WRAPAROUND_VAR_DIR": str(folder),
        "WRAPAROUND_DEBUG": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", "wraparound.manage", "migrate", "-v0"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    secret = folder / "secret.txt"
    secret.write_text(SECRET + "\n")
    return {"env": env, "folder": folder, "db": folder / "db.sqlite3", "secret": secret}


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def ingest(database: dict, path: Path) -> tuple[subprocess.CompletedProcess, int]:
    """``wraparound ingest`` in its own process; returns it and its peak resident size (KB)."""
    command = [sys.executable, "-m", "wraparound.manage", "ingest", "--source", "gp", str(path)]
    runner = ["/usr/bin/time", "-f", "peak-kb=%M"] if Path("/usr/bin/time").exists() else []
    done = subprocess.run(
        runner + command,
        env=database["env"],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_memory,
    )
    peak = 0
    for line in done.stderr.splitlines():
        if line.startswith("peak-kb="):
            peak = int(line.removeprefix("peak-kb="))
    return done, peak


def everything_stored(db: Path) -> str:
    """Every text value in the database, as one string to search."""
    with sqlite3.connect(db) as con:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        parts = []
        for table in tables:
            for row in con.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 (our own tables)
                parts.extend(str(v) for v in row if v is not None)
    return "\n".join(parts)


CASES = list(hostile_files(Path("/nonexistent")).keys())


@pytest.mark.parametrize("case", CASES)
def test_hostile_xml_is_refused_or_quarantined_and_reads_no_file(database, case):
    path = database["folder"] / f"{case.replace(' ', '-')}.xml"
    path.write_text(hostile_files(database["secret"])[case], encoding="utf-8")
    done, peak = ingest(database, path)
    said = done.stdout + done.stderr
    assert "Traceback" not in said and "MemoryError" not in said, said[-3000:]
    assert SECRET not in said
    assert SECRET not in everything_stored(database["db"])
    if done.returncode != 0:
        reason = [line for line in done.stderr.splitlines() if line.startswith("CommandError")]
        assert reason and "XML" in reason[0], said[-2000:]
        assert done.returncode == 1
    else:
        # Accepted or quarantined: either way nothing was expanded or fetched.
        assert (
            "quarantined" in done.stdout
            or "accepted" in done.stdout
            or "unchanged" in (done.stdout)
        )
        stored = everything_stored(database["db"])
        assert "lol" * 1000 not in stored and "A" * 100_000 not in stored
    if peak:
        assert peak < PEAK_LIMIT_KB, f"{case}: peak {peak // 1024} MB"


def test_the_secret_file_is_readable_so_a_leak_would_show(database):
    """The oracle: the file the entities point at is there and holds the marker."""
    assert database["secret"].read_text().startswith(SECRET)
