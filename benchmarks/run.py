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
            "Targets and where each stands (23 November 2026; details in the sections below):",
            "",
            "| target | measured | met? |",
            "|---|---|---|",
            "| CSV ingest ≥ 20,000 rows/s | SQLite 11,000; PostgreSQL 4,600 | no |",
            "| FHIR ingest ≥ 3,000 resources/s (full validation) | SQLite 3,589; PostgreSQL 2,368 | SQLite yes; PostgreSQL no |",
            "| link 1,000,000 records ≤ 5 min, ≤ 6 GB | `wraparound link`: PostgreSQL 288 s, SQLite 355 s; 4.4 GiB | PostgreSQL yes; SQLite no |",
            "| precision ≥ 0.998 at 20k and 100k people | 0.9983 – 0.9987 | yes |",
            "| recall ≥ 0.98 at 20k and 100k people | 0.968 – 0.973 | no |",
            "| FEBRL4 F1 ≥ 0.99 | 0.9968 | yes |",
            "| person page and search p95 ≤ 150 ms (100k, 1M; SQLite, PostgreSQL) | 42 – 94 ms | yes |",
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
