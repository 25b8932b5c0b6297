"""``wraparound export-links``: the hyphenated name of ``export_links`` (same command)."""

from wraparound.governance.management.commands.export_links import Command  # noqa: F401
