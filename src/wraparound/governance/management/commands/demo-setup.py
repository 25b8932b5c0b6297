"""`wraparound demo-setup`: Django names commands after their module, hence this file."""

from wraparound.governance.management.commands.demo_setup import Command

__all__ = ["Command"]
