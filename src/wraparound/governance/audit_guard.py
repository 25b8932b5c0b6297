"""The database itself refuses to change or delete audit entries, and the app's own commands
refuse to take that protection away outside development.

The model and its queryset refuse too (``models.AuditEntry``), but a trigger also stops raw SQL
from the application or a shell. PostgreSQL: a row trigger that raises on UPDATE and DELETE.
SQLite: ``BEFORE UPDATE`` / ``BEFORE DELETE`` triggers that ``RAISE(ABORT)``.

One exception, on SQLite only: ``wraparound flush`` (Django's command to empty a whole
database, used between transactional tests) must be able to empty the audit table along with
everything else. The SQLite delete trigger asks the SQL function ``wraparound_audit_flush()``,
which this module registers on every SQLite connection and which answers 1 only while our
``flush`` command runs. A connection without the function (the ``sqlite3`` shell) cannot delete
at all. On PostgreSQL ``flush`` uses TRUNCATE, which row triggers do not see; production
deployments should not grant TRUNCATE to the application's database role (docs/governance.md).

Commands that would remove the protection (``flush``; ``migrate`` taking the governance app
backwards, which drops the triggers or the table) refuse unless the environment is explicitly
development: ``WRAPAROUND_ENVIRONMENT=development``, or the test runner (pytest sets
``PYTEST_VERSION``; pytest-django's transactional tests flush between tests). DEBUG is *not*
the switch: a production server started with DEBUG on by mistake must still refuse.
"""

import getpass
import os
import threading

from django.core.management.base import CommandError
from django.db import DatabaseError, transaction
from django.utils import timezone

TABLE = "governance_auditentry"
MESSAGE = "audit entries are append-only"

_flush = threading.Event()

SQLITE_CREATE = [
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
        WHEN wraparound_audit_flush() = 0
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
]
POSTGRES_CREATE = [
    f"""CREATE OR REPLACE FUNCTION wraparound_refuse_audit_change() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION wraparound_refuse_audit_change()""",
]
POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS wraparound_refuse_audit_change()",
]


# The subject access report's index (migration 0004) is protected the same way: removing a
# row from it would hide a look at a person from their report.
INDEX_TABLE = "governance_auditpersonindex"
INDEX_SQLITE_CREATE = [
    f"""CREATE TRIGGER IF NOT EXISTS {INDEX_TABLE}_no_update BEFORE UPDATE ON {INDEX_TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {INDEX_TABLE}_no_delete BEFORE DELETE ON {INDEX_TABLE}
        WHEN wraparound_audit_flush() = 0
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
INDEX_SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {INDEX_TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {INDEX_TABLE}_no_delete",
]
INDEX_POSTGRES_CREATE = [
    f"""CREATE TRIGGER {INDEX_TABLE}_append_only BEFORE UPDATE OR DELETE ON {INDEX_TABLE}
        FOR EACH ROW EXECUTE FUNCTION wraparound_refuse_audit_change()""",
]
INDEX_POSTGRES_DROP = [f"DROP TRIGGER IF EXISTS {INDEX_TABLE}_append_only ON {INDEX_TABLE}"]


def _flushing() -> int:
    return 1 if _flush.is_set() else 0


def register_sqlite_guard(sender, connection, **kwargs) -> None:
    """``connection_created`` handler: give SQLite connections the function the trigger asks."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("wraparound_audit_flush", 0, _flushing)


class flushing_whole_database:
    """Context manager used only by ``wraparound flush`` (emptying every table at once)."""

    def __enter__(self):
        _flush.set()

    def __exit__(self, *exc):
        _flush.clear()
        return False


def install(apps, schema_editor) -> None:
    statements = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(
        schema_editor.connection.vendor, []
    )
    for sql in statements:
        schema_editor.execute(sql)


def uninstall(apps, schema_editor) -> None:
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(
        schema_editor.connection.vendor, []
    )
    for sql in statements:
        schema_editor.execute(sql)


DEVELOPMENT_SWITCH = "WRAPAROUND_ENVIRONMENT"


def development() -> bool:
    """True only when the environment says so explicitly, or under the test runner."""
    if os.environ.get(DEVELOPMENT_SWITCH, "").strip().lower() == "development":
        return True
    return bool(os.environ.get("PYTEST_VERSION"))


def refuse_outside_development(command: str, what: str, database: str = "default") -> None:
    """Raise a one-line ``CommandError`` (exit 1) unless in development; audit the refusal."""
    if development():
        return
    _audit_refusal(command, what, database)
    raise CommandError(
        f"{command} refused: {what}, which removes the audit trail's protection. Only in "
        f"development ({DEVELOPMENT_SWITCH}=development) may this run."
    )


def _audit_refusal(command: str, what: str, database: str) -> None:
    """Record who tried, where the database still allows it (the table may not exist yet)."""
    from wraparound.governance.models import AuditEntry

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    try:
        with transaction.atomic(using=database):
            AuditEntry.objects.using(database).create(
                at=timezone.now(),
                username=f"{user} (command line)"[:150],
                action=AuditEntry.Action.REFUSED,
                purpose=f"{command}: {what}"[:2000],
                detail={"command": command, "refused": what, "os_user": user},
            )
    except DatabaseError:
        pass


def install_index_guard(apps, schema_editor) -> None:
    """Migration 0004: the per-person index refuses UPDATE and DELETE like the audit."""
    statements = {"sqlite": INDEX_SQLITE_CREATE, "postgresql": INDEX_POSTGRES_CREATE}.get(
        schema_editor.connection.vendor, []
    )
    for sql in statements:
        schema_editor.execute(sql)


def uninstall_index_guard(apps, schema_editor) -> None:
    statements = {"sqlite": INDEX_SQLITE_DROP, "postgresql": INDEX_POSTGRES_DROP}.get(
        schema_editor.connection.vendor, []
    )
    for sql in statements:
        schema_editor.execute(sql)
