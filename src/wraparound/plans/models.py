"""What the team records with and about the person: what matters to them, who matters to them.

Written by the team, in the person's own words, and shown first on every view of the person
(principle 1). Each person is referred to by ``person_id`` (a plain integer, like the audit), so
the team's words outlive any later merge or split of linked records.

``WhatMattersToMe`` keeps its history as one row per version: recording a new version never
changes an old row, and the current version is the newest.
"""

from django.db import models


class WhatMattersToMe(models.Model):
    person_id = models.BigIntegerField()
    text = models.TextField()
    recorded_by = models.CharField(max_length=200, help_text="Name and role, as shown to others")
    recorded_by_user_id = models.BigIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = "what matters to me"
        verbose_name_plural = "what matters to me"
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["person_id", "-recorded_at"], name="what_matters_person")]


class PersonWhoMatters(models.Model):
    """Someone who matters to the person (a daughter, a neighbour with a key, a carer)."""

    person_id = models.BigIntegerField(db_index=True)
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=200, blank=True)
    contact = models.CharField(max_length=300, blank=True)
    recorded_by = models.CharField(max_length=200)
    recorded_by_user_id = models.BigIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "people who matter"
        ordering = ["recorded_at", "id"]


# --- The personalised care and support plan (PRSB About Me + PCSP; issue 10) -------------------
#
# Each part of the plan has one *current* row (what the page shows, and what the caseload's
# queries read without scanning history) and every version of it, the first included, in
# ``PlanVersion`` (append-only: a change adds a row, never edits one). ``partner`` is the kind of
# organisation the writer worked for: the lens uses it as it uses a feed's partner (a person who
# objects to sharing sees only what their own kind of organisation wrote).


class PlanSection(models.TextChoices):
    """The plan's free-text sections, in the PRSB standards' order and words."""

    COMMUNICATION = "communication", "How I communicate and how to communicate with me"
    WELLNESS = "wellness", "My wellness"
    PLEASE_DO = "please_do", "Please do"
    PLEASE_DONT = "please_dont", "Please don't"
    SUPPORT = "support", "How and when to support me"
    ALSO_KNOW = "also_know", "Also worth knowing about me"
    STRENGTHS = "strengths", "My strengths"
    NEEDS = "needs", "My needs and concerns"
    RISKS = "risks", "What might go wrong"
    IF_IT_DOES = "if_it_does", "What to do if it does"
    WHOM_TO_CALL = "whom_to_call", "Whom to call"
    MEDICINES = "medicines", "Anticipatory medicines or equipment"


ABOUT_ME = (
    PlanSection.COMMUNICATION,
    PlanSection.WELLNESS,
    PlanSection.PLEASE_DO,
    PlanSection.PLEASE_DONT,
    PlanSection.SUPPORT,
    PlanSection.ALSO_KNOW,
)
CONTINGENCY = (
    PlanSection.RISKS,
    PlanSection.IF_IT_DOES,
    PlanSection.WHOM_TO_CALL,
    PlanSection.MEDICINES,
)


class GoalStatus(models.TextChoices):
    NOT_YET = "not_yet", "Not yet"
    PARTLY = "partly", "Partly"
    ACHIEVED = "achieved", "Achieved"


class ActionStatus(models.TextChoices):
    TO_DO = "to_do", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NOT_NEEDED = "not_needed", "No longer needed"


OPEN_ACTION = (ActionStatus.TO_DO, ActionStatus.IN_PROGRESS)


class ActionOwner(models.TextChoices):
    STAFF = "staff", "A practitioner"
    PERSON = "person", "The person"
    PERSON_WHO_MATTERS = "person_who_matters", "Someone who matters to them"


class _Written(models.Model):
    """Who wrote the current words, for the page ("Written by Nia Okafor (Clinician, …)")."""

    person_id = models.BigIntegerField()
    recorded_by = models.CharField(max_length=200)
    recorded_by_user_id = models.BigIntegerField(null=True, blank=True)
    partner = models.CharField(max_length=32, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        abstract = True


class PlanSectionText(_Written):
    """The current words of one section of one person's plan."""

    section = models.CharField(max_length=32, choices=PlanSection.choices)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person_id", "section"], name="plan_section_once")
        ]


class Goal(_Written):
    """A goal or hope, in the person's words, and how far it is met."""

    text = models.TextField()
    status = models.CharField(max_length=16, choices=GoalStatus.choices)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["person_id"], name="plan_goal_person")]


class PlanAction(_Written):
    """Something someone will do: a named practitioner, the person, or someone who matters."""

    goal_id = models.BigIntegerField(null=True, blank=True)
    what = models.TextField()
    owner_kind = models.CharField(max_length=24, choices=ActionOwner.choices)
    owner_staff_id = models.BigIntegerField(null=True, blank=True)
    owner_person_who_matters_id = models.BigIntegerField(null=True, blank=True)
    owner_name = models.CharField(max_length=300, help_text="As shown, kept as it was written")
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=ActionStatus.choices)
    created_at = models.DateTimeField()
    # Agreed at an MDT meeting (``meetings.CaseItem``): shown in the minutes, opened at the next.
    meeting_item_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # When it was first marked done ("completed on time" is done_at on or before due_on).
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "created_at", "id"]
        indexes = [
            models.Index(fields=["person_id", "status", "due_on"], name="plan_action_person"),
            models.Index(fields=["owner_staff_id", "status", "due_on"], name="plan_action_owner"),
        ]


class PlanDetails(_Written):
    """Who helped write it, who agreed it, when it is reviewed and by whom: one per person."""

    supported_by = models.CharField(max_length=300, blank=True)
    supported_on = models.DateField(null=True, blank=True)
    agreed_with = models.CharField(max_length=300, blank=True)
    agreed_on = models.DateField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True)
    reviewer_staff_id = models.BigIntegerField(null=True, blank=True)
    reviewer_name = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name_plural = "plan details"
        constraints = [models.UniqueConstraint(fields=["person_id"], name="plan_details_once")]
        indexes = [models.Index(fields=["review_on"], name="plan_review_on")]


class PlanVersion(models.Model):
    """Every version of every part of a plan, the first included; never changed or deleted.

    ``part`` names what changed: ``section:<key>``, ``goal:<id>``, ``action:<id>``,
    ``details`` or ``person_who_matters:<id>``; ``data`` holds the whole part as it then was.
    """

    person_id = models.BigIntegerField()
    part = models.CharField(max_length=64)
    data = models.JSONField()
    recorded_by = models.CharField(max_length=200)
    recorded_by_user_id = models.BigIntegerField(null=True, blank=True)
    partner = models.CharField(max_length=32, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["person_id", "part"], name="plan_version_part")]
