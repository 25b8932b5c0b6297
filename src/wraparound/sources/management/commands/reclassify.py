"""`wraparound reclassify [--source NAME [--partner KIND]] [--allow-less-restricted] [--json]`.

Decides every stored event's sensitive category again, after a data steward extended the code
sets (``sources/code_sets/``) or stated the kind of partner of a feed nobody had classified.
A thin wrapper over ``sources.actions.reclassify_events``. It prints counts only: never a
person, never an event, never which category.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from wraparound.sources.actions import IngestRefused, classify_source, reclassify_events
from wraparound.sources.models import Partner


class Command(BaseCommand):
    help = (
        "Classify stored events again under today's sensitive code sets, service names and "
        "wordings (events only ever become more restricted unless --allow-less-restricted). "
        "With --source and --partner, first state that feed's kind of partner."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", help="only this feed (default: every feed)")
        parser.add_argument(
            "--partner",
            choices=Partner.values,
            help="state the feed's kind of partner first (needs --source)",
        )
        parser.add_argument(
            "--allow-less-restricted",
            action="store_true",
            help="let the new rules also lower a category (correcting a false alarm)",
        )
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="print the counts as JSON"
        )

    def handle(self, *args, source, partner, allow_less_restricted, as_json, **options):
        if partner and not source:
            raise CommandError("--partner needs --source: which feed is of that kind?")
        try:
            changed_partner = bool(partner) and classify_source(source_name=source, partner=partner)
            counts = reclassify_events(
                source_name=source,
                allow_less_restricted=allow_less_restricted,
                progress=options.get("verbosity", 1) > 0 and not as_json,
            )
        except IngestRefused as error:
            raise CommandError(str(error)) from None
        counts.partner_changed = changed_partner
        if changed_partner:
            self.stdout.write(
                f"{source} is now a {Partner(partner).label.lower()} feed. Run "
                "`wraparound reindex-search` so search follows."
            )
        feeds = f"{counts.sources:,} feed{'s' if counts.sources != 1 else ''}"
        line = (
            f"Checked {counts.events:,} events from {feeds}: {counts.changed:,} changed "
            f"({counts.more_restricted:,} now more restricted, {counts.less_restricted:,} less)."
        )
        if counts.not_rechecked:
            line += f" {counts.not_rechecked:,} could not be read again and were left as they were."
        self.stdout.write(line)
        if as_json:
            self.stdout.write(json.dumps(counts.__dict__))
