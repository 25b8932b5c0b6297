"""A team's multidisciplinary (MDT) meetings: the meeting, who was invited, the case list.

A meeting belongs to one team and may repeat (``every``): the next one is scheduled from it.
Invitations name staff with accounts (they see, in meeting mode, what their own role allows)
and guests by name and organisation (recorded for the minutes; a guest without an account sees
only what is said in the room). Each ``CaseItem`` is one person on the case list: nominated by
a member of the team with a reason, or a suggestion the chair accepted; in the meeting it
collects the discussion, the decisions and the time taken. Actions agreed are plan actions
(``plans.PlanAction.meeting_item_id``), so they sit in the person's plan and on the lead's
caseload like any other.

People and staff are plain ids and names, as in the audit and the notes: a meeting outlives a
change of job and follows the person through merges (``actions.move_person``).
"""

from django.db import models


class Meeting(models.Model):
    class Every(models.TextChoices):
        ONCE = "once", "Does not repeat"
        WEEKLY = "weekly", "Every week"
        FORTNIGHTLY = "fortnightly", "Every 2 weeks"
        MONTHLY = "monthly", "Every month (same week and day)"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        UNDER_WAY = "under_way", "Under way"
        FINISHED = "finished", "Finished"
        CANCELLED = "cancelled", "Cancelled"

    team = models.ForeignKey("governance.Team", on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    minutes_per_person = models.PositiveSmallIntegerField(default=10)
    virtual = models.BooleanField(default=False)
    where = models.CharField(max_length=300, blank=True, help_text="The room, or how to join")
    every = models.CharField(max_length=12, choices=Every.choices, default=Every.ONCE)
    follows = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="followed_by"
    )
    chair_staff_id = models.BigIntegerField()
    chair_name = models.CharField(max_length=300)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by_name = models.CharField(max_length=300)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["team", "starts_at"], name="meeting_team_when")]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"


class Invitation(models.Model):
    """Someone invited: a member of staff (``staff_id``) or a guest by name and organisation."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    staff_id = models.BigIntegerField(null=True, blank=True)
    name = models.CharField(max_length=300)
    organisation = models.CharField(max_length=300, blank=True)
    role_label = models.CharField(max_length=200, blank=True)
    guest = models.BooleanField(default=False)
    attended = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["guest", "name", "id"]
        indexes = [models.Index(fields=["staff_id", "meeting"], name="invitation_staff")]


class CaseItem(models.Model):
    """One person on a meeting's case list, and what the meeting did about them."""

    class Source(models.TextChoices):
        NOMINATED = "nominated", "Nominated"
        SUGGESTED = "suggested", "Suggested"
        CARRIED = "carried", "Carried over (open actions)"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for the chair"
        AGENDA = "agenda", "On the agenda"
        DECLINED = "declined", "Not this time"
        DISCUSSED = "discussed", "Discussed"
        NOT_REACHED = "not_reached", "Not reached"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    person_id = models.BigIntegerField()
    source = models.CharField(max_length=12, choices=Source.choices)
    reason = models.TextField()
    # Admissions and A&E attendances the software gave as a reason: acute hospital detail, shown
    # only to attendees whose role may see it (``governance.access.meetings._reason_for``).
    hospital_reason = models.TextField(blank=True)
    nominated_by_staff_id = models.BigIntegerField(null=True, blank=True)
    nominated_by_name = models.CharField(max_length=300)
    nominated_at = models.DateTimeField()
    # A person who objected to sharing is discussed across organisations only with their
    # agreement to this discussion (the sharing agreement's ``meetings.objection``).
    agreed_to_discussion = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    position = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    discussion = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    recorded_by_name = models.CharField(max_length=300, blank=True)
    # The kind of organisation that recorded the discussion: its notes and decisions are that
    # organisation's detail after the meeting, like a contact note (the lens decides who reads).
    recorded_partner = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person_id"], name="uniq_meeting_person")
        ]
        indexes = [models.Index(fields=["person_id", "status"], name="case_item_person")]

    def __str__(self) -> str:
        return f"Case item {self.pk} (meeting {self.meeting_id})"
