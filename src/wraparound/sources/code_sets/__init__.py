"""The code sets that decide sensitivity, read from the CSV files beside this module.

``snomed.csv`` (SNOMED CT concept ids), ``icd10.csv`` (ICD-10 codes and ranges) and
``services.csv`` (service, team and organisation names) each map to one of the sensitive
categories. They are data, not code, so a data steward can read and extend them: each file's
header says where its codes come from and how to add a line. Lines starting with ``#`` are
comments. A file that cannot be read refuses loudly (``CodeSetError`` names the file and line):
a code set that silently lost lines would fail open.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from wraparound.sources.models import SensitiveCategory

HERE = Path(__file__).resolve().parent

_ICD10 = re.compile(r"[A-Z]\d{2}[0-9A-Z]{0,4}")
_ICD10_RANGE = re.compile(r"([A-Z])(\d{2})(\d*)-([A-Z])(\d{2})(\d*)")


class CodeSetError(ValueError):
    """A code set file has a line that cannot be used (unknown category, malformed code)."""


@dataclass(frozen=True)
class CodeSets:
    snomed: dict[str, str]  # concept id -> category
    icd10: dict[str, str]  # normalised code or category (no dot, upper case) -> category
    services: tuple[tuple[str, str], ...]  # (lower-case words, category)


def icd10_key(code: str) -> str:
    """``f32.1`` / ``F32.1`` / ``F321`` / ``F32.1X`` -> ``F321``: the form the sets are keyed by."""
    return code.strip().upper().replace(".", "").replace(" ", "")


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    text = path.read_text(encoding="utf-8")
    lines = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise CodeSetError(f"{path.name}: no header line")
    reader = csv.DictReader([line for _, line in lines])
    rows = []
    for (number, _), row in zip(lines[1:], reader, strict=True):
        rows.append((number, {k: (v or "").strip() for k, v in row.items() if k}))
    return rows


def _category(path: Path, number: int, value: str) -> str:
    if value not in SensitiveCategory.values:
        allowed = ", ".join(SensitiveCategory.values)
        raise CodeSetError(
            f"{path.name} line {number}: category '{value}' is not one of: {allowed}"
        )
    return value


def _expand_icd10(path: Path, number: int, code: str) -> list[str]:
    """One code, or every code of a range of same-length codes (``F20-F29``, ``Z61.4-Z61.6``)."""
    key = icd10_key(code)
    if "-" not in key:
        if not _ICD10.fullmatch(key):
            raise CodeSetError(f"{path.name} line {number}: '{code}' is not an ICD-10 code")
        return [key]
    match = _ICD10_RANGE.fullmatch(key)
    if not match:
        raise CodeSetError(f"{path.name} line {number}: '{code}' is not a range like F20-F29")
    letter, start, start_sub, end_letter, end, end_sub = match.groups()
    if letter != end_letter or len(start_sub) != len(end_sub):
        raise CodeSetError(f"{path.name} line {number}: '{code}' must stay within one letter")
    first, last = int(start + start_sub), int(end + end_sub)
    if last < first:
        raise CodeSetError(f"{path.name} line {number}: '{code}' runs backwards")
    width = 2 + len(start_sub)
    return [f"{letter}{n:0{width}d}" for n in range(first, last + 1)]


def read(folder: Path = HERE) -> CodeSets:
    """The three code sets from ``folder`` (the packaged files unless a test says otherwise)."""
    snomed: dict[str, str] = {}
    path = folder / "snomed.csv"
    for number, row in _rows(path):
        code = row.get("code", "")
        if not code.isdigit():
            raise CodeSetError(f"{path.name} line {number}: '{code}' is not a SNOMED CT id")
        snomed[code] = _category(path, number, row.get("category", ""))
    icd10: dict[str, str] = {}
    path = folder / "icd10.csv"
    for number, row in _rows(path):
        category = _category(path, number, row.get("category", ""))
        for key in _expand_icd10(path, number, row.get("code", "")):
            icd10[key] = category
    services = []
    path = folder / "services.csv"
    for number, row in _rows(path):
        words = " ".join(re.split(r"[\s_-]+", row.get("words", "").lower())).strip()
        if not words:
            raise CodeSetError(f"{path.name} line {number}: no words")
        services.append((words, _category(path, number, row.get("category", ""))))
    return CodeSets(snomed=snomed, icd10=icd10, services=tuple(services))


@cache
def packaged() -> CodeSets:
    """The packaged code sets, read once per process."""
    return read(HERE)
