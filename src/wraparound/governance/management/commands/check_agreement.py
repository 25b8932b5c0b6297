"""`wraparound check-agreement [PATH]`: is this sharing agreement file one Wraparound can enforce?

Run it before putting a changed agreement in place. With no PATH it checks the agreement in
force (``WRAPAROUND_AGREEMENT``). Prints what each role may see; exits non-zero with the key
and line of the first problem.
"""

from django.core.management.base import BaseCommand, CommandError

from wraparound.governance import agreement as agreement_module
from wraparound.governance.access.lens import partner_label
from wraparound.governance.agreement import AgreementError


class Command(BaseCommand):
    help = "Check an information sharing agreement file and show what each role may see."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="agreement YAML (default: the one in force)")

    def handle(self, *args, path=None, **options):
        try:
            agreement = agreement_module.load(path) if path else agreement_module.current()
        except AgreementError as exc:
            raise CommandError(str(exc)) from None
        out = self.stdout
        out.write(f"{agreement.title}")
        out.write(
            f"version {agreement.version}, effective from {agreement.effective_from:%d %B %Y}"
        )
        out.write(f"data steward: {agreement.steward_name} ({agreement.steward_contact})")
        out.write(
            f"break-glass: {agreement.break_glass_hours:g} hours, reason of at least "
            f"{agreement.break_glass_min_reason} characters"
        )
        limits = agreement.search
        out.write(
            f"search pauses for {limits.pause_minutes} minutes after more than {limits.people} "
            f"people listed in {limits.people_minutes} minutes, or more than {limits.strangers} "
            f"people not worked with in {limits.strangers_minutes} minutes"
        )
        for role, rules in agreement.roles.items():
            detail = (
                ", ".join(partner_label(p) for p in sorted(rules.detail_from)) or "summary only"
            )
            sensitive = ", ".join(sorted(rules.sensitive)) or "none"
            extra = []
            if rules.provenance == "full":
                extra.append("full provenance")
            if rules.all_people:
                extra.append("any person's record")
            tail = f" [{'; '.join(extra)}]" if extra else ""
            works_with = ", ".join(sorted(rules.relationships)) or "nobody by relationship"
            out.write(
                f"  {role}: detail from {detail}; sensitive categories: {sensitive}; "
                f"works with: {works_with}{tail}"
            )
        self.stdout.write(self.style.SUCCESS(f"OK: {agreement.path}"))
