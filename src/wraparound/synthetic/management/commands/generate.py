"""``wraparound generate --people N --seed S --out DIR``: a synthetic neighbourhood's feeds."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wraparound.synthetic.actions import GenerateRefused, generate_neighbourhood


class Command(BaseCommand):
    help = (
        "Write the partner feeds of a synthetic neighbourhood (demographic CSVs, FHIR NDJSON, "
        "activity CSVs), truth.csv and manifest.json into an empty directory."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, required=True, help="how many true people")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same files")
        parser.add_argument("--out", type=Path, required=True, help="directory to write into")
        parser.add_argument(
            "--force", action="store_true", help="write even if the directory is not empty"
        )

    def handle(self, *args, people: int, seed: int, out: Path, force: bool, **options) -> None:
        try:
            summary = generate_neighbourhood(
                people=people,
                seed=seed,
                out=out,
                force=force,
                progress=options.get("verbosity", 1) > 0,
            )
        except GenerateRefused as refused:
            raise CommandError(str(refused)) from None
        except OSError as error:
            raise CommandError(f"could not write to {out}: {error.strerror or error}") from None
        if options.get("verbosity", 1) == 0:
            return
        records = sum(summary.demographic_records.values())
        self.stdout.write(
            f"Wrote {summary.people} people in {summary.households} households to {out}: "
            f"{records} demographic records ({summary.records_per_person:.2f} per person), "
            f"{sum(summary.activity_records.values())} activity records."
        )
