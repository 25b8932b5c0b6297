"""``wraparound review list|decide``: the data steward's review queue on the command line."""

import json

from django.core.management.base import BaseCommand, CommandError

from wraparound.identity.actions import decide_pair
from wraparound.identity.models import ReviewPair
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
        decide = sub.add_parser("decide", help="Decide one pair.")
        decide.add_argument("pair_id", type=int)
        choice = decide.add_mutually_exclusive_group(required=True)
        choice.add_argument("--same", dest="decision", action="store_const", const="same")
        choice.add_argument("--different", dest="decision", action="store_const", const="different")
        choice.add_argument("--not-sure", dest="decision", action="store_const", const="not_sure")
        decide.add_argument("--by", required=True, help="The steward's name.")
        decide.add_argument("--reason", default="")

    def handle(self, *args, **options):
        if options["action"] == "list":
            pairs = review_queue()
            shown = [_pair_dict(p) for p in pairs[: options["limit"]]]
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
        try:
            pair = ReviewPair.objects.get(pk=options["pair_id"])
        except ReviewPair.DoesNotExist:
            raise CommandError(f"No review pair {options['pair_id']}.") from None
        if not options["by"].strip():
            raise CommandError("--by must name the steward.")
        pair = decide_pair(
            pair=pair, decision=options["decision"], by=options["by"], reason=options["reason"]
        )
        self.stdout.write(f"Pair {pair.pk}: {pair.get_status_display()} (by {pair.decided_by})")
