"""The changes a team records to how it works, so its charts split their limits there."""

from __future__ import annotations

from django.db import models


class ProcessChange(models.Model):
    """A change the team made to its process (a new triage huddle, one number for everyone).

    Limits on the team's charts are recalculated only from these dates: Making Data Count's
    rule that a shift is judged against the process as it was, not against a line redrawn to
    flatter the latest weeks.
    """

    team = models.ForeignKey(
        "governance.Team", on_delete=models.CASCADE, related_name="process_changes"
    )
    changed_on = models.DateField()
    description = models.CharField(max_length=500)
    recorded_by_name = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["team", "changed_on", "id"]
        indexes = [models.Index(fields=["team", "changed_on"])]

    def __str__(self) -> str:
        return f"{self.team_id} {self.changed_on}: {self.description[:40]}"
