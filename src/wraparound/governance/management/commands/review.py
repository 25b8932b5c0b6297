"""``wraparound review list|decide``: the data steward's review queue on the command line.

``decide`` takes the same way as the web (``governance.linkage.decide_pair``): ``--by`` must be
an active data steward's username; the decision, what follows the person and the audit row
are written together, or nothing is. ``list`` prints names, dates of birth, NHS Numbers and
addresses from every partner (the mental health trust's included), so it too needs ``--by``
and is audited under that steward, with the people whose records it printed.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from wraparound.governance import linkage
from wraparound.governance.access.audit import _audit
from wraparound.governance.identity_changes import NotASteward, steward
from wraparound.governance.models import AuditEntry
from wraparound.identity.models import Link, ReviewPair
from wraparound.identity.queries import review_queue


def _pair_dict(pair: ReviewPair) -> dict:
    return {
        "id": pair.pk,
        "status": pair.status,
        "match_probability": pair.match_probability,
        "reason": pair.reason,
        "record_a": f"{pair.record_a.source.name}:{pair.record_a.source_record_id}",
        "record_b": f"{pair.record_b.source.name}:{pair.record_b.source_record_id}",
        "evidence": pair.evidence,
    }


def _side(pair_dict: dict, side: str) -> str:
    rec = pair_dict["evidence"].get("records", {}).get(side, {})
    return (
        f"{rec.get('given_name', '')} {rec.get('family_name', '')}, "
        f"born {rec.get('date_of_birth', '') or '?'}, {rec.get('postcode', '') or 'no postcode'}, "
        f"NHS {rec.get('nhs_number', '') or '-'}"
    )


class Command(BaseCommand):
    help = "List pairs waiting for a data steward, or record a steward's decision on one."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="Show the review queue.")
        listing.add_argument("--json", action="store_true", help="One JSON document.")
        listing.add_argument("--limit", type=int, default=50)
        listing.add_argument("--by", required=True, help="The data steward's username.")
        decide = sub.add_parser("decide", help="Decide one pair.")
        decide.add_argument("pair_id", type=int)
        choice = decide.add_mutually_exclusive_group(required=True)
        choice.add_argument("--same", dest="decision", action="store_const", const="same")
        choice.add_argument("--different", dest="decision", action="store_const", const="different")
        choice.add_argument("--not-sure", dest="decision", action="store_const", const="not_sure")
        decide.add_argument("--by", required=True, help="The data steward's username.")
        decide.add_argument("--reason", default="")

    def handle(self, *args, **options):
        try:
            v = steward(options["by"])
        except NotASteward as exc:
            raise CommandError(str(exc)) from None
        if options["action"] == "list":
            pairs = review_queue()
            listed = pairs[: max(0, options["limit"])]
            shown = [_pair_dict(p) for p in listed]
            records = [r for p in listed for r in (p.record_a_id, p.record_b_id)]
            people = sorted(
                set(
                    Link.objects.filter(source_record_id__in=records).values_list(
                        "person_id", flat=True
                    )
                )
            )
            with transaction.atomic():
                _audit(
                    v,
                    AuditEntry.Action.LINKAGE_REVIEW,
                    None,
                    purpose="review list (command line)",
                    detail={"pairs": [p.pk for p in listed], "person_ids": people},
                )
            if options["json"]:
                self.stdout.write(json.dumps({"total": len(pairs), "pairs": shown}))
                return
            self.stdout.write(f"{len(pairs):,} pairs waiting for review")
            for item in shown:
                self.stdout.write(
                    f"#{item['id']}  p={item['match_probability']:.3f}  [{item['status']}]  "
                    f"{item['reason']}\n"
                    f"    A {item['record_a']}: {_side(item, 'a')}\n"
                    f"    B {item['record_b']}: {_side(item, 'b')}"
                )
            return
        if not ReviewPair.objects.filter(pk=options["pair_id"]).exists():
            raise CommandError(f"No review pair {options['pair_id']}.")
        decided = linkage.decide_pair(
            pair_id=options["pair_id"],
            decision=options["decision"],
            reason=options["reason"],
            by=options["by"],
            audit_decision=True,
        )
        pair = ReviewPair.objects.get(pk=decided.pair_id)
        self.stdout.write(f"Pair {pair.pk}: {pair.get_status_display()} (by {pair.decided_by})")
