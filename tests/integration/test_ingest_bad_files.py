"""Files that cannot be read at all: one clear line, non-zero exit, and nothing written."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from wraparound.sources.models import Event, IngestRun, QuarantinedRow, Source, SourceRecord

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures_ingest"
pytestmark = pytest.mark.django_db


def nothing_written() -> bool:
    return not any(
        model.objects.exists() for model in (Source, IngestRun, SourceRecord, Event, QuarantinedRow)
    )


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("random.bin", "is a binary file"),
        ("image.csv", "is a binary file"),
        ("utf16.csv", "is UTF-16 text"),
        ("broken.json", "is not valid JSON"),
        ("broken.xml", "is not valid XML"),
        ("xxe.xml", "is not valid XML"),
        ("no_id_column.csv", "has no source_record_id column"),
        ("empty.csv", "is empty"),
        ("unknown.txt", "unknown file type"),
        ("not-there.csv", "no such file"),
    ],
)
def test_unreadable_file_is_refused_and_nothing_is_written_even_after_good_files(name, says):
    good = [FIXTURES / "people.csv", FIXTURES / "bundle.json"]
    with pytest.raises(CommandError) as refused:
        call_command("ingest", "--source", "gp", *map(str, good), str(FIXTURES / name))
    message = str(refused.value)
    assert says in message and name in message
    assert "\n" not in message
    assert nothing_written()


def test_a_directory_is_refused():
    with pytest.raises(CommandError, match="is a directory"):
        call_command("ingest", "--source", "gp", str(FIXTURES))
    assert nothing_written()


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("blank.csv", "\n\n", "is empty"),  # whitespace only
        ("dup.csv", "source_record_id,a,a\n1,2,3\n", "names column 'a' twice"),
        ("unnamed.csv", "source_record_id,,x\n1,2,3\n", "column 2 of the header has no name"),
        ("act.csv", "event_id,kind,date,source_record_id\n", "has no text column"),
        ("array.json", "[1, 2, 3]", "not a FHIR resource"),
        ("plain.json", '{"hello": "world"}', "not a FHIR resource"),
        ("html.xml", "<html><body>hi</body></html>", "is XML but not FHIR"),
        ("spaces.ndjson", "  \n \n", "is empty"),
        ("latin.json", None, "is not UTF-8"),
    ],
)
def test_other_unreadable_shapes(tmp_path, name, text, says):
    path = tmp_path / name
    if text is None:
        path.write_bytes(b'{"resourceType": "Patient", "id": "caf\xe9"}')
    else:
        path.write_text(text)
    with pytest.raises(CommandError, match=says):
        call_command("ingest", "--source", "gp", str(FIXTURES / "people.csv"), str(path))
    assert nothing_written()


def test_file_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setenv("WRAPAROUND_INGEST_MAX_BYTES", "100")
    with pytest.raises(CommandError, match="over the limit of 100"):
        call_command("ingest", "--source", "gp", str(FIXTURES / "people.csv"))
    assert nothing_written()


def test_bad_source_name_and_partner_conflict_are_refused():
    with pytest.raises(CommandError, match="must be 1-100 letters"):
        call_command("ingest", "--source", "no spaces!", str(FIXTURES / "people.csv"))
    call_command("ingest", "--source", "gp", "--partner", "gp", str(FIXTURES / "people.csv"))
    with pytest.raises(CommandError, match="registered as partner 'gp'"):
        call_command(
            "ingest", "--source", "gp", "--partner", "housing", str(FIXTURES / "people.csv")
        )


def test_command_line_exit_code_and_one_line_error(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    command = [sys.executable, "-m", "wraparound.manage"]
    subprocess.run([*command, "migrate", "-v0"], env=env, check=True)
    done = subprocess.run(
        [
            *command,
            "ingest",
            "--source",
            "gp",
            str(FIXTURES / "people.csv"),
            str(FIXTURES / "broken.json"),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("CommandError:") and "broken.json" in lines[0]
    assert "Traceback" not in done.stderr
