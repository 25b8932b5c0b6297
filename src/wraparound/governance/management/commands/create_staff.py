"""`wraparound create-staff USERNAME --role ROLE --organisation NAME [--team NAME ...]`.

Creates (or updates) a login with its staff profile. The organisation is created if
``--partner`` is given; a team is created if ``--areas`` is given. Without ``--password`` a
random password is made and printed once; ``--password -`` reads it from standard input.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from wraparound.governance import actions
from wraparound.governance.models import Organisation, Team
from wraparound.governance.roles import Role


class Command(BaseCommand):
    help = "Create or update a staff login (organisation, teams, role)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--organisation", required=True, help="organisation name")
        parser.add_argument("--partner", help="partner kind, to create the organisation")
        parser.add_argument("--team", action="append", default=[], help="team name (repeatable)")
        parser.add_argument("--areas", help="postcode districts/sectors, to create the team(s)")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--job-title", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="'-' reads it from standard input")

    def handle(self, *args, **o):
        try:
            if o["partner"]:
                org = actions.create_organisation(name=o["organisation"], partner=o["partner"])
            else:
                org = Organisation.objects.filter(name=o["organisation"]).first()
                if org is None:
                    raise CommandError(
                        f"No organisation called '{o['organisation']}': add --partner to create it."
                    )
            teams = []
            for name in o["team"]:
                if o["areas"]:
                    teams.append(actions.create_team(name=name, areas=o["areas"].split(",")))
                else:
                    team = Team.objects.filter(name=name).first()
                    if team is None:
                        raise CommandError(f"No team called '{name}': add --areas to create it.")
                    teams.append(team)
            password = o["password"]
            if password == "-":
                password = sys.stdin.readline().rstrip("\n")
            staff, used = actions.create_staff(
                username=o["username"],
                role=o["role"],
                organisation=org,
                teams=teams,
                password=password,
                first_name=o["first_name"],
                last_name=o["last_name"],
                job_title=o["job_title"],
                phone=o["phone"],
                email=o["email"],
            )
        except actions.StaffError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Staff login '{staff.user.username}' ready ({staff.get_role_display()})."
            )
        )
        if not password:
            self.stdout.write(f"Password (shown once): {used}")
