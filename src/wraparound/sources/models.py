"""Partner feeds as they arrive: one row per partner record, raw payload kept.

Nothing here knows about people: a ``SourceRecord`` is one partner's view of somebody. The
``identity`` app links source records into ``Person`` rows; ingest never writes ``Person``.
"""

from django.db import models

from wraparound.core.models import Timestamped


class Partner(models.TextChoices):
    """The kind of organisation a feed comes from; the sharing agreement speaks in these."""

    GP = "gp", "GP practice"
    ACUTE = "acute", "Acute trust"
    COMMUNITY = "community", "Community trust"
    ADULT_SOCIAL_CARE = "adult_social_care", "Council adult social care"
    MENTAL_HEALTH = "mental_health", "Mental health trust"
    HOUSING = "housing", "Housing"
    COUNCIL_TAX = "council_tax", "Council revenues (council tax)"
    VOLUNTARY = "voluntary", "Voluntary sector"
    OTHER = "other", "Other partner"


class SensitiveCategory(models.TextChoices):
    """Categories the sharing agreement may withhold whatever the partner."""

    MENTAL_HEALTH = "mental_health", "Mental health detail"
    SEXUAL_HEALTH = "sexual_health", "Sexual health"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
    HIV = "hiv", "HIV"
    GENDER_IDENTITY = "gender_identity", "Gender identity"


class Source(Timestamped):
    """One partner feed, named on the command line (``wraparound ingest --source NAME``)."""

    name = models.SlugField(max_length=100, unique=True)
    partner = models.CharField(max_length=32, choices=Partner.choices, default=Partner.OTHER)
    display_name = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.name


class IngestRun(models.Model):
    """One ``wraparound ingest`` invocation and what became of every row it read."""

    class Status(models.TextChoices):
        RUNNING = "running"
        COMPLETED = "completed"
        FAILED = "failed"

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="runs")
    paths = models.TextField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    accepted = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    quarantined = models.PositiveIntegerField(default=0)


class SourceRecord(Timestamped):
    """A partner's record of one person: demographics as the partner holds them.

    ``nhs_number`` is normalised (digits only) but kept even when it fails the Modulus 11
    check; ``nhs_number_valid`` says whether linkage may use it.

    Other fields that cannot be used (a date of birth that is not a date, an unknown sex code,
    text that cannot be a postcode) do not cost the partner's record: the column stays empty,
    so linkage ignores it, and ``problems`` keeps what was sent and why, for the person page:
    ``{"date_of_birth": {"as_recorded": "1945-04-93", "problem": "not a valid date"}}``.
    ``problems__has_key="date_of_birth"`` finds them.
    """

    class Format(models.TextChoices):
        CSV = "csv"
        FHIR = "fhir"

    # No index of its own: the unique (source, source_record_id) index starts with it.
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="records", db_index=False
    )
    source_record_id = models.CharField(max_length=200)
    format = models.CharField(max_length=8, choices=Format.choices)
    nhs_number = models.CharField(max_length=32, blank=True)
    nhs_number_valid = models.BooleanField(default=False)
    given_name = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=32, blank=True)
    postcode = models.CharField(max_length=16, blank=True)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=64, blank=True)
    other_identifier = models.CharField(
        max_length=64,
        blank=True,
        help_text="Another number partners share for this person (not the NHS Number): "
        "evidence for linkage, never a rule.",
    )
    extra = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(
        default=dict, blank=True, help_text="Fields kept as recorded but not used, and why."
    )
    payload = models.TextField(help_text="The record exactly as the partner sent it.")
    content_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_record_id"], name="uniq_source_record"
            )
        ]
        # No secondary indexes: every query reads records by person (through ``Link``) or by
        # source and key (the unique constraint); indexes on names, NHS Number, date of birth
        # and postcode were never used and cost ~46% of CSV ingest time.

    def __str__(self) -> str:
        return f"{self.source.name}:{self.source_record_id}"


class Event(Timestamped):
    """Anything a partner sent about a person other than their demographics.

    FHIR resources of every type are kept whole here; those with a subject and a type we
    show (``on_timeline``) reach the person's timeline, as do activity CSV rows. The person is
    found through ``(source, subject_record_id)`` rather than a foreign key, so events may
    arrive before the demographic record they concern and nothing is lost.
    """

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="events")
    event_id = models.CharField(max_length=300)
    resource_type = models.CharField(max_length=64)
    kind = models.CharField(max_length=100, blank=True)
    subject_record_id = models.CharField(max_length=200, blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True)
    status = models.CharField(max_length=64, blank=True)
    code = models.CharField(max_length=64, blank=True, help_text="Main SNOMED CT (or other) code")
    sensitive_category = models.CharField(
        max_length=32, choices=SensitiveCategory.choices, blank=True
    )
    on_timeline = models.BooleanField(default=False)
    extra = models.JSONField(default=dict, blank=True)
    payload = models.TextField()
    content_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "event_id"], name="uniq_source_event")
        ]
        indexes = [
            models.Index(fields=["source", "subject_record_id", "occurred_at"]),
        ]


class QuarantinedRow(models.Model):
    """A row or resource we could not accept, with the plain reason, kept for a steward."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="quarantine")
    run = models.ForeignKey(IngestRun, on_delete=models.PROTECT, related_name="quarantine")
    locator = models.CharField(max_length=500, help_text="file and line or entry number")
    reason = models.TextField()
    raw = models.TextField()
    raw_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "raw_hash"], name="uniq_quarantined_raw")
        ]
