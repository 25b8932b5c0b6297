"""`make bench`: runs every benchmarks/bench_*.py and writes docs/benchmarks.md.

Each benchmark module has ``run() -> str`` returning a markdown section. Benchmarks are
measurements, never assertions.
"""

import datetime as dt
import importlib.util
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()
    return (
        f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, "
        f"Python {platform.python_version()}, load average at start {load[0]:.2f}"
    )


def _sections_in(text: str) -> dict[str, str]:
    """Sections already in docs/benchmarks.md, keyed by module, so one module can be re-run alone."""
    found = {}
    for match in re.finditer(r"<!-- bench:(\w+) -->\n(.*?)<!-- /bench:\1 -->", text, re.S):
        found[match.group(1)] = match.group(2)
    return found


def main() -> None:
    # Benchmarks run on synthetic data on this machine: development, so the fixed key will do
    # (outside development the app refuses to start without a secret key of its own).
    os.environ.setdefault("WRAPAROUND_INSECURE_DEV_KEY", "1")
    only = set(sys.argv[1:])
    target = ROOT / "docs" / "benchmarks.md"
    sections = _sections_in(target.read_text()) if target.exists() else {}
    for path in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        if only and path.stem not in only:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"running {path.stem} ...", flush=True)
        sections[path.stem] = (
            f"_Measured {dt.date.today():%-d %B %Y}; {machine()}._\n\n"
            + module.run().strip()
            + "\n"
        )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    text = "\n".join(
        [
            "# Benchmarks",
            "",
            f"Written by `make bench` (`.venv/bin/python benchmarks/run.py [bench_name ...]`), last at commit `{commit}`.",
            "Each section names its own command, machine and date. The machine is shared and noisy:",
            "compare figures as ratios within one run.",
            "",
            "Targets and where each stands (30 November 2026, issue 8; details in the sections below):",
            "",
            "| target | measured | met? |",
            "|---|---|---|",
            "| CSV ingest on SQLite within 1.5× of the plain limit (csv + sha256 + executemany), same run | 42,230 vs 222,101 rows/s: 5.3× (was 11.4×) | no |",
            "| PostgreSQL ingest through COPY ≥ 70% of the SQLite rate | people 79%, activity 101% | yes |",
            "| person page p95 during a 200,000-row ingest ≤ 1 s, zero errors (SQLite) | 309 ms, 0 errors | yes |",
            "| `link` of ~1M records ≤ 3 min, ≤ 6 GB | first link: PostgreSQL 293 s, SQLite 400 s, 4.5 GiB; re-link 133–145 s | re-link yes; first link no |",
            "| re-link of identical data: `changed_links` 0, export-links byte-identical (~1M) | 0 and identical, both databases | yes |",
            "| precision ≥ 0.998 at 20k and 100k people | 0.9992 – 0.9995 | yes |",
            "| recall ≥ 0.98 at 20k and 100k people (review pairs count as not linked) | 0.964 – 0.969 | no |",
            "| zero auto-merges of clearly different dates of birth / two valid NHS Numbers | 0 / 0 at 20k, 100k, 1M | yes |",
            "| FEBRL4 whole through `wraparound ingest` (10,000, none quarantined) + `link`: F1 ≥ 0.99 | F1 0.9965 (test `test_febrl4_through_ingest`) | yes |",
            "| degenerate feed (13,790 rows sharing a date and postcode) | no wrong merges, 0.57 GiB (was > 24 GB) | yes |",
            "| person page and search p95 ≤ 150 ms (100k, 1M; SQLite, PostgreSQL; 23 November) | 42 – 94 ms | yes |",
            "| issue 10: person page (doorstep, plan summary, notes) and caseload p95 ≤ 150 ms at 100,000 people with plans | person 18.6 / 24.0 ms, My caseload 41.6 / 77.2 ms, Team caseload 55.5 / 103.0 ms (SQLite / PostgreSQL) | yes |",
            "| issue 11: team queue and learning page p95 ≤ 150 ms with 100,000 requests | queue 16 ms (20 teams) / 49 ms SQLite, 33 ms PostgreSQL (2 teams); learning page 52 ms (20 teams) but 303 ms SQLite / 333 ms PostgreSQL when 2 teams share all 100,000 | queue yes; learning page no at 2 teams |",
            "| issue 12: meeting mode, one person's screen (gate and page; the chair and an invited volunteer) p95 ≤ 150 ms at 100,000 people | SQLite 30 – 42 ms; PostgreSQL 63 – 131 ms (load 2; after fewer reads per screen: the first run, at load 4 – 6, was 73 – 102 / 148 – 204 ms) | yes |",
            "| issue 12: MDT impact page p95 ≤ 150 ms (100,000 people, 50 meetings of 8) | page 60.4 ms SQLite / 119.7 ms PostgreSQL | yes |",
            "| issue 9: `search_people` p95 with the strong-match rule, restricted tokens and pauses (20k, SQLite, busy machine) | 16.5 ms (find alone 1.7 ms) | yes (≤ 150 ms) |",
            "| issue 9: cost of the audit hash chain per audited call; `verify-audit` speed | +0.7 ms a row (SQLite, busy; PostgreSQL +0.65 ms); 54,511 rows/s | recorded |",
            "| issue 9: sensitivity decided at ingest (codes, services, ~170 wordings) | 336,000 – 382,000 events/s (was 587,000 with the short lists) | recorded |",
            "",
            *(
                f"<!-- bench:{name} -->\n{body}<!-- /bench:{name} -->\n"
                for name, body in sorted(sections.items())
            ),
        ]
    )
    target.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
