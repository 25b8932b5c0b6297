"""``wraparound evaluate-linkage``: the hyphenated name of ``evaluate_linkage``."""

from wraparound.identity.management.commands.evaluate_linkage import Command  # noqa: F401
