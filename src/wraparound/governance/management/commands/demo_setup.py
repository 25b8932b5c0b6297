"""`wraparound demo-setup`: organisations, two neighbourhood teams and one login per role.

For the synthetic demonstration only: the passwords are fixed and printed, so the command
refuses to run unless ``WRAPAROUND_DEBUG=1`` (as ``make demo`` sets) or ``--force``. Safe to
run again: nothing is duplicated and the passwords are reset to the printed ones.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from wraparound.governance import actions
from wraparound.governance.agreement import AgreementError


class Command(BaseCommand):
    help = "Create demonstration organisations, teams, logins (one per role) and caseloads."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run even when DEBUG is off")

    def handle(self, *args, force=False, **options):
        if not (settings.DEBUG or force):
            raise CommandError(
                "demo-setup makes logins with published passwords: run it only for a demo "
                "(WRAPAROUND_DEBUG=1) or pass --force."
            )
        try:
            logins, teams = actions.demo_setup()
        except (AgreementError, actions.StaffError) as exc:
            raise CommandError(str(exc)) from None
        for team in teams:
            self.stdout.write(f"{team.name}: postcodes {', '.join(team.neighbourhood)}")
        headers = ("username", "password", "role", "organisation", "team", "what to try")
        rows = [(x.username, x.password, x.role, x.organisation, x.teams, x.note) for x in logins]
        widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers) - 1)]

        def line(row) -> str:
            cells = (str(v).ljust(w) for v, w in zip(row[:-1], widths, strict=True))
            return "  ".join(cells) + "  " + row[-1]

        self.stdout.write("")
        self.stdout.write(line(headers))
        self.stdout.write(line(tuple("-" * w for w in widths) + ("-" * 11,)))
        for row in rows:
            self.stdout.write(line(row))
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"{len(logins)} demo logins ready (synthetic data only).")
        )
