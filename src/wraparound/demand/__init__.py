"""What demand teaches the team: weekly measures of the front door, and the changes the team made.

No person data lives here: only counts per week and the team's own record of what it changed
(``ProcessChange``), so that the charts' limits are recalculated only where the team says the
process changed, never where a chart merely looks different.
"""
