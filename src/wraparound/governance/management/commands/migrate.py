"""``wraparound migrate``: Django's migrate, refusing to take the governance app backwards.

Unapplying governance migrations drops the audit trail's triggers (0002) or its table
(``zero``): the red team rewrote audit rows that way with the app's own command. Any plan that
unapplies a governance migration (``migrate governance 0001``, ``migrate governance zero``, or
another app's backwards step that takes governance with it) refuses with one line and exit 1
unless the environment is explicitly development (``governance.audit_guard``). Forward
migrations, ``--plan`` and ``--check`` run as usual.
"""

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DatabaseError, connections
from django.db.migrations.exceptions import AmbiguityError
from django.db.migrations.executor import MigrationExecutor

from wraparound.governance.audit_guard import refuse_outside_development

APP = "governance"


def governance_unapplied_by(options: dict) -> list[str]:
    """The governance migrations this invocation would unapply (none when it cannot tell)."""
    try:
        connection = connections[options["database"]]
        executor = MigrationExecutor(connection)
        graph = executor.loader.graph
        app_label, name = options.get("app_label"), options.get("migration_name")
        if app_label and name:
            if name == "zero":
                targets = [(app_label, None)]
            else:
                targets = [
                    (app_label, executor.loader.get_migration_by_prefix(app_label, name).name)
                ]
        elif app_label:
            targets = [key for key in graph.leaf_nodes() if key[0] == app_label]
        else:
            targets = graph.leaf_nodes()
        plan = executor.migration_plan(targets)
    except (AmbiguityError, KeyError, LookupError, DatabaseError):
        return []  # Django's own command reports the mistake
    return [m.name for m, backwards in plan if backwards and m.app_label == APP]


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        if not (options.get("plan") or options.get("check_unapplied")):
            undone = governance_unapplied_by(options)
            if undone:
                refuse_outside_development(
                    "migrate",
                    f"unapplying governance migrations {', '.join(sorted(undone))}",
                    options["database"],
                )
        return super().handle(*args, **options)
