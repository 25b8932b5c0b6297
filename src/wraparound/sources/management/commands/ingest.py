"""`wraparound ingest --source NAME [--partner KIND] [--json] PATH...`: load partner files.

A thin wrapper over ``sources.actions.ingest_files``; see ``docs/feeds.md`` for the formats.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from wraparound.sources.actions import IngestCounts, IngestRefused, finish_ingest, ingest_files
from wraparound.sources.models import Partner
from wraparound.sources.readers import FileUnreadable


def summary_line(source: str, counts: IngestCounts) -> str:
    """``gp: 1,200 accepted, 3 updated, 0 unchanged, 2 quarantined (...)`` for people."""
    files = f"{counts.files} file{'s' if counts.files != 1 else ''}"
    lines = (  # CSV: every physical line is a row read, or the header, blank, or in a field
        f"; {counts.lines:,} lines in the file: {counts.lines - counts.other_lines:,} rows "
        f"and {counts.other_lines:,} other (header, blank, or inside a quoted field)"
        if counts.lines
        else ""
    )
    return (
        f"{source}: {counts.accepted:,} accepted, {counts.updated:,} updated, "
        f"{counts.unchanged:,} unchanged, {counts.quarantined:,} quarantined "
        f"({counts.total:,} read from {files}{lines})"
    )


def interrupted_line(runs: list[int]) -> str:
    """Earlier runs of the source that never finished (killed): say this run completed them."""
    numbers = ", ".join(str(run) for run in runs)
    plural = "s" if len(runs) > 1 else ""
    return (
        f"Earlier run{plural} {numbers} of this source did not finish (stopped part-way); "
        "what they committed was kept and this run completed the rest."
    )


class Command(BaseCommand):
    help = (
        "Ingest partner feed files (demographic or activity CSV, FHIR JSON/NDJSON/XML) into a "
        "source. Every row ends accepted, updated, unchanged or quarantined. Files are checked "
        "first; rows are committed in batches, so a stopped run is completed by running it again."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files to ingest, in order")
        parser.add_argument("--source", required=True, help="source name, e.g. gp or housing")
        parser.add_argument(
            "--partner",
            choices=Partner.values,
            help="partner kind when the source is new (default: guessed from the name)",
        )
        parser.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help="print the counts as JSON on the last line",
        )

    def handle(self, *args, paths, source, partner, as_json: bool, **options):
        try:
            counts = ingest_files(
                source_name=source,
                partner=partner,
                paths=paths,
                progress=options.get("verbosity", 1) > 0,
            )
        except (FileUnreadable, IngestRefused) as error:
            raise CommandError(" ".join(str(error).split())) from None
        finally:
            finish_ingest()
        self.stdout.write(summary_line(source, counts))
        if counts.interrupted_runs:
            self.stdout.write(interrupted_line(counts.interrupted_runs))
        if as_json:
            self.stdout.write(json.dumps({**counts.as_dict(), "source": source}))
