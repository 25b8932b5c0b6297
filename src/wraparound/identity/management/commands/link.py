"""``wraparound link``: link every source record into people (see identity/actions.py)."""

import json

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from wraparound.identity.actions import link_everyone

STAGES = ["read records", "prepare", "train", "predict", "cluster", "write links"]


class Command(BaseCommand):
    help = (
        "Link every source record into people with the Splink model; uncertain pairs go to review."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="End with a JSON summary line.")
        parser.add_argument("--by", default="wraparound link", help="Who started this run.")

    def handle(self, *args, **options):
        bar = tqdm(total=len(STAGES), desc="linking", unit="stage", file=self.stderr._out)

        def progress(stage: str) -> None:
            bar.set_description(stage)
            if stage in STAGES and STAGES.index(stage) > 0:
                bar.n = STAGES.index(stage)
                bar.refresh()

        try:
            summary = link_everyone(by=options["by"], progress=progress)
        except MemoryError as exc:  # pragma: no cover - depends on the machine
            raise CommandError(f"Linkage ran out of memory: {exc}") from exc
        finally:
            bar.n = len(STAGES)
            bar.close()
        self.stdout.write(
            f"records {summary.records:,} | people {summary.people:,} "
            f"({summary.new_people:,} new, {summary.retired_people:,} retired) | "
            f"auto links {summary.auto_links:,} | steward links {summary.steward_links:,} | "
            f"review pairs {summary.review_pairs:,} | links changed {summary.changed_links:,} | "
            f"{summary.seconds:.1f} s"
        )
        if options["json"]:
            payload = {k: v for k, v in summary.__dict__.items() if k != "timings"} | {
                "timings": {k: round(v, 2) for k, v in summary.timings.items()}
            }
            payload["seconds"] = round(summary.seconds, 2)
            self.stdout.write(json.dumps(payload))
