"""``wraparound export-links OUT.csv``: which person every source record belongs to."""

import csv
import os

from django.core.management.base import BaseCommand, CommandError

from wraparound.core.spreadsheet_cells import as_text
from wraparound.identity.queries import links_for_export


class Command(BaseCommand):
    help = "Write source,source_record_id,person_id for every source record to a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("out", help="Path of the CSV file to write.")

    def handle(self, *args, **options):
        path = options["out"]
        try:
            # Readable by its owner only: it says which records are whose.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(descriptor, 0o600)  # an existing file keeps no wider mode
            with open(descriptor, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["source", "source_record_id", "person_id"])
                count = 0
                for row in links_for_export():
                    writer.writerow([as_text(cell) for cell in row])
                    count += 1
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}") from exc
        self.stdout.write(f"Wrote {count:,} source records to {path}")
