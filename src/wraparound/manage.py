"""The `wraparound` console command: Django's management entry point under our own name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads the settings, which check themselves
        execute_from_command_line(["wraparound", *sys.argv[1:]])
    except ImproperlyConfigured as problem:
        # A setting the operator must fix (no secret key, say): one plain line, no traceback.
        sys.stderr.write(f"wraparound: {problem}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
