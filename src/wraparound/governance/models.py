"""Who works here, whom they care for, what each person asked of us, and the audit of every look.

People are referred to by ``person_id`` (a plain integer), never by a foreign key: a caseload,
a break-glass grant or an audit row must outlive merges and splits of ``identity.Person``, and
audit rows must never be removed by a cascade.
"""

from django.conf import settings
from django.db import models, router, transaction

from wraparound.governance import audit_chain
from wraparound.governance.roles import Role
from wraparound.sources.models import Partner


class Organisation(models.Model):
    """A party to the sharing agreement (a GP practice, the council, a housing association)."""

    name = models.CharField(max_length=200, unique=True)
    partner = models.CharField(max_length=32, choices=Partner.choices)

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A neighbourhood team; its neighbourhood is the postcode districts or sectors it covers.

    ``neighbourhood`` holds entries like ``"WV10"`` (a district) or ``"WV10 6"`` (a sector),
    upper case with one space, as ``core.postcodes.normalise_area`` writes them.
    """

    name = models.CharField(max_length=200, unique=True)
    neighbourhood = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    """A member of staff: a login, their organisation, teams and role."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="staff")
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    role = models.CharField(max_length=32, choices=Role.choices)
    job_title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=64, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        verbose_name_plural = "staff"

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class CaseloadEntry(models.Model):
    """A person added to a team's caseload by hand (they live elsewhere, or moved recently)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="caseload")
    person_id = models.BigIntegerField(db_index=True)
    added_by = models.CharField(max_length=150, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "person_id"], name="uniq_caseload_entry")
        ]


class Assignment(models.Model):
    """A named member of staff is working with a person (until ``ended_at``)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="assignments")
    person_id = models.BigIntegerField(db_index=True)
    role_in_care = models.CharField(max_length=200, blank=True)
    assigned_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["staff", "person_id"])]


class SharingPreference(models.Model):
    """What a person told us about sharing: the national data opt-out and any objection.

    - ``national_opt_out``: their data is left out of analytics and exports for planning and
      research (``governance.queries.people_for_analytics``); direct care is unaffected.
    - ``objects_to_sharing``: they object to organisations sharing their record. A viewer then
      sees the person-first summary written by the team and the safety flags, plus what their
      own organisation's kind of partner holds; nothing from other organisations.
    """

    person_id = models.BigIntegerField(unique=True)
    national_opt_out = models.BooleanField(default=False)
    objects_to_sharing = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    recorded_by = models.CharField(max_length=150, blank=True)
    recorded_at = models.DateTimeField(auto_now=True)


class BreakGlass(models.Model):
    """Emergency access to one person outside one's legitimate relationships.

    Time-limited, always with a stated reason, and on the data steward's review list until the
    steward closes it with an outcome. The viewer is kept as plain values, like the audit.
    """

    class Outcome(models.TextChoices):
        APPROPRIATE = "appropriate", "Appropriate"
        INAPPROPRIATE = "inappropriate", "Not appropriate: followed up"
        UNCLEAR = "unclear", "Unclear: asked the person who opened it"

    user_id = models.BigIntegerField(db_index=True)
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=32)
    organisation = models.CharField(max_length=200, blank=True)
    person_id = models.BigIntegerField(db_index=True)
    reason = models.TextField()
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.CharField(max_length=150, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["user_id", "person_id", "expires_at"])]


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk changes: the audit trail is written once and never rewritten.

    ``bulk_create`` is allowed and chains each row like ``AuditEntry.save`` does.
    """

    def update(self, **kwargs):
        raise AuditIsAppendOnly("Audit entries cannot be changed.")

    def delete(self):
        raise AuditIsAppendOnly("Audit entries cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditIsAppendOnly("Audit entries cannot be changed.")

    def update_or_create(self, *args, **kwargs):
        raise AuditIsAppendOnly("Audit entries cannot be changed.")

    _raw_delete = delete

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        using = self.db
        with transaction.atomic(using=using):
            head = audit_chain.lock_and_read_head(using)
            for entry in objs:
                entry._prepare_for_chain()
                entry.prev_hash = head
                entry.hash = audit_chain.row_hash(head, audit_chain.values_of(entry))
                head = entry.hash
            created = super().bulk_create(objs, *args, **kwargs)
            if all(e.pk is not None for e in created):
                AuditPersonIndex.write_for(created, using=using)
            else:  # a backend that returns no ids: index from the rows just written
                last = AuditEntry.objects.using(using).order_by("-id")[: len(created)]
                AuditPersonIndex.write_for(list(last), using=using)
        return created


class AuditIsAppendOnly(Exception):
    """Somebody tried to change or delete an audit entry."""


class AuditEntry(models.Model):
    """One look at, or change to, person data: who, when, from where, what, and why.

    Plain values only (no foreign keys), so nothing that is deleted or merged later can
    remove or rewrite an entry. ``detail`` records what was shown and withheld (partner and
    category codes), never the person data itself. The database refuses UPDATE and DELETE
    (triggers in migration 0002) and so does the model.

    Tamper-evident: every row carries ``hash`` = SHA-256 of the previous row's hash and this
    row's values (``governance.audit_chain``), computed here when the row is saved, so every
    writer chains without knowing. ``wraparound verify-audit`` recomputes the chain and names
    the first row that was changed, removed or inserted behind the application's back. Each
    row also indexes every person it showed (``AuditPersonIndex``) for the subject access
    report.
    """

    class Action(models.TextChoices):
        SEARCH = "search", "Searched for people"
        VIEW_PERSON = "view_person", "Opened a record"
        ACCESS_DENIED = "access_denied", "Tried to open a record without rights"
        BREAK_GLASS = "break_glass", "Break-glass access"
        BREAK_GLASS_REVIEW = "break_glass_review", "Reviewed break-glass access"
        CHANGE = "change", "Changed the record"
        EXPORT = "export", "Exported"
        AUDIT_SEARCH = "audit_search", "Searched the audit trail"
        ACCESS_REPORT = "access_report", "Subject access report"
        LINKAGE_REVIEW = "linkage_review", "Opened the linkage review queue"
        LINKAGE_DECISION = "linkage_decision", "Linkage decision"
        SHARING_PREFERENCE = "sharing_preference", "Recorded a sharing preference"
        REFUSED = "refused", "Tried something their role may not do"
        SEARCH_THROTTLED = "search_throttled", "Searching paused: too many people listed"
        ACCOUNT_CHANGE = "account_change", "Changed a staff account"
        VERIFY_AUDIT = "verify_audit", "Checked the audit trail"
        MEETING_VIEW = "meeting_view", "Looked at a record in an MDT meeting"
        MEETING = "meeting", "Changed an MDT meeting"

    at = models.DateTimeField(db_index=True)
    user_id = models.BigIntegerField(null=True, db_index=True)
    username = models.CharField(max_length=150)
    # The staff member's name as shown to people ("Priya Shah"), kept as it was at the time.
    staff_name = models.CharField(max_length=300, blank=True, default="", db_default="")
    role = models.CharField(max_length=32, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices, db_index=True)
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    purpose = models.TextField(blank=True)
    query = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="", db_default="")
    hash = models.CharField(max_length=64, blank=True, default="", db_default="")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "audit entries"
        ordering = ["-at", "-id"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditIsAppendOnly("Audit entries cannot be changed.")
        kwargs["force_insert"] = True
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            self._prepare_for_chain()
            self.prev_hash = audit_chain.lock_and_read_head(using)
            self.hash = audit_chain.row_hash(self.prev_hash, audit_chain.values_of(self))
            super().save(*args, **kwargs)
            AuditPersonIndex.write_for([self], using=using)

    def delete(self, *args, **kwargs):
        raise AuditIsAppendOnly("Audit entries cannot be deleted.")

    def _prepare_for_chain(self) -> None:
        """Values exactly as the database will give them back, so the hash can be recomputed."""
        self.at = audit_chain.as_utc(self.at)
        self.detail = audit_chain.json_round_trip(self.detail)
        if not self.staff_name and self.user_id:
            self.staff_name = audit_chain.staff_name_of(self.user_id)


class AuditPersonIndex(models.Model):
    """Which audit rows showed which person: the subject access report's index.

    One row per (audit entry, person) for the entry's ``person_id`` and every id in
    ``detail["results"]`` (people listed in search results) and ``detail["person_ids"]``
    (exports, lists). Written with the audit row, in the same transaction; plain integers,
    like the audit itself, so it outlives merges and splits.
    """

    entry_id = models.BigIntegerField()
    person_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["person_id", "entry_id"], name="audit_person_entry")]
        constraints = [
            models.UniqueConstraint(fields=["entry_id", "person_id"], name="uniq_audit_person")
        ]

    @classmethod
    def write_for(cls, entries, *, using: str = "default") -> None:
        rows = [
            cls(entry_id=entry.pk, person_id=pid)
            for entry in entries
            for pid in audit_chain.people_shown(entry.person_id, entry.detail)
        ]
        if rows:
            cls.objects.using(using).bulk_create(rows, batch_size=1000)


class PersonSearchIndex(models.Model):
    """Search tokens for a person, so finding someone is an indexed lookup at a million people.

    One row per (token, person): ``n:smith`` (a name part), ``n4:smit`` (its first four
    letters), ``k:robert`` (the canonical form of a nickname), ``s:S530`` (a sound-alike
    code), ``d:1942-03-03`` and ``y:1942`` (date and year of birth), ``p:WV10 6QH``,
    ``ps:WV10 6`` and ``pd:WV10`` (postcode, sector, district), ``h:9434765919`` (NHS Number).
    Every lookup is ``token IN (...)``, which both SQLite and PostgreSQL answer from the
    ``(token, person_id)`` index whatever the collation. Rebuilt by
    ``wraparound reindex-search`` after linkage; see ``governance.access.search``.
    """

    token = models.CharField(max_length=64)
    person_id = models.BigIntegerField()
    # "" when any record a viewer may be told about gives the token; otherwise the sensitive
    # categories (sorted, comma-separated) of the feeds that alone give it, so a surname held
    # only by the mental health trust finds the person only for roles that may see that.
    restricted = models.CharField(max_length=200, blank=True, default="", db_default="")

    class Meta:
        indexes = [
            models.Index(fields=["token", "person_id"], name="search_token_person"),
            models.Index(fields=["person_id"], name="search_person"),
        ]
