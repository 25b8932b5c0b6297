"""Community MDT meetings: who to discuss, ten minutes each, actions with leads, followed up.

Read and written only through ``governance.access.meetings`` (the gate decides who may see what
of each person on the case list, and audits every look as a meeting view).
"""
