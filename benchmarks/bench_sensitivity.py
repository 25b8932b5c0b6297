"""Sensitivity check speed: events classified per second by ``sources.sensitivity``.

Ingest asks for every event's category, so the check must stay cheap when there are hundreds
of wordings: each wording is tried only when its plain anchor occurs in the text, and service
names (which repeat) are cached. The corpus mixes everyday care notes with a few sensitive
ones, roughly as partner feeds do (about one in ten sensitive).

    .venv/bin/python benchmarks/run.py bench_sensitivity
    BENCH_SENSITIVITY_EVENTS=200000 (default)
    BENCH_SENSITIVITY_BEFORE=/path/to/old/sensitivity.py  (also time an older copy, words only)
"""

import importlib.util
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVENTS = int(os.environ.get("BENCH_SENSITIVITY_EVENTS", "200000"))

EVERYDAY = [
    "Visited about the boiler and rent",
    "Two months behind with rent",
    "Leg ulcer dressing changed, healing well",
    "Blood pressure check: 138/84 mmHg",
    "Body weight: 72.46 kg",
    "Hypertensive disorder, systemic arterial",
    "Diabetes mellitus type 2",
    "General examination of patient",
    "Repairs: kitchen tap leaking",
    "Care package increased to four calls a day",
    "Key safe code changed, ask the family",
    "Falls assessment completed, walking aids issued",
    "Reablement visit, managing stairs",
    "Council tax reduction applied",
    "Carer's assessment offered",
    "Annual flu vaccination given",
    "Chronic obstructive lung disease review",
    "Emergency department attendance: fall at home",
    "Telephone consultation about medication",
    "Meals on wheels started",
]
SENSITIVE = [
    "Attends IAPT weekly, on sertraline 50mg",
    "PrEP at GUM clinic",
    "Referral to drug and alcohol service",
]
SERVICES = ["Oak Tree Surgery", "Heronsgate District Nursing Team", "City Homes", "North team"]


def _corpus() -> list[tuple[str, str]]:
    texts = EVERYDAY * 3 + SENSITIVE * 2  # ~9% sensitive
    # Each text made unique (as free-text notes are), so the cache of repeated descriptions
    # does not flatter the rate.
    return [
        (f"{texts[i % len(texts)]} (note {i})", SERVICES[i % len(SERVICES)]) for i in range(EVENTS)
    ]


def _setup() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings")
    import django

    django.setup()


def _rate(call, corpus) -> float:
    started = time.process_time()
    for words, service in corpus:
        call(words, service)
    return len(corpus) / (time.process_time() - started)


def run() -> str:
    _setup()
    from wraparound.sources import sensitivity

    corpus = _corpus()
    sensitivity.category_for(words="warm up", services=["warm up"])
    sensitivity.text_category.cache_clear()
    words_only = _rate(lambda w, s: sensitivity.category_for(words=w), corpus)
    sensitivity.text_category.cache_clear()
    full = _rate(
        lambda w, s: sensitivity.category_for(
            codes=[("http://snomed.info/sct", "38341003")], services=[s], words=w
        ),
        corpus,
    )
    rows = [
        f"| words only (CSV activity row) | {words_only:,.0f} events/s |",
        f"| SNOMED code + service name + words (FHIR event) | {full:,.0f} events/s |",
    ]
    before = os.environ.get("BENCH_SENSITIVITY_BEFORE", "").strip()
    if before:
        spec = importlib.util.spec_from_file_location("sensitivity_before", before)
        old = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(old)
        old_rate = _rate(lambda w, s: old.category_for(words=w), corpus)
        rows.append(f"| words only, older copy ({Path(before).name}) | {old_rate:,.0f} events/s |")
    return "\n".join(
        [
            "## Sensitivity check (`bench_sensitivity`)",
            "",
            f"Command: `.venv/bin/python benchmarks/run.py bench_sensitivity`. {len(corpus):,} "
            "calls of `sources.sensitivity.category_for` in one process over a corpus of "
            "everyday care notes with about one in ten sensitive; rates by this process's "
            "CPU time (steadier than wall-clock time on a shared machine).",
            "",
            "| call | rate |",
            "|---|---:|",
            *rows,
            "",
        ]
    )


if __name__ == "__main__":
    print(run())
