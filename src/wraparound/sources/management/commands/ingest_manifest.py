"""`wraparound ingest-manifest MANIFEST.json`: ingest every feed a generator wrote, in order.

Sources are created with the manifest's partner. A thin wrapper over
``sources.actions.ingest_manifest``; the hyphenated command name lives in ``ingest-manifest.py``.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from wraparound.sources.actions import IngestRefused, finish_ingest, ingest_manifest
from wraparound.sources.management.commands.ingest import summary_line
from wraparound.sources.readers import FileUnreadable


class Command(BaseCommand):
    help = (
        "Ingest each feed of a generator manifest (manifest.json) in order; every file is "
        "checked before the first is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("manifest", metavar="MANIFEST.json")
        parser.add_argument(
            "--json", action="store_true", help="print the totals as JSON on the last line"
        )

    def handle(self, *args, manifest, **options):
        try:
            results = ingest_manifest(manifest=manifest, progress=options.get("verbosity", 1) > 0)
        except (FileUnreadable, IngestRefused) as error:
            raise CommandError(" ".join(str(error).split())) from None
        finally:
            finish_ingest()
        totals = {"accepted": 0, "updated": 0, "unchanged": 0, "quarantined": 0}
        for feed, counts in results:
            self.stdout.write(f"{summary_line(feed.source, counts)}  [{feed.path.name}]")
            for key in totals:
                totals[key] += getattr(counts, key)
        self.stdout.write(
            f"{len(results)} feeds: {totals['accepted']:,} accepted, {totals['updated']:,} "
            f"updated, {totals['unchanged']:,} unchanged, {totals['quarantined']:,} quarantined"
        )
        if options["json"]:
            self.stdout.write(json.dumps({**totals, "feeds": len(results)}))
