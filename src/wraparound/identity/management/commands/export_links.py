"""``wraparound export-links OUT.csv``: which person every source record belongs to."""

import csv

from django.core.management.base import BaseCommand, CommandError

from wraparound.identity.queries import links_for_export


class Command(BaseCommand):
    help = "Write source,source_record_id,person_id for every source record to a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("out", help="Path of the CSV file to write.")

    def handle(self, *args, **options):
        path = options["out"]
        try:
            with open(path, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["source", "source_record_id", "person_id"])
                count = 0
                for row in links_for_export():
                    writer.writerow(row)
                    count += 1
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}") from exc
        self.stdout.write(f"Wrote {count:,} source records to {path}")
