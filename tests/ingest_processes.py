"""Helpers for tests that run ``wraparound ingest`` as a real process and watch it work."""

import os
from pathlib import Path


def write_people(path: Path, rows: int) -> None:
    """A demographic CSV of ``rows`` synthetic people, big enough to span many batches."""
    with open(path, "w", encoding="utf-8") as out:
        out.write("source_record_id,given_name,family_name,date_of_birth,postcode,address\n")
        for i in range(rows):
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
