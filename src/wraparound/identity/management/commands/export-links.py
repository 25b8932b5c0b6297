"""``wraparound export-links``: the hyphenated name of ``export_links`` (same command)."""

from wraparound.identity.management.commands.export_links import Command  # noqa: F401
