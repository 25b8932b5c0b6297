"""Nicknames for linkage: the one table is ``wraparound.core.nicknames`` (search uses it too).

Kept as an import so linkage code reads ``identity.nicknames`` in its own words.
"""

from wraparound.core.nicknames import NICKNAME_TO_CANONICAL, given_name_forms

__all__ = ["NICKNAME_TO_CANONICAL", "given_name_forms"]
