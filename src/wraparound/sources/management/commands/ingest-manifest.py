"""`wraparound ingest-manifest`: Django names commands after their module, hence this file."""

from wraparound.sources.management.commands.ingest_manifest import Command

__all__ = ["Command"]
