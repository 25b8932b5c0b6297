"""`wraparound reindex-search`: Django names commands after their module, hence this file."""

from wraparound.governance.management.commands.reindex_search import Command

__all__ = ["Command"]
