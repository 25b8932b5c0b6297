"""Requests for help: the team's one front door, owned until the person says they are helped.

Anyone (the person, family, a GP receptionist, 111, another team) may ask. The request keeps the
caller's own words, one named owner at a time (a change of owner is a ``Handoff`` with its
reason) and every further contact about it (``RequestContact``), classed as value or failure
demand so the team can learn what its own system makes people do (chase, ask again, get bounced).

People and staff are plain ids and names, like the audit and the notes: a request outlives a
change of job and follows the person through merges (``actions.move_person``). Until the person
is found, ``person_id`` is empty and ``person_details`` says enough to find them later.
"""

from django.db import models


class HelpRequest(models.Model):
    class CallerRelationship(models.TextChoices):
        SELF = "self", "The person themselves"
        FAMILY = "family", "Family, friend or unpaid carer"
        GP_RECEPTIONIST = "gp_receptionist", "GP receptionist"
        NHS_111 = "111", "NHS 111"
        ANOTHER_TEAM = "another_team", "Another team"
        OTHER = "other", "Someone else"

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        FORM = "form", "Form"
        IN_PERSON = "in_person", "In person"
        OTHER_TEAM = "other_team", "From another team"

    class UrgentCondition(models.TextChoices):
        # The national 2-hour urgent community response conditions, in plain words.
        FALL = "fall", "A fall without serious injury"
        FRAILTY = "frailty", "Frailty getting suddenly worse"
        FUNCTION = "function", "Suddenly less able to move or manage"
        PALLIATIVE = "palliative", "Crisis at the end of life"
        EQUIPMENT = "equipment", "Equipment needed urgently"
        DELIRIUM = "delirium", "New confusion or delirium"
        CATHETER = "catheter", "Urgent catheter care"
        DIABETES = "diabetes", "Urgent diabetes support"
        CARER = "carer", "Unpaid carer can no longer cope"

    class UrgentOutcome(models.TextChoices):
        HOME = "stayed_at_home", "Stayed at home"
        STEP_UP = "step_up_bed", "Went to a step-up bed"
        ADMITTED = "admitted", "Admitted to hospital"
        DIED_AT_HOME = "died_at_home", "Died at home, as they wished"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        HELPED = "helped", "Helped"
        CLOSED_NOT_HELPED = "closed_not_helped", "Closed, not helped"

    class Agrees(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_ASKED = "not_asked", "Not asked"

    team = models.ForeignKey(
        "governance.Team", on_delete=models.PROTECT, related_name="help_requests"
    )
    person_id = models.BigIntegerField(null=True, blank=True)
    caller_name = models.CharField(max_length=200, blank=True)
    caller_relationship = models.CharField(max_length=20, choices=CallerRelationship.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    person_details = models.TextField(blank=True, help_text="Enough to find the person later")
    what_is_needed = models.TextField(help_text="What is needed, in the caller's words")
    received_at = models.DateTimeField()
    received_by_user_id = models.BigIntegerField()
    received_by_name = models.CharField(max_length=300)
    owner_staff_id = models.BigIntegerField(null=True, blank=True)
    owner_name = models.CharField(max_length=300, blank=True)
    urgent = models.BooleanField(default=False)
    urgent_condition = models.CharField(max_length=16, choices=UrgentCondition.choices, blank=True)
    first_visit_at = models.DateTimeField(null=True, blank=True)
    urgent_outcome = models.CharField(max_length=16, choices=UrgentOutcome.choices, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    what_helped = models.TextField(blank=True)
    person_agrees_helped = models.CharField(max_length=10, choices=Agrees.choices, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["team", "received_at"], name="help_request_team_week"),
            models.Index(fields=["owner_staff_id", "status"], name="help_request_owner"),
            models.Index(fields=["team", "status"], name="help_request_queue"),
            models.Index(fields=["person_id", "status"], name="help_request_person"),
        ]

    def __str__(self) -> str:
        return f"Request {self.pk} received {self.received_at:%Y-%m-%d}"


class Handoff(models.Model):
    """A change of owner, with its reason: who gave it to whom, and who recorded that."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="handoffs")
    at = models.DateTimeField()
    from_staff_id = models.BigIntegerField(null=True, blank=True)
    from_name = models.CharField(max_length=300, blank=True)
    to_staff_id = models.BigIntegerField()
    to_name = models.CharField(max_length=300)
    reason = models.TextField()
    by_name = models.CharField(max_length=300)

    class Meta:
        ordering = ["at", "id"]


class RequestContact(models.Model):
    """A further contact about a request (a call, a visit to the desk), classed by the
    practitioner as value or failure demand; ``suggested_demand`` is what the software
    suggested, so the team can see how often it was right."""

    class Demand(models.TextChoices):
        VALUE = "value", "Value demand"
        FAILURE = "failure", "Failure demand"

    class FailureKind(models.TextChoices):
        CHASING = "chasing", "Chasing progress"
        ASKED_AGAIN = "asked_again", "Asking again (not solved)"
        BOUNCED = "bounced", "Bounced: not me, not here, not ready"
        WRONG_REFERRAL = "wrong_referral", "Wrong referral"
        INFORMATION = "information", "Information that should have been given"

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="contacts")
    at = models.DateTimeField()
    who = models.CharField(max_length=300)
    what = models.TextField()
    demand = models.CharField(max_length=10, choices=Demand.choices)
    failure_kind = models.CharField(max_length=20, choices=FailureKind.choices, blank=True)
    suggested_demand = models.CharField(max_length=10, choices=Demand.choices, blank=True)
    recorded_by_name = models.CharField(max_length=300)

    class Meta:
        ordering = ["at", "id"]
