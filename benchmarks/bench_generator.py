"""How long ``wraparound generate`` takes, and how many records it makes per person.

Sizes come from ``BENCH_GENERATOR_SIZES`` (comma-separated; default ``20000,200000``).
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRAPAROUND = Path(sys.executable).parent / "wraparound"


def _one(people: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-generate-") as folder:
        out = Path(folder) / "feeds"
        started = time.perf_counter()
        subprocess.run(
            [str(WRAPAROUND), "generate", "--people", str(people), "--seed", str(seed),
             "--out", str(out), "--verbosity", "0"],
            check=True,
            cwd=ROOT,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        manifest = json.loads((out / "manifest.json").read_text())
        size = sum(p.stat().st_size for p in out.iterdir())
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    demographic = sum(manifest["demographic_records"].values())
    return {
        "people": people,
        "seconds": seconds,
        "demographic": demographic,
        "activity": sum(manifest["activity_records"].values()),
        "per_source": manifest["demographic_records"],
        "mib": size / 2**20,
        "peak_mib": peak_mib,
    }


def run() -> str:
    sizes = [int(s) for s in os.environ.get("BENCH_GENERATOR_SIZES", "20000,200000").split(",")]
    results = [_one(people, seed=1) for people in sizes]
    lines = [
        "## Synthetic neighbourhood generator",
        "",
        "`wraparound generate --people N --seed 1 --out DIR` (one process, wall time including",
        "Django start-up; peak memory is the largest child process so far).",
        "",
        "| people | wall time | demographic records | per person | activity records | files | peak RSS |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['people']:,} | {r['seconds']:.1f} s | {r['demographic']:,} | "
            f"{r['demographic'] / r['people']:.2f} | {r['activity']:,} | {r['mib']:.0f} MiB | "
            f"{r['peak_mib']:.0f} MiB |"
        )
    last = results[-1]
    per_source = ", ".join(
        f"{source} {n / last['people']:.2f}" for source, n in last["per_source"].items()
    )
    lines += [
        "",
        f"Demographic records per person by source ({last['people']:,} people): {per_source}.",
        "A linkage benchmark of about 1,000,000 demographic records needs about "
        f"{1_000_000 / (last['demographic'] / last['people']):,.0f} people.",
        "",
        "Command: `BENCH_GENERATOR_SIZES=20000,200000 .venv/bin/python benchmarks/run.py "
        "bench_generator`",
        "",
    ]
    return "\n".join(lines)
