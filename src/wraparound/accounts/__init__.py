"""Staff accounts, run by the administrator: who may log in, with which role and teams.

The administrator manages people who work here, never people who are cared for: nothing in
this app reads person data (import-linter contract ``accounts-see-no-person-data``).
"""
