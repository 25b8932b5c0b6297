"""``wraparound verify-audit [--json]``: recompute the audit trail's hash chain.

Reads every audit row in order (streaming, with a progress bar), recomputes each hash
(``governance.audit_chain.verify``) and names the first row that was changed, removed or
inserted behind the application's back. Exit 0 when the chain holds, 1 when it is broken.
Either way the check itself is written to the audit trail (``verify_audit``), under ``--by``
(a member of staff) or the operating-system user running it.

Print-out ends with the chain's head (row id and hash): keep it somewhere the database's
administrators cannot write, and pass it back later with ``--expect-head ID:HASH`` to prove
that no rows up to it were rewritten wholesale or removed from the end.
"""

from __future__ import annotations

import getpass
import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from wraparound.governance import audit_chain
from wraparound.governance.models import AuditEntry


def _who(username: str | None) -> tuple[int | None, str]:
    if not username:
        try:
            return None, f"{getpass.getuser()} (command line)"
        except (KeyError, OSError):
            return None, "command line"
    user = get_user_model().objects.filter(username=username.strip()).first()
    if user is None or not user.is_active:
        raise CommandError(f"There is no active member of staff with the username '{username}'.")
    return user.pk, user.get_username()


def _expected_head(text: str | None) -> tuple[int, str] | None:
    if not text:
        return None
    entry_id, _, digest = text.partition(":")
    if not entry_id.isdigit() or len(digest) != 64:
        raise CommandError("Give --expect-head as ID:HASH, as verify-audit printed it.")
    return int(entry_id), digest.lower()


def _head_problem(expected: tuple[int, str] | None) -> str:
    if expected is None:
        return ""
    entry_id, digest = expected
    stored = AuditEntry.objects.filter(id=entry_id).values_list("hash", flat=True).first()
    if stored is None:
        return f"Row {entry_id}, the head you kept, is no longer in the audit trail."
    if stored != digest:
        return f"Row {entry_id} no longer has the hash you kept: the chain was rewritten."
    return ""


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; name the first row changed, removed or inserted."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="One JSON document on stdout.")
        parser.add_argument("--by", help="Username of the member of staff running the check.")
        parser.add_argument(
            "--expect-head", help="ID:HASH of a head printed by an earlier check, to compare."
        )

    def handle(self, *args, **options):
        user_id, username = _who(options.get("by"))
        expected = _expected_head(options.get("expect_head"))
        total = AuditEntry.objects.count()
        bar = tqdm(
            total=total,
            desc="checking audit",
            unit="row",
            file=self.stderr._out,
            disable=options["json"] and not self.stderr._out.isatty(),
        )
        try:
            result = audit_chain.verify(progress=bar.update)
        finally:
            bar.close()
        brk = result.first_break
        head_problem = _head_problem(expected) if brk is None else ""
        at = brk.at if brk else None
        if brk is not None and at is None:
            at = AuditEntry.objects.filter(id=brk.entry_id).values_list("at", flat=True).first()
        report = {
            "ok": brk is None and not head_problem,
            "rows_checked": result.rows,
            "rows_per_second": round(result.rows / result.seconds) if result.seconds else None,
            "seconds": round(result.seconds, 3),
            "head": {"id": result.head_id, "hash": result.head_hash},
            "first_break": None
            if brk is None
            else {
                "id": brk.entry_id,
                "at": at.isoformat() if at else None,
                "kind": brk.kind,
                "words": brk.words,
            },
            "head_problem": head_problem or None,
        }
        with transaction.atomic():
            AuditEntry.objects.create(
                at=timezone.now(),
                user_id=user_id,
                username=username[:150],
                action=AuditEntry.Action.VERIFY_AUDIT,
                purpose="audit chain check",
                detail={k: report[k] for k in ("ok", "rows_checked", "head", "first_break")},
            )
        if options["json"]:
            self.stdout.write(json.dumps(report))
        elif report["ok"]:
            self.stdout.write(
                f"The audit trail is intact: {result.rows:,} rows checked "
                f"({report['rows_per_second'] or 0:,} rows/s).\n"
                f"Head: {result.head_id}:{result.head_hash}"
            )
        if brk is not None:
            when = timezone.localtime(at).strftime("%-d %B %Y, %H:%M") if at else "unknown date"
            raise CommandError(
                f"The audit trail is broken at row {brk.entry_id} ({when}): {brk.words}"
            )
        if head_problem:
            raise CommandError(head_problem)
