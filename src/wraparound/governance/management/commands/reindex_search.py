"""`wraparound reindex-search`: rebuild the whole search index of people (a repair tool).

Finding a person is an indexed lookup on tokens built from every linked record's names, date
of birth, postcode and NHS Number (``governance.access.search``). ``wraparound link`` and every
steward decision keep the index current themselves (``governance.identity_changes``); run this
only to repair an index, say after restoring a backup or stopping a link part way.
"""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from wraparound.governance.access import search


class Command(BaseCommand):
    help = "Rebuild the whole search index of people (a repair tool: link keeps it current)."

    def handle(self, *args, **options):
        total = search.people_count()
        with tqdm(total=total, unit="people", desc="search index", disable=None) as bar:
            for done in search.rebuild_all():
                bar.update(done)
        self.stdout.write(self.style.SUCCESS(f"Indexed {total} people for search."))
