"""The audit trail: one row per look, written with what was shown, and never changed or deleted."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from factories import make_event, make_person, make_source_record, make_staff, make_team
from wraparound.governance import access
from wraparound.governance.models import AuditEntry, AuditIsAppendOnly
from wraparound.plans.models import WhatMattersToMe

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse_and_person():
    team = make_team("North", ["WV10"])
    nurse = make_staff(role="clinician", teams=[team], username="nurse")
    person = make_person(given_name="Ivy", family_name="Holt", postcode="WV10 6QH")
    make_event(make_source_record(source="gp", person=person), summary="Blood pressure review")
    return nurse, person


def test_each_search_and_view_writes_exactly_one_row(nurse_and_person):
    nurse, person = nurse_and_person
    before = AuditEntry.objects.count()
    access.search_people(viewer=nurse, query="ivy holt", ip="10.0.0.7")
    assert AuditEntry.objects.count() == before + 1
    search = AuditEntry.objects.latest("id")
    assert (search.action, search.query, search.ip, search.username) == (
        "search",
        "ivy holt",
        "10.0.0.7",
        "nurse",
    )
    assert search.detail["results"] == [person.id]

    access.open_record(viewer=nurse, person_id=person.id, purpose="home visit", ip="10.0.0.7")
    assert AuditEntry.objects.count() == before + 2
    view = AuditEntry.objects.latest("id")
    assert (view.action, view.person_id, view.purpose, view.role) == (
        "view_person",
        person.id,
        "home visit",
        "clinician",
    )
    assert view.detail["shown_partners"] == ["gp"]
    assert view.user_id == nurse.id


def test_audit_rows_outlive_the_user_who_made_them(nurse_and_person):
    nurse, person = nurse_and_person
    access.open_record(viewer=nurse, person_id=person.id, purpose="care", ip=None)
    nurse.delete()
    entry = AuditEntry.objects.get(action="view_person")
    assert entry.username == "nurse"


def test_the_model_refuses_to_change_or_delete_an_entry(nurse_and_person):
    nurse, person = nurse_and_person
    access.open_record(viewer=nurse, person_id=person.id, purpose="care", ip=None)
    entry = AuditEntry.objects.get(action="view_person")
    entry.purpose = "something else"
    with pytest.raises(AuditIsAppendOnly):
        entry.save()
    with pytest.raises(AuditIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditIsAppendOnly):
        AuditEntry.objects.filter(id=entry.id).update(purpose="x")
    with pytest.raises(AuditIsAppendOnly):
        AuditEntry.objects.filter(id=entry.id).delete()
    with pytest.raises(AuditIsAppendOnly):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(id=entry.id).purpose == "care"


def test_the_database_refuses_raw_update_and_delete(nurse_and_person):
    nurse, person = nurse_and_person
    access.open_record(viewer=nurse, person_id=person.id, purpose="care", ip=None)
    entry = AuditEntry.objects.get(action="view_person")
    assert connection.vendor in {"sqlite", "postgresql"}
    for sql in (
        "UPDATE governance_auditentry SET purpose = 'rewritten' WHERE id = %s",
        "DELETE FROM governance_auditentry WHERE id = %s",
    ):
        with pytest.raises(Exception, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [entry.id])
    assert AuditEntry.objects.get(id=entry.id).purpose == "care"


def _refuse_audit_inserts():
    """Make the database itself refuse new audit rows (a full disk, a lost connection...)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION test_refuse_insert() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'audit unavailable'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER test_no_insert BEFORE INSERT ON governance_auditentry "
                "FOR EACH ROW EXECUTE FUNCTION test_refuse_insert()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER test_no_insert BEFORE INSERT ON governance_auditentry "
                "BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END"
            )


def test_when_the_audit_cannot_be_written_nothing_is_shown_or_changed(nurse_and_person):
    nurse, person = nurse_and_person
    _refuse_audit_inserts()  # undone with the test's transaction
    with pytest.raises(Exception, match="audit unavailable"):
        access.open_record(viewer=nurse, person_id=person.id, purpose="care", ip=None)
    with pytest.raises(Exception, match="audit unavailable"):
        access.search_people(viewer=nurse, query="ivy holt", ip=None)
    with pytest.raises(Exception, match="audit unavailable"):
        access.record_what_matters(
            viewer=nurse, person_id=person.id, text="My garden and my cat", ip=None
        )
    assert not WhatMattersToMe.objects.exists()


def test_refusals_are_audited_too(nurse_and_person):
    nurse, _ = nurse_and_person
    with pytest.raises(access.NoAccess):
        access.open_record(viewer=nurse, person_id=987654, purpose="care", ip="10.0.0.9")
    entry = AuditEntry.objects.get(action="access_denied")
    assert (entry.person_id, entry.ip) == (987654, "10.0.0.9")


@pytest.mark.django_db(transaction=True)
def test_flushing_the_whole_database_still_works_for_transactional_tests():
    """Django's test runner empties every table between transactional tests (``flush``)."""
    team = make_team("North", ["WV10"])
    nurse = make_staff(role="clinician", teams=[team])
    access.search_people(viewer=nurse, query="nobody", ip=None)
    assert AuditEntry.objects.exists()
    if connection.vendor == "sqlite":
        with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
            cursor.execute("DELETE FROM governance_auditentry")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
