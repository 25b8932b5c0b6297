"""`wraparound ingest-manifest`: every feed of a generator manifest, in order."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from wraparound.sources.models import Event, Source, SourceRecord

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures_ingest"
pytestmark = pytest.mark.django_db


def manifest(tmp_path: Path, feeds: list[dict]) -> Path:
    for feed in feeds:
        target = tmp_path / feed["file"]
        if not target.exists() and (FIXTURES / feed["file"]).exists():
            target.write_bytes((FIXTURES / feed["file"]).read_bytes())
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"people": 3, "seed": 1, "feeds": feeds}))
    return path


def test_manifest_feeds_are_ingested_in_order_with_their_partners(tmp_path):
    path = manifest(
        tmp_path,
        [
            {"source": "gp", "partner": "gp", "file": "people.csv", "format": "csv"},
            {"source": "homes", "partner": "housing", "file": "people.csv", "format": "csv"},
            {"source": "homes", "partner": "housing", "file": "activity.csv", "format": "csv"},
            {"source": "acute", "partner": "acute", "file": "bundle.json", "format": "fhir"},
        ],
    )
    out = StringIO()
    call_command("ingest-manifest", str(path), "--json", stdout=out, verbosity=0)
    lines = out.getvalue().strip().splitlines()
    assert lines[0].startswith("gp: 3 accepted") and lines[0].endswith("[people.csv]")
    assert lines[2].startswith("homes: 3 accepted") and "[activity.csv]" in lines[2]
    assert json.loads(lines[-1]) == {
        "accepted": 17,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 2,
        "feeds": 4,
    }
    assert dict(Source.objects.values_list("name", "partner")) == {
        "gp": "gp",
        "homes": "housing",
        "acute": "acute",
    }
    assert Event.objects.filter(source__name="homes").count() == 3
    call_command("ingest-manifest", str(path), stdout=StringIO(), verbosity=0)
    assert SourceRecord.objects.count() == 7  # nothing doubled on a second run


def test_a_manifest_with_a_missing_file_writes_nothing(tmp_path):
    path = manifest(
        tmp_path,
        [
            {"source": "gp", "partner": "gp", "file": "people.csv"},
            {"source": "acute", "partner": "acute", "file": "gone.json"},
        ],
    )
    with pytest.raises(CommandError, match="gone.json: no such file"):
        call_command("ingest-manifest", str(path), stdout=StringIO())
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    ("text", "says"),
    [("not json", "is not a JSON manifest"), ('{"feeds": []}', "lists no feeds")],
)
def test_bad_manifests_are_refused(tmp_path, text, says):
    path = tmp_path / "manifest.json"
    path.write_text(text)
    with pytest.raises(CommandError, match=says):
        call_command("ingest-manifest", str(path))
