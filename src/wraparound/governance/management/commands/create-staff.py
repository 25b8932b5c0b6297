"""`wraparound create-staff`: Django names commands after their module, hence this file."""

from wraparound.governance.management.commands.create_staff import Command

__all__ = ["Command"]
