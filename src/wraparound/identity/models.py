"""People, and the links from partners' source records to them.

A ``Person`` is the stable identity the team works with; it owns no demographics of its own
beyond a cached display summary, because every fact comes from a linked ``SourceRecord``.
"""

from django.db import models

from wraparound.sources.models import SourceRecord


class Person(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    # A cached summary chosen by linkage (best NHS Number, name, date of birth): for lists and
    # search results only; the person page reads the linked records themselves.
    nhs_number = models.CharField(max_length=32, blank=True, db_index=True)
    given_name = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    postcode = models.CharField(max_length=16, blank=True)
    address = models.TextField(blank=True)
    retired = models.BooleanField(
        default=False, help_text="No source record links here any more (kept so ids never reuse)."
    )

    def __str__(self) -> str:
        return f"Person {self.pk}"


class Link(models.Model):
    """Which person a source record belongs to, and why we think so."""

    class Rule(models.TextChoices):
        NHS_NUMBER = "nhs_number", "Same valid NHS Number, demographics agree"
        MODEL = "model", "Linkage model (match probability)"
        STEWARD = "steward", "Data steward decision"
        SINGLETON = "singleton", "No match found"

    source_record = models.OneToOneField(
        SourceRecord, on_delete=models.PROTECT, related_name="link"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="links")
    rule = models.CharField(max_length=16, choices=Rule.choices)
    match_probability = models.FloatField(null=True, blank=True)
    linked_at = models.DateTimeField(auto_now=True)


class ReviewPair(models.Model):
    """A pair the model was unsure about, waiting for a data steward."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for review"
        LINKED = "linked", "Same person"
        KEPT_APART = "kept_apart", "Different people"
        NOT_SURE = "not_sure", "Not sure"

    record_a = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")
    record_b = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")
    match_probability = models.FloatField()
    reason = models.TextField(blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record_a", "record_b"], name="uniq_review_pair")
        ]


class StewardDecision(models.Model):
    """A data steward's word on two source records; outranks the model in every re-link."""

    class Decision(models.TextChoices):
        SAME = "same", "Same person"
        DIFFERENT = "different", "Different people"

    record_a = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")
    record_b = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    decided_by = models.CharField(max_length=150)
    decided_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record_a", "record_b"], name="uniq_steward_pair")
        ]


class PersonChange(models.Model):
    """What a linkage change did to people, for governance to apply (identity computes).

    Written in the same transaction as the change to links, by every path that changes who is
    who (``wraparound link``, a steward's merge, split or review decision). Governance then
    moves what belongs to the person (objections, caseload, assignments, the team's writing)
    and stamps ``applied_at`` (``governance.identity_changes``). A change left unapplied, say by
    a run killed half way, is applied by the next one: nothing that protects a person is lost.

    - ``merged``: every record of ``from_person_id`` now belongs to ``to_person_id`` (or most
      of them did, when one person became several); ``from_person_id`` is retired.
    - ``split``: some records of ``from_person_id`` now belong to ``to_person_id``.

    Plain ids, like the audit: the rows outlive any later change to ``Person``.
    """

    class Kind(models.TextChoices):
        MERGED = "merged", "Joined into another person"
        SPLIT = "split", "Some records moved to another person"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    from_person_id = models.BigIntegerField()
    to_person_id = models.BigIntegerField()
    by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True, db_index=True)
