"""``wraparound verify-audit``: the hyphenated name of ``verify_audit`` (same command)."""

from wraparound.governance.management.commands.verify_audit import Command  # noqa: F401
