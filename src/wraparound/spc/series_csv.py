"""Read a ``period,value`` CSV for ``wraparound spc``: plain Python, no Django.

Every way a file can fail to be such a CSV becomes one ``SpcError`` with a plain sentence, so the
command prints one line and exits non-zero, never a traceback and never a chart of half a file.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from wraparound.spc.engine import SpcError

MAX_BYTES = 50 * 1024 * 1024
"""A series is a few hundred points; a file this big is not one."""


def read_series(path: Path) -> tuple[list[str], list[float]]:
    """Periods (as written) and values, in file order."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SpcError(f"{path} is too large to be a series of period,value rows.")
        raw = path.read_bytes()
    except OSError as problem:
        raise SpcError(f"Cannot read {path}: {problem.strerror or problem}.") from None
    if b"\x00" in raw:
        raise SpcError(f"{path} is not a text CSV file (it holds binary data).")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpcError(f"{path} is not UTF-8 text, so it is not a CSV file.") from None
    if not text.strip():
        raise SpcError(
            f"{path} is empty: it needs a header row period,value and one row per period."
        )
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [name.strip().lower() for name in next(rows)]
        missing = [name for name in ("period", "value") if name not in header]
        if missing:
            raise SpcError(
                f"{path} has no {' or '.join(missing)} column: the first row must name the "
                "columns period,value."
            )
        period_at, value_at = header.index("period"), header.index("value")
        periods: list[str] = []
        values: list[float] = []
        for row in rows:
            if not any(cell.strip() for cell in row):
                continue
            line = rows.line_num
            if len(row) != len(header):
                raise SpcError(f"{path} line {line} has {len(row)} fields, not {len(header)}.")
            period, value = row[period_at].strip(), row[value_at].strip()
            if not period:
                raise SpcError(f"{path} line {line} has no period.")
            try:
                number = float(value)
            except ValueError:
                raise SpcError(
                    f"{path} line {line}: the value {value!r} is not a number."
                ) from None
            if not math.isfinite(number):
                raise SpcError(f"{path} line {line}: the value {value!r} is not a finite number.")
            periods.append(period)
            values.append(number)
    except csv.Error as problem:
        raise SpcError(
            f"{path} is not a well-formed CSV file (line {rows.line_num}: {problem})."
        ) from None
    if not values:
        raise SpcError(f"{path} has a header but no rows of period,value.")
    return periods, values
