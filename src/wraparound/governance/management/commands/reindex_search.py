"""`wraparound reindex-search`: rebuild the search index of people (run after `wraparound link`).

Finding a person is an indexed lookup on tokens built from every linked record's names, date
of birth, postcode and NHS Number (``governance.search``). Linking changes who is who, so the
index is rebuilt after each ``wraparound link``.
"""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from wraparound.governance import search


class Command(BaseCommand):
    help = "Rebuild the search index of people from their linked records."

    def handle(self, *args, **options):
        total = search.people_count()
        with tqdm(total=total, unit="people", desc="search index", disable=None) as bar:
            for done in search.rebuild_all():
                bar.update(done)
        self.stdout.write(self.style.SUCCESS(f"Indexed {total} people for search."))
