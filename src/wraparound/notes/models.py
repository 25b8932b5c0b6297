"""Contact notes: what happened at a visit or a call, in the practitioner's plain words.

A note is written once and never changed (no edit, no delete through the app): a mistake is put
right by a **correction**, a new note that names the note it corrects ("Correction to the note
of 3 March 2026"). The corrected note stays, shown as corrected, so the record says what was
believed when. A correction also replaces the corrected note's safety flag: a correction
without a flag ends it (the dog has been rehomed).

The author is kept as plain values (staff id, name, role, organisation and its kind of
partner) and the person as a plain ``person_id``, like the plans and the audit: a note outlives
a change of job and follows the person through merges and splits (``actions.move_person``).
Which viewers see a note is the agreement's business: the gate's lens reads ``partner`` and
``sensitive_category`` exactly as it reads a partner's timeline entry.
"""

from django.db import models


class ContactNote(models.Model):
    class How(models.TextChoices):
        HOME_VISIT = "home_visit", "Home visit"
        PHONE_CALL = "phone_call", "Phone call"
        VIDEO_CALL = "video_call", "Video call"
        CLINIC = "clinic", "Clinic or surgery appointment"
        OTHER = "other", "Other"

    person_id = models.BigIntegerField()
    occurred_at = models.DateTimeField(help_text="When the visit or call happened")
    how = models.CharField(max_length=16, choices=How.choices)
    text = models.TextField()
    is_safety_flag = models.BooleanField(default=False)
    flag_text = models.CharField(max_length=300, blank=True)
    # The note's category (its words and its flag's words, the more restricted) and the flag's
    # own, so a flag such as "Dog on premises" on a note about a mental health referral can
    # still warn everyone who visits (``sources.sensitivity.category_for``).
    sensitive_category = models.CharField(max_length=32, blank=True)
    flag_category = models.CharField(max_length=32, blank=True)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    written_by_staff_id = models.BigIntegerField()
    written_by_user_id = models.BigIntegerField()
    written_by = models.CharField(max_length=300, help_text="The author's name")
    role = models.CharField(max_length=32, help_text="The author's role code")
    role_label = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200)
    partner = models.CharField(max_length=32, help_text="The organisation's kind of partner")
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["person_id", "-occurred_at"], name="contact_note_person"),
            models.Index(
                fields=["person_id"],
                condition=models.Q(is_safety_flag=True),
                name="contact_note_flags",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_how_display()} on {self.occurred_at:%Y-%m-%d}"
