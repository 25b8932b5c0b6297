"""Issue 9, finding 7: the app's own commands removed the audit trail's protection.

``migrate governance 0001`` dropped the triggers, ``migrate governance zero`` dropped the
table, and ``flush`` had no production guard. Outside development each now refuses with one
line and exit 1, and the refusal is audited. The test runner counts as development (pytest
sets ``PYTEST_VERSION``), so these tests take that away first.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from wraparound.governance.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(monkeypatch):
    monkeypatch.delenv("PYTEST_VERSION", raising=False)
    monkeypatch.delenv("WRAPAROUND_ENVIRONMENT", raising=False)
    monkeypatch.setenv("WRAPAROUND_DEBUG", "1")  # DEBUG on by mistake is still not development


def _triggers_in_place() -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type='trigger' "
                "AND tbl_name='governance_auditentry'"
            )
            return cursor.fetchone()[0] == 2
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'governance_auditentry'::regclass "
            "AND NOT tgisinternal"
        )
        return cursor.fetchone()[0] == 1


@pytest.mark.parametrize("target", ["0001", "0002", "0003", "zero"])
def test_migrating_governance_backwards_refuses_outside_development(production, target):
    AuditEntry.objects.create(at=timezone.now(), username="nurse", action="search")
    with pytest.raises(CommandError) as refused:
        call_command("migrate", "governance", target, verbosity=0)
    message = str(refused.value)
    assert "\n" not in message
    assert "refused" in message and "WRAPAROUND_ENVIRONMENT=development" in message
    assert _triggers_in_place()
    assert AuditEntry.objects.filter(username="nurse").count() == 1
    refusal = AuditEntry.objects.filter(action="refused").latest("id")
    assert refusal.detail["command"] == "migrate"
    assert refusal.username.endswith("(command line)")


def test_taking_another_app_back_past_governance_refuses_too(production):
    with pytest.raises(CommandError):
        call_command("migrate", "auth", "zero", verbosity=0)
    assert _triggers_in_place()


def test_flush_refuses_outside_development(production):
    AuditEntry.objects.create(at=timezone.now(), username="nurse", action="search")
    with pytest.raises(CommandError) as refused:
        call_command("flush", interactive=False, verbosity=0)
    assert "flush refused" in str(refused.value)
    assert AuditEntry.objects.filter(username="nurse").count() == 1
    assert AuditEntry.objects.filter(action="refused", detail__command="flush").exists()


def test_forward_migrations_and_a_plan_still_run_outside_development(production):
    call_command("migrate", verbosity=0)
    call_command("migrate", "governance", "0001", plan=True, stdout=None, verbosity=0)
    assert _triggers_in_place()


def test_an_explicit_development_environment_is_allowed(production, monkeypatch):
    monkeypatch.setenv("WRAPAROUND_ENVIRONMENT", "development")
    from wraparound.governance.audit_guard import refuse_outside_development

    refuse_outside_development("flush", "test")  # no exception


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_still_flush_between_tests():
    """pytest-django flushes after this test; a refused flush would fail its teardown."""
    AuditEntry.objects.create(at=timezone.now(), username="nurse", action="search")
    assert AuditEntry.objects.count() >= 1
