from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "wraparound.governance"
    label = "governance"
    verbose_name = "Information governance"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from wraparound.governance.audit_guard import register_sqlite_guard

        connection_created.connect(register_sqlite_guard, dispatch_uid="wraparound-audit-guard")
