"""Hostile FHIR: bundles nested hundreds deep, entity tricks in XML, and one huge bundle.

Each used to end the ingest with a traceback (330 nested Bundles, 24 KB: ``RecursionError``)
or take memory in proportion to the file (a 200 MB Bundle: 5 GB). Now a nesting too deep is a
quarantined entry or a one-line refusal, and a large Bundle is streamed entry by entry.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from wraparound.sources.models import QuarantinedRow, SourceRecord

COMMAND = [sys.executable, "-m", "wraparound.manage"]


def patient(number: int) -> dict:
    return {
        "resourceType": "Patient",
        "id": f"p{number}",
        "name": [{"family": "Nested", "given": [f"Person{number}"]}],
        "birthDate": "1950-01-01",
    }


def nested_bundle(depth: int) -> str:
    """A Bundle holding a Patient and a Bundle, ``depth`` Bundles deep in all, as JSON text
    (built as text: ``json.dumps`` itself cannot nest this deep)."""
    text = '{"resourceType": "Bundle", "type": "collection", "entry": []}'
    for level in range(depth - 1):
        text = (
            '{"resourceType": "Bundle", "type": "collection", "entry": ['
            f'{{"resource": {json.dumps(patient(level + 2))}}}, {{"resource": {text}}}]}}'
        )
    return text


def ingest(*paths: Path) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("ingest", "--source", "gp", "--json", *map(str, paths), stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.mark.django_db
def test_330_nested_bundles_are_one_quarantined_entry_not_a_traceback(tmp_path):
    path = tmp_path / "nested.json"
    path.write_text(nested_bundle(330))
    assert path.stat().st_size < 100_000  # the reported file was 24 KB, without the Patients
    counts = ingest(path)
    # The outermost Patient is read; what is nested too deep is held for a steward, whole.
    assert counts["accepted"] >= 1 and counts["quarantined"] == 1
    assert SourceRecord.objects.filter(source_record_id="p330").exists()
    held = QuarantinedRow.objects.get()
    assert "nested" in held.reason and held.locator.startswith("nested.json entry 2")


@pytest.mark.django_db
def test_bundles_nested_a_little_are_read_and_deeper_ones_refused_by_name(tmp_path):
    path = tmp_path / "nested.json"
    path.write_text(nested_bundle(6))
    counts = ingest(path)
    # Bundles 1-3 are read (Patients p6, p5, p4); the 4th Bundle down is quarantined whole.
    assert set(SourceRecord.objects.values_list("source_record_id", flat=True)) == {
        "p6",
        "p5",
        "p4",
    }
    assert (counts["accepted"], counts["quarantined"]) == (3, 1)
    held = QuarantinedRow.objects.get()
    assert held.locator == "nested.json entry 2 entry 2 entry 2"
    assert "nested inside 3 other Bundles" in held.reason
    assert json.loads(held.raw)["resourceType"] == "Bundle"


@pytest.mark.django_db
def test_a_deeply_nested_bundle_on_an_ndjson_line_is_quarantined(tmp_path):
    path = tmp_path / "feed.ndjson"
    path.write_text(json.dumps(patient(1)) + "\n" + nested_bundle(330) + "\n")
    counts = ingest(path)
    assert (counts["accepted"], counts["quarantined"]) == (1, 1)
    held = QuarantinedRow.objects.get()
    assert "nested too deeply" in held.reason and held.locator == "feed.ndjson line 2"


@pytest.mark.django_db
def test_deep_nesting_inside_one_resource_is_quarantined(tmp_path):
    deep = "[" * 5_000 + '"bottom"' + "]" * 5_000
    bundle = (
        '{"resourceType": "Bundle", "type": "collection", "entry": ['
        f'{{"resource": {json.dumps(patient(1))}}}, '
        f'{{"resource": {json.dumps(patient(2))[:-1]}, "x": {deep}}}}}]}}'
    )
    path = tmp_path / "deep.json"
    path.write_text(bundle)
    counts = ingest(path)
    assert (counts["accepted"], counts["quarantined"]) == (1, 1)
    assert "nested too deeply" in QuarantinedRow.objects.get().reason


@pytest.mark.django_db
def test_a_bundle_broken_near_its_end_is_refused_before_any_batch_is_written(tmp_path):
    # Streamed and committed in batches, yet a file that is not JSON writes nothing: every
    # file is read through first. 5,000 good entries (more than two batches), then a break.
    entries = ", ".join(json.dumps({"resource": patient(n)}) for n in range(5_000))
    path = tmp_path / "broken.json"
    path.write_text('{"resourceType": "Bundle", "type": "collection", "entry": [' + entries + ", {")
    good = tmp_path / "good.json"
    good.write_text(nested_bundle(2))
    with pytest.raises(CommandError, match="broken.json is not valid JSON"):
        call_command("ingest", "--source", "gp", str(good), str(path))
    assert not SourceRecord.objects.exists() and not QuarantinedRow.objects.exists()


def xml_nested(depth: int) -> str:
    inner = '<Patient xmlns="http://hl7.org/fhir"><id value="p"/></Patient>'
    for _ in range(depth):
        inner = (
            '<Bundle xmlns="http://hl7.org/fhir"><type value="collection"/>'
            f"<entry><resource>{inner}</resource></entry></Bundle>"
        )
    return inner


@pytest.mark.django_db
def test_xml_nested_330_deep_is_refused_with_a_reason_and_nothing_written(tmp_path):
    path = tmp_path / "nested.xml"
    path.write_text(xml_nested(330))
    with pytest.raises(CommandError, match="not valid XML .*[Ee]xcessive depth"):
        call_command("ingest", "--source", "gp", str(path))
    assert not SourceRecord.objects.exists() and not QuarantinedRow.objects.exists()


@pytest.mark.django_db
def test_xml_entity_expansion_is_not_performed(tmp_path):
    laughs = "".join(
        f'<!ENTITY lol{i} "{"".join(f"&lol{i - 1};" for _ in range(10))}">' for i in range(1, 10)
    )
    path = tmp_path / "laughs.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE Patient [<!ENTITY lol0 "lol">{laughs}]>'
        '<Patient xmlns="http://hl7.org/fhir"><id value="p1"/>'
        '<name><family value="&lol9;"/></name></Patient>'
    )
    try:
        counts = ingest(path)
    except CommandError as error:  # refused outright: fine, so long as it says why
        assert "XML" in str(error)
        return
    # Read without expanding: the family name is not a billion "lol"s.
    record = SourceRecord.objects.filter(source_record_id="p1").first()
    assert counts["total"] == 1
    assert record is None or len(record.family_name) < 100


def write_big_bundle(path: Path, megabytes: int) -> int:
    """A Bundle of ``megabytes`` MB: Patients with a long narrative each (~20 KB)."""
    words = "Lives alone, daughter visits weekly, key safe by the back door. " * 300
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"resourceType": "Bundle", "type": "collection", "entry": [\n')
        while out.tell() < megabytes * 2**20:
            entry = {
                "fullUrl": f"urn:uuid:{count}",
                "resource": {
                    **patient(count),
                    "text": {
                        "status": "generated",
                        "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{words}</div>',
                    },
                },
            }
            out.write(("," if count else "") + json.dumps(entry) + "\n")
            count += 1
        out.write("]}\n")
    return count


def test_a_large_bundle_is_streamed_in_memory_far_below_its_size(tmp_path):
    db = tmp_path / "big.sqlite3"
    path = tmp_path / "big.json"
    entries = write_big_bundle(path, 80)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([*COMMAND, "migrate", "-v0"], env=env, check=True)
    # A fresh intermediate process runs the ingest and reports the peak RSS of its own
    # children only: this test process's RUSAGE_CHILDREN also counts every earlier test's
    # subprocesses (a link, a killed ingest), which says nothing about this command.
    measure = (
        "import resource, subprocess, sys; "
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "sys.stdout.write(done.stdout); sys.stderr.write(done.stderr); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
        "sys.exit(done.returncode)"
    )
    done = subprocess.run(
        [sys.executable, "-c", measure, *COMMAND, "ingest", "--source", "gp", "--json", str(path)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    *output, peak_kb = done.stdout.strip().splitlines()
    assert json.loads(output[-1])["accepted"] == entries
    peak_mb = int(peak_kb) / 1024
    size_mb = path.stat().st_size / 2**20
    print(f"{size_mb:.0f} MB bundle, {entries:,} entries: peak RSS {peak_mb:.0f} MB")
    # Read whole, the text alone is 80 MB and its parsed form several times that (5 GB for
    # 200 MB). Streamed: the process's own start-up footprint plus a window of entries.
    assert peak_mb < 350, f"peak RSS {peak_mb:.0f} MB for a {size_mb:.0f} MB bundle"
