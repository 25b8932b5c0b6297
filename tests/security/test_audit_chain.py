"""Issue 9, finding 7: nothing made tampering with the audit trail evident.

The red team dropped the triggers, rewrote rows with raw SQL and put the triggers back: no
trace. Now every row is hash-chained to the one before and ``wraparound verify-audit`` names
the first row changed, removed or inserted. The expected hashes here are recomputed by hand
(SHA-256 over the previous hash and the row's values), not taken from the code under test.
"""

import datetime as dt
import hashlib
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from wraparound.governance import audit_guard
from wraparound.governance.models import AuditEntry, AuditPersonIndex

pytestmark = pytest.mark.django_db


def _write(n: int, **extra) -> list[AuditEntry]:
    return [
        AuditEntry.objects.create(
            at=timezone.now(),
            username="nurse",
            role="clinician",
            action="view_person",
            person_id=100 + i,
            purpose="home visit",
            detail={"shown_partners": ["gp"]},
            **extra,
        )
        for i in range(n)
    ]


def _behind_the_apps_back(*statements: tuple[str, list]) -> None:
    """What the red team did: drop the triggers, run raw SQL, put the triggers back."""
    # The triggers only (on PostgreSQL the function they call is shared with the index's).
    drop = {"sqlite": audit_guard.SQLITE_DROP, "postgresql": audit_guard.POSTGRES_DROP[:1]}
    create = {"sqlite": audit_guard.SQLITE_CREATE, "postgresql": audit_guard.POSTGRES_CREATE[1:]}
    with connection.cursor() as cursor:
        for sql in drop[connection.vendor]:
            cursor.execute(sql)
        for sql, params in statements:
            cursor.execute(sql, params)
        for sql in create[connection.vendor]:
            cursor.execute(sql)


def _verify(*args) -> dict:
    out = StringIO()
    try:
        call_command("verify-audit", "--json", *args, stdout=out, stderr=StringIO())
        failed = None
    except CommandError as exc:
        failed = str(exc)
    report = json.loads(out.getvalue())
    report["error"] = failed
    return report


def test_each_row_hash_covers_the_previous_row_and_its_own_values():
    first, second = _write(2)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.prev_hash == "0" * 64
    assert second.prev_hash == first.hash
    values = {
        "at": second.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "user_id": None,
        "username": "nurse",
        "staff_name": "",
        "role": "clinician",
        "organisation": "",
        "ip": "",
        "action": "view_person",
        "person_id": 101,
        "purpose": "home visit",
        "query": "",
        "detail": {"shown_partners": ["gp"]},
    }
    body = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    expected = hashlib.sha256(first.hash.encode() + b"\n" + body.encode()).hexdigest()
    assert second.hash == expected


def test_an_intact_chain_passes_and_the_check_is_itself_audited():
    _write(5)
    AuditEntry.objects.bulk_create(
        [AuditEntry(at=timezone.now(), username="x", action="search") for _ in range(3)]
    )
    report = _verify()
    assert report["error"] is None
    assert report["ok"] is True
    assert report["rows_checked"] == 8
    check = AuditEntry.objects.latest("id")
    assert check.action == "verify_audit"
    assert check.detail["ok"] is True
    assert _verify()["ok"] is True  # the verify row chains too


def test_a_row_rewritten_with_raw_sql_and_triggers_dropped_is_named():
    rows = _write(5)
    target = rows[2]
    _behind_the_apps_back(
        ("UPDATE governance_auditentry SET purpose = %s WHERE id = %s", ["audit", target.id])
    )
    assert AuditEntry.objects.get(id=target.id).purpose == "audit"  # the rewrite happened
    report = _verify()
    assert report["ok"] is False
    assert report["first_break"]["id"] == target.id
    assert report["first_break"]["kind"] == "changed"
    assert f"row {target.id}" in report["error"]


def test_a_deleted_row_is_named_as_a_gap_before_the_next_row():
    rows = _write(5)
    _behind_the_apps_back(("DELETE FROM governance_auditentry WHERE id = %s", [rows[1].id]))
    report = _verify()
    assert report["ok"] is False
    assert report["first_break"]["kind"] == "removed"
    assert report["first_break"]["id"] == rows[2].id
    assert f"after row {rows[0].id}" in report["first_break"]["words"]


def test_the_oldest_rows_deleted_are_a_gap_at_the_start():
    rows = _write(3)
    _behind_the_apps_back(("DELETE FROM governance_auditentry WHERE id = %s", [rows[0].id]))
    report = _verify()
    assert (report["first_break"]["kind"], report["first_break"]["id"]) == ("removed", rows[1].id)


def test_a_row_inserted_by_hand_is_named():
    rows = _write(3)
    _behind_the_apps_back(
        (
            "INSERT INTO governance_auditentry (at, username, role, organisation, ip, action, "
            "purpose, query, detail, staff_name, prev_hash, hash) VALUES "
            "(%s, 'nurse', '', '', '', 'view_person', 'cover story', '', '{}', '', '', '')",
            [timezone.now()],
        )
    )
    _write(1)
    report = _verify()
    assert report["first_break"]["kind"] == "inserted"
    assert report["first_break"]["id"] > rows[-1].id


def test_a_row_slipped_between_two_rows_with_a_good_hash_is_named():
    """Even with the algorithm known, a row put in a gap between ids breaks the row after it."""
    a = AuditEntry.objects.create(id=9010, at=timezone.now(), username="a", action="search")
    b = AuditEntry.objects.create(id=9011, at=timezone.now(), username="b", action="search")
    c = AuditEntry.objects.create(id=9013, at=timezone.now(), username="c", action="search")
    fake_at = timezone.now()
    values = {
        "at": fake_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "user_id": None,
        "username": "z",
        "staff_name": "",
        "role": "",
        "organisation": "",
        "ip": "",
        "action": "search",
        "person_id": None,
        "purpose": "",
        "query": "",
        "detail": {},
    }
    body = json.dumps(values, sort_keys=True, separators=(",", ":")).encode()
    forged = hashlib.sha256(b.hash.encode() + b"\n" + body).hexdigest()
    _behind_the_apps_back(
        (
            "INSERT INTO governance_auditentry (id, at, username, role, organisation, ip, "
            "action, purpose, query, detail, staff_name, prev_hash, hash) VALUES "
            "(9012, %s, 'z', '', '', '', 'search', '', '', '{}', '', %s, %s)",
            [fake_at, b.hash, forged],
        )
    )
    report = _verify()
    assert (report["first_break"]["kind"], report["first_break"]["id"]) == ("inserted", 9012)
    assert a.id < 9012 < c.id


def test_a_rewritten_chain_is_caught_by_the_head_kept_elsewhere():
    _write(3)
    kept = _verify()["head"]
    assert _verify("--expect-head", f"{kept['id']}:{kept['hash']}")["ok"] is True
    _behind_the_apps_back(("DELETE FROM governance_auditentry WHERE id >= %s", [kept["id"]]))
    report = _verify("--expect-head", f"{kept['id']}:{kept['hash']}")
    assert report["ok"] is False
    assert "no longer in the audit trail" in report["error"]


def test_every_person_a_row_showed_is_indexed_with_it():
    entry = AuditEntry.objects.create(
        at=timezone.now(),
        username="nurse",
        action="search",
        person_id=None,
        detail={"results": [7, 8], "total": 2},
    )
    export = AuditEntry.objects.create(
        at=timezone.now(),
        username="nurse",
        action="export",
        person_id=9,
        detail={"person_ids": [9, 10]},
    )
    pairs = set(AuditPersonIndex.objects.values_list("entry_id", "person_id"))
    assert pairs == {(entry.id, 7), (entry.id, 8), (export.id, 9), (export.id, 10)}


def test_the_per_person_index_refuses_raw_update_and_delete():
    _write(1)
    for sql in (
        "DELETE FROM governance_auditpersonindex",
        "UPDATE governance_auditpersonindex SET person_id = 1",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditPersonIndex.objects.count() == 1
