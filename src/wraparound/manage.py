"""The `wraparound` console command: Django's management entry point under our own name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["wraparound", *sys.argv[1:]])


if __name__ == "__main__":
    main()
