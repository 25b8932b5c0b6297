"""``wraparound link --by STEWARD``: link every source record into people, apply what changed.

Linking is identity's (``identity/actions.py``); what follows a person when people are joined
or split, the audit row and the search index are governance's
(``governance/identity_changes.py``), which is why the command lives here. ``--by`` names the
active data steward the run is recorded under; anyone else is refused before anything is
written. ``wraparound reindex-search`` is needed only as a repair tool.
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from wraparound.governance.identity_changes import NotASteward, apply_identity_changes, steward
from wraparound.identity.actions import LinkSummary, link_everyone

STAGES = ["read records", "prepare", "train", "predict", "cluster", "write links", "apply changes"]


def relink(*, by: str, progress) -> LinkSummary:
    """Link everyone, then apply what changed for people under the steward ``by``.

    The one place governance meets the Splink run (``.importlinter`` allows this import only):
    identity computes the links and the ``PersonChange`` rows; governance applies them.
    """
    summary = link_everyone(by=by, progress=progress)
    progress("apply changes")
    started = time.perf_counter()
    apply_identity_changes(
        by=by,
        reason="wraparound link",
        what={
            "run": "wraparound link",
            "records": summary.records,
            "people": summary.people,
            "new_people": summary.new_people,
            "retired_people": summary.retired_people,
            "changed_links": summary.changed_links,
        },
        person_ids=summary.changed_people,
    )
    # Moving what follows people, the audit and the search index of everyone who changed.
    summary.timings["apply_and_search"] = time.perf_counter() - started
    summary.seconds += summary.timings["apply_and_search"]
    return summary


class Command(BaseCommand):
    help = (
        "Link every source record into people with the Splink model; uncertain pairs go to review."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="End with a JSON summary line.")
        parser.add_argument(
            "--by", required=True, help="Username of the data steward running this link."
        )

    def handle(self, *args, **options):
        try:
            steward(options["by"])
        except NotASteward as exc:
            raise CommandError(str(exc)) from None
        bar = tqdm(total=len(STAGES), desc="linking", unit="stage", file=self.stderr._out)

        def progress(stage: str) -> None:
            bar.set_description(stage)
            if stage in STAGES and STAGES.index(stage) > 0:
                bar.n = STAGES.index(stage)
                bar.refresh()

        try:
            summary = relink(by=options["by"], progress=progress)
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
            skip = ("timings", "changed_people")
            payload = {k: v for k, v in summary.__dict__.items() if k not in skip} | {
                "timings": {k: round(v, 2) for k, v in summary.timings.items()}
            }
            payload["seconds"] = round(summary.seconds, 2)
            self.stdout.write(json.dumps(payload))
