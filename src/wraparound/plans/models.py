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
