"""``wraparound flush``: Django's flush, allowed to empty the audit table with everything else.

Emptying the whole database is a developer's and the test runner's operation (transactional
tests flush between tests); the SQLite audit triggers let it through only while this command
runs. See ``governance.audit_guard``.
"""

from django.core.management.commands.flush import Command as DjangoFlush

from wraparound.governance.audit_guard import flushing_whole_database


class Command(DjangoFlush):
    def handle(self, **options):
        with flushing_whole_database():
            return super().handle(**options)
