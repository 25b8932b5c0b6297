"""`wraparound link` end to end on ~1,000,000 source records in a real database.

``bench_linkage`` times the model and clustering on data frames; this one times what a data
steward runs: read every SourceRecord from the database, train, predict, cluster, and write
Person, Link and ReviewPair rows. Demographic feeds of the 420k-person generated neighbourhood
are ingested first (not timed here; see ``bench_ingest``). SQLite always; PostgreSQL too when
``BENCH_DATABASE_URL`` is set (that database is used as is: give it an empty one).

Run: ``.venv/bin/python benchmarks/run.py bench_link_command``.
"""

import hashlib
import json
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRAPAROUND = str(ROOT / ".venv" / "bin" / "wraparound")
# BENCH_LINK_PEOPLE runs a smaller neighbourhood (e.g. 40000 people, ~100k records) for a quick check.
PEOPLE, SEED = int(os.environ.get("BENCH_LINK_PEOPLE", 420_000)), 12
GENERATOR = "g2"  # bump when the generator's output changes, so cached feeds are not reused


def _feeds() -> Path:
    out = Path(tempfile.gettempdir()) / f"wraparound-bench-link-{GENERATOR}-{PEOPLE}-{SEED}"
    if not (out / "manifest.json").exists():
        subprocess.run(
            [
                WRAPAROUND,
                "generate",
                "--people",
                str(PEOPLE),
                "--seed",
                str(SEED),
                "--out",
                str(out),
            ],
            check=True,
            capture_output=True,
        )
    return out


def _timed(args: list[str], env: dict) -> tuple[float, float, str]:
    """Wall seconds, peak resident GiB (GNU time) and the last stdout line of one command."""
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-v", WRAPAROUND, *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    wall = time.perf_counter() - started
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
    return wall, rss_kb / 2**20, done.stdout.strip().splitlines()[-1]


def _one(label: str, database_url: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url}
    feeds = _feeds()
    manifest = json.loads((feeds / "manifest.json").read_text())
    subprocess.run([WRAPAROUND, "migrate", "--no-input", "-v0"], env=env, check=True)
    records = 0
    for feed in manifest["feeds"]:
        if feed["format"] != "csv" or "activity" in feed["file"]:
            continue
        _, _, last = _timed(
            [
                "ingest",
                "--source",
                feed["source"],
                "--partner",
                feed["partner"],
                "--json",
                str(feeds / feed["file"]),
            ],
            env,
        )
        records += sum(json.loads(last)[k] for k in ("accepted", "updated", "unchanged"))
    subprocess.run(
        [WRAPAROUND, "create-staff", "bench.steward", "--role", "data_steward",
         "--organisation", "Benchmark governance", "--partner", "other"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    link = ["link", "--json", "--by", "bench.steward"]
    first_wall, first_rss, first = _timed(link, env)
    before = _export_digest(env)
    again_wall, again_rss, again = _timed(link, env)
    after = _export_digest(env)
    changed = json.loads(again)["changed_links"]
    same = "yes" if before == after else "**no**"
    return (
        f"| {label} | {records:,} | {first_wall:.0f} s | {first_rss:.2f} GiB | "
        f"{again_wall:.0f} s | {max(first_rss, again_rss):.2f} GiB | {changed:,} | {same} | "
        f"`{_short(first)}` |"
    )


def _export_digest(env: dict) -> str:
    """SHA-256 of ``wraparound export-links``: identical data must give identical bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "links.csv"
        subprocess.run([WRAPAROUND, "export-links", str(out), "--by", "bench.steward"], env=env, check=True,
                       capture_output=True)  # fmt: skip
        return hashlib.sha256(out.read_bytes()).hexdigest()


def _short(summary_json: str) -> str:
    """The link summary without its per-stage timings (they are in the columns)."""
    summary = json.loads(summary_json)
    keep = ("records", "people", "new_people", "auto_links", "review_pairs", "seconds")
    return json.dumps({k: summary[k] for k in keep if k in summary})


def run() -> str:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(_one("SQLite", f"sqlite:///{tmp}/link-bench.sqlite3"))
    if os.environ.get("BENCH_DATABASE_URL"):
        rows.append(_one("PostgreSQL", os.environ["BENCH_DATABASE_URL"]))
    else:
        rows.append(
            "| PostgreSQL | not measured in this run (set `BENCH_DATABASE_URL`) | | | | | | | |"
        )
    return "\n".join(
        [
            "## `wraparound link` on ~1,000,000 source records (`bench_link_command`)",
            "",
            f"Command: `.venv/bin/python benchmarks/run.py bench_link_command`. The demographic feeds "
            f"of `wraparound generate --people {PEOPLE:,} --seed {SEED}` are ingested, then "
            "`wraparound link --json` runs under `/usr/bin/time -v` (first link, then a re-link that "
            "should change nothing), each followed by `wraparound export-links`, whose bytes must "
            "be identical. Floor (issue 8): ≤ 3 minutes, peak memory ≤ 6 GB; `changed_links` of "
            "the re-link must be 0.",
            "",
            "| database | source records | first link | peak memory | re-link | re-link peak | "
            "re-link `changed_links` | export-links identical | first link summary |",
            "|---|---:|---:|---:|---:|---:|---:|---|---|",
            *rows,
        ]
    )
