"""Forms for the person page and the steward pages: they check shape only (required, length).

What a viewer may do is decided by the gate (``governance.access``), never by a form.
Error messages are written the NHS.UK way: say what to do, not what went wrong.
"""

import datetime as dt
import re

from django import forms
from django.utils import timezone

from wraparound.governance import access

MAX_QUERY = 200
MAX_TEXT = 4000


class FindPersonForm(forms.Form):
    q = forms.CharField(
        label="Name, NHS Number, date of birth or postcode",
        max_length=MAX_QUERY,
        strip=True,
        # People in the demonstration neighbourhood (``make demo``) the demo's district nurse
        # works with: tests/integration/test_search_paging.py checks each one finds someone.
        help_text=(
            "For example: Margaret Smith, Peggy Smith 1946, 27 March 1946, WV10 3QT or "
            "992 726 6723. Spelling mistakes and nicknames are fine."
        ),
        error_messages={
            "required": "Enter a name, NHS Number, date of birth or postcode",
            "max_length": f"Search for something shorter than {MAX_QUERY} characters",
        },
    )


class WhatMattersForm(forms.Form):
    text = forms.CharField(
        label="What matters to me",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_TEXT,
        strip=True,
        help_text="Write it in the person's own words, as they said it.",
        error_messages={
            "required": "Enter what matters to the person, in their own words",
            "max_length": f"Keep this under {MAX_TEXT} characters",
        },
    )


class PersonWhoMattersForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        strip=True,
        error_messages={"required": "Enter the name of the person who matters"},
    )
    relationship = forms.CharField(
        label="Who they are to the person",
        max_length=200,
        strip=True,
        help_text="For example: daughter, neighbour, friend from church.",
        error_messages={"required": "Enter who they are to the person, for example 'daughter'"},
    )
    contact = forms.CharField(
        label="How to reach them (optional)",
        max_length=200,
        strip=True,
        required=False,
    )


class BreakGlassForm(forms.Form):
    """The reason's minimum length is the agreement's (``break_glass.min_reason_length``): the
    gate checks it and its message is shown on this form, so there is one rule, not two."""

    reason = forms.CharField(
        label="Why do you need to see this record now?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        strip=True,
        help_text=(
            "Say in a sentence what is happening and why it cannot wait. A data steward "
            "reads every reason."
        ),
        error_messages={
            "required": "Enter why you need to see this record now",
        },
    )


class CloseBreakGlassForm(forms.Form):
    OUTCOMES = [
        ("appropriate", "Appropriate: the reason justified the access"),
        ("inappropriate", "Not appropriate: follow up with the person's manager"),
        ("unclear", "Unclear: ask the person who opened it"),
    ]
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=OUTCOMES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an outcome"},
    )
    note = forms.CharField(
        label="Note (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        strip=True,
        required=False,
    )


class ReviewDecisionForm(forms.Form):
    DECISIONS = [
        ("same", "Link: same person"),
        ("different", "Keep apart: different people"),
        ("not_sure", "Not sure"),
    ]
    decision = forms.ChoiceField(
        choices=DECISIONS, error_messages={"required": "Choose a decision"}
    )
    reason = forms.CharField(label="Reason (optional)", max_length=2000, strip=True, required=False)


class SplitLinkForm(forms.Form):
    source = forms.CharField(max_length=100)
    source_record_id = forms.CharField(max_length=200)
    reason = forms.CharField(
        label="Why is this record not this person?",
        max_length=2000,
        strip=True,
        error_messages={"required": "Enter why this record belongs to someone else"},
    )


class MergePeopleForm(forms.Form):
    other_person_id = forms.IntegerField(
        label="Record number of the other person",
        min_value=1,
        error_messages={
            "required": "Enter the record number of the person to merge with",
            "invalid": "Enter a record number, like 1234",
        },
    )
    reason = forms.CharField(
        label="Why are they the same person?",
        max_length=2000,
        strip=True,
        error_messages={"required": "Enter why these records are the same person"},
    )


class AuditSearchForm(forms.Form):
    username = forms.CharField(label="Staff username", max_length=150, required=False)
    person_id = forms.IntegerField(label="Person record number", min_value=1, required=False)
    action = forms.CharField(label="Action", max_length=64, required=False)
    date_from = forms.DateField(
        label="From (YYYY-MM-DD)",
        required=False,
        error_messages={"invalid": "Enter a date like 2026-03-03"},
    )
    date_to = forms.DateField(
        label="To (YYYY-MM-DD)",
        required=False,
        error_messages={"invalid": "Enter a date like 2026-03-31"},
    )


class AccessReportForm(forms.Form):
    """Whom the subject access request is about: NHS Number, or full name and date of birth.

    ``person_id`` is only for links from other steward pages (the break-glass reviews);
    nobody needs to know an internal record number to ask.
    """

    nhs_number = forms.CharField(
        label="NHS Number",
        max_length=20,
        required=False,
        strip=True,
        help_text="For example, 943 476 5919.",
    )
    name = forms.CharField(
        label="Full name",
        max_length=200,
        required=False,
        strip=True,
        help_text="Given name and family name, if you do not have the NHS Number.",
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d-%m-%Y"],
        help_text="For example, 3/3/1942 or 3 March 1942.",
        error_messages={"invalid": "Enter a date of birth like 3/3/1942"},
    )
    person_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("nhs_number") or data.get("person_id"):
            return data
        if data.get("name") and data.get("date_of_birth"):
            return data
        if data.get("name") and not data.get("date_of_birth"):
            self.add_error("date_of_birth", "Enter the person's date of birth")
        elif data.get("date_of_birth") and not data.get("name"):
            self.add_error("name", "Enter the person's full name")
        else:
            self.add_error("nhs_number", "Enter an NHS Number, or a full name and date of birth")
        return data


# --- contact notes (H-C) ---------------------------------------------------------------------

NOTE_TEXT_MAX = 10_000
NOTE_FLAG_MAX = 300
_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.]?(\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)


def date_and_time(
    form: forms.Form,
    data: dict,
    *,
    what: str,
    time_what: str,
    time_example: str,
    first_year: int,
) -> dt.datetime | None:
    """The moment typed in the GOV.UK date input (``day``, ``month``, ``year``) and a ``time``
    box, in the team's time zone; errors go on the form in the users' words, ``what`` naming
    the date ("the date of the meeting")."""
    day, month, year = (data.get(k, "") for k in ("day", "month", "year"))
    when = None
    if not (day and month and year):
        form.add_error("day", f"Enter {what}, for example 3 3 2026")
    else:
        try:
            when = dt.date(int(year), int(month), int(day))
        except ValueError:
            form.add_error("day", f"{what[0].upper()}{what[1:]} must be a real date")
        else:
            if when.year < first_year:
                form.add_error("day", "Enter the year with four numbers, for example 2026")
                when = None
    time = _time_of_day(data.get("time", "")) if data.get("time") else None
    if data.get("time") and time is None:
        form.add_error("time", f"Enter {time_what}, for example {time_example}")
    if when and time:
        return timezone.make_aware(dt.datetime.combine(when, time))
    return None


def _time_of_day(raw: str) -> dt.time | None:
    """14:30, 1430, 14.30, 2:30pm, 2pm, 9am: as people write a time; None if it is not one."""
    match = _TIME.match(raw or "")
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match[2] is None:
        return None  # "14" alone is not a time anyone writes
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


class ContactNoteForm(forms.Form):
    """What happened at a visit or call. The form checks shape (a real date and time, words
    within bounds); the gate checks the rest (not ahead of now, not too far back), so one rule
    holds for the web and for any other caller."""

    how = forms.ChoiceField(
        label="How were you in contact?",
        choices=access.CONTACT_NOTE_HOW,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you were in contact"},
    )
    day = forms.CharField(label="Day", max_length=2, required=False, strip=True)
    month = forms.CharField(label="Month", max_length=2, required=False, strip=True)
    year = forms.CharField(label="Year", max_length=4, required=False, strip=True)
    time = forms.CharField(
        label="Time",
        max_length=8,
        strip=True,
        help_text="For example, 14:30 or 2:30pm.",
        error_messages={"required": "Enter the time of the visit or call, for example 14:30"},
    )
    text = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=NOTE_TEXT_MAX,
        strip=True,
        help_text="In plain words, so anyone in the team can act on it.",
        error_messages={
            "required": "Enter what happened at the visit or call",
            "max_length": f"Keep the note under {NOTE_TEXT_MAX:,} characters",
        },
    )
    is_safety_flag = forms.BooleanField(label="Mark as a safety flag", required=False)
    flag_text = forms.CharField(
        label="What visiting staff need to know",
        max_length=NOTE_FLAG_MAX,
        strip=True,
        required=False,
        help_text="For example: Dog on premises, ask for it to be shut away.",
        error_messages={"max_length": f"Keep the flag under {NOTE_FLAG_MAX} characters"},
    )
    corrects = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    @classmethod
    def for_now(cls, corrects: int | None = None) -> "ContactNoteForm":
        """A fresh form with today's date and the time now (a note is most often written at
        the door, straight after the visit)."""
        now = timezone.localtime()
        return cls(
            initial={
                "day": now.day,
                "month": now.month,
                "year": now.year,
                "time": f"{now:%H:%M}",
                "corrects": corrects,
            }
        )

    def clean(self):
        data = super().clean()
        moment = date_and_time(
            self,
            data,
            what="the date of the visit or call",
            time_what="the time of the visit or call",
            time_example="14:30",
            first_year=1900,
        )
        if moment:
            data["occurred_at"] = moment
        if data.get("is_safety_flag") and not data.get("flag_text"):
            self.add_error(
                "flag_text",
                "Enter what visiting staff need to know, or untick 'Mark as a safety flag'",
            )
        if not data.get("is_safety_flag"):
            data["flag_text"] = ""
        return data


# --- The personalised care and support plan (H-B) ----------------------------------------------
# Choices repeat the plan's own values (``plans.models``), which record may not import: the gate
# checks every value again, so a stale list here can only be refused, never stored.

PLAN_DATE_FORMATS = ["%d %B %Y", "%d %b %Y", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d %B %y"]
PLAN_DATE_HELP = "For example, 3 March 2026"
PLAN_DATE_ERRORS = {"invalid": "Enter a real date, for example 3 March 2026"}

GOAL_STATUS_CHOICES = [("not_yet", "Not yet"), ("partly", "Partly"), ("achieved", "Achieved")]
ACTION_STATUS_CHOICES = [
    ("to_do", "Not started"),
    ("in_progress", "In progress"),
    ("done", "Done"),
    ("not_needed", "No longer needed"),
]


def plan_date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=PLAN_DATE_FORMATS,
        help_text=PLAN_DATE_HELP,
        error_messages=PLAN_DATE_ERRORS,
    )


class PlanSectionForm(forms.Form):
    """One section, in the person's words; the box opens with what is written now."""

    text = forms.CharField(
        label="In the person's words",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_TEXT,
        strip=True,
        required=False,
        help_text="Write it as they said it. Leave it empty to clear this section.",
        error_messages={"max_length": f"Keep this under {MAX_TEXT} characters"},
    )


class GoalForm(forms.Form):
    text = forms.CharField(
        label="The goal or hope, in the person's words",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_TEXT,
        strip=True,
        help_text="For example: I want to walk to the corner shop on my own by the summer.",
        error_messages={
            "required": "Enter the goal, in the person's words",
            "max_length": f"Keep the goal under {MAX_TEXT} characters",
        },
    )
    status = forms.ChoiceField(
        label="Has it been achieved?",
        choices=GOAL_STATUS_CHOICES,
        widget=forms.RadioSelect,
        initial="not_yet",
        error_messages={"required": "Choose whether the goal has been achieved"},
    )


class PlanActionForm(forms.Form):
    """Who may do it and which goal it serves are the gate's lists, passed in by the view."""

    what = forms.CharField(
        label="What will be done",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_TEXT,
        strip=True,
        error_messages={
            "required": "Enter what will be done",
            "max_length": f"Keep this under {MAX_TEXT} characters",
        },
    )
    owner = forms.ChoiceField(
        label="Who will do it",
        choices=[],
        error_messages={
            "required": "Choose who will do it",
            "invalid_choice": "Choose who will do it from the list",
        },
    )
    due_on = plan_date("By when (optional)")
    status = forms.ChoiceField(
        label="Where it has got to",
        choices=ACTION_STATUS_CHOICES,
        widget=forms.RadioSelect,
        initial="to_do",
        error_messages={"required": "Choose where the action has got to"},
    )
    goal = forms.ChoiceField(
        label="Which goal it helps with (optional)", choices=[], required=False
    )

    def __init__(self, *args, owners=(), goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Choose who will do it"), *owners]
        self.fields["goal"].choices = [("", "None in particular"), *goals]


class PlanDetailsForm(forms.Form):
    supported_by = forms.CharField(
        label="Supported to write this by (optional)",
        max_length=300,
        strip=True,
        required=False,
        help_text="Who helped the person write their plan, for example: Nia Okafor, district nurse.",
    )
    supported_on = plan_date("Written on (optional)")
    agreed_with = forms.CharField(
        label="Agreed with (optional)",
        max_length=300,
        strip=True,
        required=False,
        help_text="The person, or their representative: say who, for example: Jean Ash, daughter.",
    )
    agreed_on = plan_date("Agreed on (optional)")
    review_on = plan_date("Review by (optional)")
    reviewer = forms.ChoiceField(label="Who will review it (optional)", choices=[], required=False)

    def __init__(self, *args, reviewers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].choices = [("", "Not decided yet"), *reviewers]


# --- Requests for help: the front door (H-R) --------------------------------------------------

REQUEST_TEXT_MAX = 5_000
YES_NO = [("no", "No"), ("yes", "Yes")]


class HelpRequestForm(forms.Form):
    """A new request for help, in the caller's words. The gate checks the person and the team."""

    what_is_needed = forms.CharField(
        label="What is needed, in the caller's words",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=REQUEST_TEXT_MAX,
        strip=True,
        error_messages={
            "required": "Enter what is needed, in the caller's words",
            "max_length": f"Keep what is needed under {REQUEST_TEXT_MAX:,} characters",
        },
    )
    caller_relationship = forms.ChoiceField(
        label="Who is asking?",
        choices=access.CALLER_RELATIONSHIPS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who is asking"},
    )
    caller_name = forms.CharField(
        label="Caller's name (optional)", max_length=200, required=False, strip=True
    )
    channel = forms.ChoiceField(
        label="How did the request come in?",
        choices=access.CHANNELS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the request came in"},
    )
    person_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    person_details = forms.CharField(
        label="If you have not found the person: details to find them later",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
        strip=True,
        help_text="For example: name, date of birth, address, a phone number to call back.",
    )
    urgent = forms.ChoiceField(
        label="Is this an urgent 2-hour response?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="no",
        error_messages={"required": "Say whether this is urgent"},
    )
    urgent_condition = forms.ChoiceField(
        label="Urgent condition",
        choices=[("", "Not urgent")] + access.URGENT_CONDITIONS,
        required=False,
    )

    def clean(self):
        data = super().clean()
        data["urgent"] = data.get("urgent") == "yes"
        if data["urgent"] and not data.get("urgent_condition"):
            self.add_error("urgent_condition", "Choose which urgent 2-hour condition this is")
        if not data.get("person_id") and not data.get("person_details"):
            self.add_error("person_details", "Find the person, or write enough to find them later")
        return data


class HandoffForm(forms.Form):
    to_staff = forms.TypedChoiceField(
        label="Hand off to", coerce=int, error_messages={"required": "Choose a colleague"}
    )
    reason = forms.CharField(
        label="Why are you handing it off?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        strip=True,
        error_messages={"required": "Enter the reason for the hand-off"},
    )

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_staff"].choices = [("", "Choose a colleague")] + list(colleagues)


class RequestContactForm(forms.Form):
    who = forms.CharField(
        label="Who made contact?",
        max_length=300,
        strip=True,
        help_text="For example: Mrs Khan's daughter.",
        error_messages={"required": "Enter who made contact"},
    )
    what = forms.CharField(
        label="What they said or needed",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REQUEST_TEXT_MAX,
        strip=True,
        error_messages={"required": "Enter what they said or needed"},
    )
    demand = forms.ChoiceField(
        label="Was this value or failure demand?",
        choices=access.DEMANDS,
        widget=forms.RadioSelect,
        help_text=(
            "Value demand is a new need. Failure demand is caused by something we did not do, "
            "or did not do right."
        ),
        error_messages={"required": "Choose value or failure demand"},
    )
    failure_kind = forms.ChoiceField(
        label="If failure demand, what kind",
        choices=[("", "Not failure demand")] + access.FAILURE_KINDS,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("demand") == "failure" and not data.get("failure_kind"):
            self.add_error("failure_kind", "Choose what kind of failure demand it was")
        if data.get("demand") == "value":
            data["failure_kind"] = ""
        return data


class UrgentVisitForm(forms.Form):
    time = forms.CharField(
        label="Time of the first visit",
        max_length=8,
        strip=True,
        help_text="For example, 14:30 or 2:30pm. A time later than now means yesterday.",
        error_messages={"required": "Enter the time of the first visit, for example 14:30"},
    )
    outcome = forms.ChoiceField(
        label="Outcome (optional)",
        choices=[("", "Not known yet")] + access.URGENT_OUTCOMES,
        required=False,
    )

    def clean(self):
        data = super().clean()
        time = _time_of_day(data.get("time", "")) if data.get("time") else None
        if data.get("time") and time is None:
            self.add_error("time", "Enter the time of the first visit, for example 14:30")
        elif time is not None:
            # A visit is recorded after it happened: a time later than now was yesterday (the
            # 2-hour clock runs across midnight: a call at 23:10, a visit at 00:40).
            now = timezone.localtime()
            day = now.date() if time <= now.time() else now.date() - dt.timedelta(days=1)
            data["first_visit_at"] = timezone.make_aware(dt.datetime.combine(day, time))
        return data


class CloseRequestForm(forms.Form):
    helped = forms.ChoiceField(
        label="Has the person been helped?",
        choices=[("yes", "Yes"), ("no", "No, closing without helping")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the person has been helped"},
    )
    what_helped = forms.CharField(
        label="What helped (or why not)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REQUEST_TEXT_MAX,
        strip=True,
        error_messages={"required": "Enter what helped, or why the person was not helped"},
    )
    person_agrees = forms.ChoiceField(
        label="Does the person agree they were helped?",
        choices=access.REQUEST_AGREES,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the person agrees they were helped"},
    )
