"""``wraparound flush``: Django's flush, allowed to empty the audit table with everything else.

Emptying the whole database is a developer's and the test runner's operation (transactional
tests flush between tests); anywhere else it refuses (``audit_guard.refuse_outside_development``)
and the refusal is audited. The SQLite audit triggers let it through only while this command
runs. See ``governance.audit_guard``.
"""

from django.core.management.commands.flush import Command as DjangoFlush

from wraparound.governance.audit_guard import flushing_whole_database, refuse_outside_development


class Command(DjangoFlush):
    def handle(self, **options):
        refuse_outside_development(
            "flush", "emptying every table, the audit trail included", options["database"]
        )
        with flushing_whole_database():
            return super().handle(**options)
