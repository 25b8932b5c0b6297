"""The database itself refuses to change or delete audit entries.

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
"""

import threading

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
