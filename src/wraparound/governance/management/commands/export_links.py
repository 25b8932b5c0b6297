"""``wraparound export-links OUT.csv --by STEWARD``: which person every source record belongs to.

The file says who is whose for the whole population, so it is an export like any other: only
an active data steward may run it (``--by``), and the export is audited under that steward
with how many rows were written and which people they name (so each person's subject access
report lists it). It lives in governance, not identity, because auditing is governance's.
Cells a spreadsheet would run as formulas are written as text; the file is readable by its
owner only.
"""

import csv
import os

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from wraparound.core.spreadsheet_cells import as_text
from wraparound.governance.access.audit import _audit
from wraparound.governance.identity_changes import NotASteward, steward
from wraparound.governance.models import AuditEntry
from wraparound.identity.queries import links_for_export


class Command(BaseCommand):
    help = "Write source,source_record_id,person_id for every source record to a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("out", help="Path of the CSV file to write.")
        parser.add_argument("--by", required=True, help="The data steward's username.")

    def handle(self, *args, **options):
        try:
            v = steward(options["by"])
        except NotASteward as exc:
            raise CommandError(str(exc)) from None
        path = options["out"]
        people: set[int] = set()
        count = 0
        try:
            with transaction.atomic():
                # Readable by its owner only: it says which records are whose.
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.fchmod(descriptor, 0o600)  # an existing file keeps no wider mode
                with open(descriptor, "w", newline="", encoding="utf-8") as handle:
                    writer = csv.writer(handle)
                    writer.writerow(["source", "source_record_id", "person_id"])
                    for row in links_for_export():
                        writer.writerow([as_text(cell) for cell in row])
                        count += 1
                        if row[2] != "":
                            people.add(int(row[2]))
                _audit(
                    v,
                    AuditEntry.Action.EXPORT,
                    None,
                    purpose="export-links: which person every source record belongs to",
                    detail={
                        "what": "links",
                        "file": os.path.abspath(path),
                        "rows": count,
                        "people": len(people),
                        "person_ids": sorted(people),
                    },
                )
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}") from exc
        self.stdout.write(f"Wrote {count:,} source records to {path}")
