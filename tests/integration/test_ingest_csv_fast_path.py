"""The quicker CSV ingest (issue 8, speed floors) reads exactly what the careful one did.

Lines without a quote are split on commas directly, values are checked once per distinct value,
NHS Numbers and postcodes have short paths for the usual case, and on SQLite the command's own
thread writes. None of that may change what is stored, what is refused, or the content hash
(a changed hash would make every row of an existing database look updated on its next feed).
"""

import dataclasses
import hashlib
import random
import threading
from pathlib import Path

import pytest

from wraparound.core import nhs_number, postcodes
from wraparound.sources.actions import ingest_files
from wraparound.sources.models import QuarantinedRow, SourceRecord
from wraparound.sources.readers import csv as csv_reader
from wraparound.sources.readers.rows import FileUnreadable

HEADER = "source_record_id,nhs_number,given_name,family_name,date_of_birth,sex,postcode,address\r\n"
ROWS = [
    "P1,9434765919,Ann,Smith,1950-03-12,female,LS17 7DF,4 Sandmoor Drive\r\n",
    'P2,401-023-2137,Bashir,Khan,1961-07-01,M,ls8 3dr,"1 Long Lane, Leeds"\r\n',
    'P3,1234567890,Cerys,"Jones",2001-02-30,zz,N/A,"Flat 2\r\n9 High Street"\r\n',
    "P4,,Dai,Evans,,,,\r\n",
]


@pytest.mark.django_db
def test_content_hash_is_sha256_of_header_and_row_as_sent(tmp_path: Path):
    """The hash covers the header line and the row's lines exactly as sent, line endings
    included, for plain rows and quoted ones alike; the same file again is all unchanged."""
    path = tmp_path / "people.csv"
    path.write_bytes((HEADER + "".join(ROWS)).encode("utf-8"))
    first = ingest_files(source_name="gp", partner="gp", paths=[path])
    assert (first.accepted, first.quarantined) == (4, 0)
    for number, line in enumerate(ROWS, start=1):
        stored = SourceRecord.objects.get(source_record_id=f"P{number}")
        expected = hashlib.sha256((HEADER + line).encode("utf-8")).hexdigest()
        assert stored.content_hash == expected, line
        assert stored.payload == line.removesuffix("\r\n")
    again = ingest_files(source_name="gp", partner="gp", paths=[path])
    assert (again.unchanged, again.accepted, again.updated) == (4, 0, 0)


@pytest.mark.django_db
def test_field_problems_and_invalid_numbers_still_kept_as_recorded(tmp_path: Path):
    path = tmp_path / "people.csv"
    path.write_bytes((HEADER + "".join(ROWS)).encode("utf-8"))
    ingest_files(source_name="gp", partner="gp", paths=[path])
    ann = SourceRecord.objects.get(source_record_id="P1")
    assert (ann.nhs_number, ann.nhs_number_valid, ann.postcode) == ("9434765919", True, "LS17 7DF")
    bashir = SourceRecord.objects.get(source_record_id="P2")
    assert (bashir.nhs_number, bashir.nhs_number_valid) == ("4010232137", True)
    assert (bashir.sex, bashir.postcode, bashir.problems) == ("M", "LS8 3DR", {})
    cerys = SourceRecord.objects.get(source_record_id="P3")
    assert (cerys.nhs_number, cerys.nhs_number_valid) == ("1234567890", False)
    assert (cerys.date_of_birth, cerys.sex, cerys.postcode) == (None, "", "")
    assert cerys.address == "Flat 2\r\n9 High Street"
    assert cerys.problems == {
        "date_of_birth": {"as_recorded": "2001-02-30", "problem": "not a valid date"},
        "sex": {"as_recorded": "zz", "problem": "not a known sex code"},
        "postcode": {"as_recorded": "N/A", "problem": "not a valid postcode"},
    }
    assert not QuarantinedRow.objects.exists()


# Pieces of which random files are made: quotes, every line ending, NUL, bytes that are not
# UTF-8, separators, real and broken values.
PIECES = [
    b"a", b"", b" ", b",", b'"', b'""', b"\n", b"\r\n", b"\r", b"\x00", b"\xe9", b"\xc3\xa9",
    b"9434765919", b"943 476 5919", b"2001-02-30", b"1970-01-01", b"male", b"zz", b"ls16 7he",
    b"LS16 7HE", b"N/A", b"E1", b"P1", b"P2", b"rent_arrears", b"12.50", b"\xc2\xa35", b"\t",
]  # fmt: skip
HEADERS = [
    b"source_record_id,nhs_number,given_name,family_name,date_of_birth,sex,postcode,address,x",
    b"event_id,source_record_id,date,kind,text,status,amount,category,worker_name,note",
]


def _random_file(rng: random.Random, path: Path) -> None:
    out = [rng.choice(HEADERS) + rng.choice([b"\n", b"\r\n", b"\r"])]
    for _ in range(rng.randint(0, 30)):
        if rng.random() < 0.5:
            fields = [
                b"".join(rng.choice(PIECES[12:]) for _ in range(rng.randint(0, 2)))
                for _ in range(rng.choice([9, 9, 10, 8]))
            ]
            if rng.random() < 0.3:
                fields[rng.randrange(len(fields))] = b'"' + rng.choice(PIECES) + b'"'
            line = b",".join(fields)
        else:
            line = b"".join(rng.choice(PIECES) for _ in range(rng.randint(0, 20)))
        out.append(line + rng.choice([b"\n", b"\r\n", b"\r", b""]))
    path.write_bytes(b"".join(out))


def _read(path: Path):
    try:
        items = csv_reader.read_csv(path, partner="housing", organisation="Org", on_progress=abs)
        return [(type(item).__name__, dataclasses.astuple(item)) for item in items]
    except FileUnreadable as error:
        return str(error)


def test_lines_without_quotes_read_exactly_as_the_csv_module_reads_them(tmp_path, monkeypatch):
    """Random files full of stray quotes, line endings and bad bytes give the same records,
    refusals and line counts whether plain lines are split directly or all go through the csv
    module with the careful checks (the way every line was read before)."""
    rng = random.Random(8)
    paths = []
    for number in range(400):
        path = tmp_path / f"feed{number}.csv"
        _random_file(rng, path)
        paths.append(path)
    fast = [_read(path) for path in paths]
    monkeypatch.setattr(csv_reader, "_plain", lambda line: False)
    careful = [_read(path) for path in paths]
    assert sum(isinstance(items, list) and len(items) > 3 for items in careful) > 200
    for path, got, expected in zip(paths, fast, careful, strict=True):
        assert got == expected, path.read_bytes()


def test_nhs_number_check_agrees_with_the_modulus_11_check_digit():
    rng = random.Random(11)
    numbers = [f"{rng.randrange(10**10):010d}" for _ in range(20_000)]
    numbers += [n[:9] + str(nhs_number.check_digit(n[:9])) for n in numbers[:5_000]]
    for number in numbers:
        digit = nhs_number.check_digit(number[:9])
        assert nhs_number.is_valid(number) == (digit is not None and digit == int(number[9]))
    assert nhs_number.is_valid("9434765919") and not nhs_number.is_valid("9434765918")
    assert not nhs_number.is_valid("９４３４７６５９１９")  # full-width digits are not ASCII


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("LS17 7DF", "LS17 7DF"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("L1A 1AA", "L1A 1AA"),
        ("LS17 7DF ", "LS17 7DF"),
        ("ls17 7DF", "LS17 7DF"),
        ("LS177DF", "LS17 7DF"),
        ("LS1 77DF", "LS17 7DF"),  # the inward code is always the last three characters
        ("LS17\u00a07DF", "LS17 7DF"),
        ("LS17  7D?", "LS17 7D?"),
    ],
)
def test_postcodes_written_as_stored_and_otherwise_normalise_alike(raw, stored):
    assert postcodes.normalise(raw) == stored
    assert postcodes.problem(raw) == ("not a valid postcode" if "?" in raw else "")


@pytest.mark.django_db(transaction=True)
def test_sqlite_ingest_writes_on_the_command_thread(tmp_path: Path, monkeypatch):
    """On SQLite a writer thread halved ingest speed (it must win the GIL back from the parsing
    thread for every row it steps), so the command's own thread writes there."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps its writer thread: the server works in its own process")
    started = []
    original = threading.Thread.start

    def start(thread):
        started.append(thread.name)
        original(thread)

    monkeypatch.setattr(threading.Thread, "start", start)
    path = tmp_path / "people.csv"
    path.write_bytes((HEADER + "".join(ROWS)).encode("utf-8"))
    counts = ingest_files(source_name="gp", partner="gp", paths=[path])
    assert counts.accepted == 4
    assert "ingest-writer" not in started
