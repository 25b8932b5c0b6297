"""`wraparound check-agreement`: Django names commands after their module, hence this file."""

from wraparound.governance.management.commands.check_agreement import Command

__all__ = ["Command"]
