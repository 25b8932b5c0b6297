"""Forms for the MDT meeting screens: they check shape only (a real date, words within bounds).

Who may schedule, nominate, chair or record is the gate's decision
(``governance.access.meetings``); the choices offered here (teams, staff, leads, goals) are the
gate's own lists, passed in by the view, so a stale or forged choice is refused by the form and
again by the gate. Error messages say what to do, the NHS.UK way.
"""

from __future__ import annotations

from django import forms

from wraparound.record.forms import (
    MAX_TEXT,
    PLAN_DATE_ERRORS,
    PLAN_DATE_FORMATS,
    date_and_time,
)

GUEST_ROWS = 4  # a few rows for guests by name; more can be added after a first save
MEETING_TEXT_MAX = 10_000
# The longest reason ``meetings.actions.add_to_case_list`` keeps: the box stops at the same.
NOMINATION_REASON_MAX = 2_000
PLACES = [("in_person", "In person"), ("virtual", "Virtual (video or phone)")]
DATE_PART_ERRORS = {
    "max_length": "Enter the date of the meeting, for example 3 3 2026",
    "null_characters_not_allowed": "Enter the date of the meeting, for example 3 3 2026",
}


def staff_label(*parts: str) -> str:
    """ "Priti Sharma, Care co-ordinator, Oak Tree Surgery": each part once, no stray spaces
    (a job title can be the role's own label, and an organisation can repeat it)."""
    shown: list[str] = []
    for part in parts:
        words = " ".join(str(part or "").split())
        if words and words.lower() not in {p.lower() for p in shown}:
            shown.append(words)
    return ", ".join(shown)


def _plain_messages(field: forms.Field) -> None:
    """Django's own words ("Ensure this value has at most 200 characters (it has 5000).",
    "Null characters are not allowed.") replaced by ours, naming the field the way its label
    does. Messages a field was given on purpose are kept."""
    label = str(field.label or "this answer")
    what = label[0].lower() + label[1:]
    ours = {
        "required": f"Enter {what}",
        "null_characters_not_allowed": f"{label}: remove the hidden character (type it again)",
        "invalid": f"Enter {what} as a number",
    }
    if getattr(field, "max_length", None):
        ours["max_length"] = f"{label} must be {field.max_length:,} characters or fewer"
    if getattr(field, "min_value", None) is not None:
        ours["min_value"] = f"{label} must be {field.min_value:,} or more"
    if getattr(field, "max_value", None) is not None:
        ours["max_value"] = f"{label} must be {field.max_value:,} or fewer"
    django_own = {}
    for klass in reversed(type(field).__mro__):
        django_own.update(getattr(klass, "default_error_messages", {}))
    for code, message in ours.items():
        if code not in field.error_messages or field.error_messages[code] == django_own.get(code):
            field.error_messages[code] = message


class _PlainWordsForm(forms.Form):
    """Every meeting form: no message in Django's words reaches a user."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            _plain_messages(field)


class ScheduleMeetingForm(_PlainWordsForm):
    """A team's MDT: when, where, how long each person gets, who chairs and who is invited."""

    team = forms.TypedChoiceField(
        label="Team",
        coerce=int,
        error_messages={
            "required": "Choose the team",
            "invalid_choice": "Choose one of your teams",
        },
    )
    title = forms.CharField(
        label="Name of the meeting",
        max_length=200,
        strip=True,
        error_messages={
            "required": "Enter a name for the meeting, for example North MDT",
            "max_length": "The name of the meeting must be 200 characters or fewer",
        },
    )
    day = forms.CharField(
        label="Day", max_length=2, required=False, strip=True, error_messages=DATE_PART_ERRORS
    )
    month = forms.CharField(
        label="Month", max_length=2, required=False, strip=True, error_messages=DATE_PART_ERRORS
    )
    year = forms.CharField(
        label="Year", max_length=4, required=False, strip=True, error_messages=DATE_PART_ERRORS
    )
    time = forms.CharField(
        label="Start time",
        max_length=8,
        strip=True,
        help_text="For example, 10:00 or 2pm.",
        error_messages={"required": "Enter the time the meeting starts, for example 10:00"},
    )
    minutes_per_person = forms.IntegerField(
        label="Minutes for each person",
        min_value=3,
        max_value=60,
        initial=10,
        help_text="About 10 minutes is usual.",
        error_messages={
            "required": "Enter how many minutes each person gets, for example 10",
            "invalid": "Enter how many minutes each person gets as a number, for example 10",
            "min_value": "Give each person at least 3 minutes",
            "max_value": "Give each person at most 60 minutes",
        },
    )
    place = forms.ChoiceField(
        label="In person or virtual?",
        choices=PLACES,
        widget=forms.RadioSelect,
        initial="in_person",
        error_messages={
            "required": "Choose in person or virtual",
            "invalid_choice": "Choose in person or virtual",
        },
    )
    where = forms.CharField(
        label="Where, or how to join (optional)",
        max_length=300,
        required=False,
        strip=True,
        help_text="For example: Room 2, Oak Tree Surgery, or the Teams link.",
    )
    every = forms.ChoiceField(
        label="Does it repeat?",
        error_messages={
            "required": "Choose how often it repeats",
            "invalid_choice": "Choose how often it repeats",
        },
    )
    chair = forms.TypedChoiceField(
        label="Chair",
        coerce=int,
        error_messages={
            "required": "Choose who chairs the meeting",
            "invalid_choice": "Choose the chair from the list",
        },
    )
    invited = forms.TypedMultipleChoiceField(
        label="Who is invited",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose people to invite from the list"},
    )

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, GUEST_ROWS + 1):
            self.fields[f"guest_name_{n}"] = forms.CharField(
                label=f"Guest {n}: name", max_length=300, required=False, strip=True
            )
            self.fields[f"guest_organisation_{n}"] = forms.CharField(
                label=f"Guest {n}: organisation", max_length=300, required=False, strip=True
            )
            _plain_messages(self.fields[f"guest_name_{n}"])
            _plain_messages(self.fields[f"guest_organisation_{n}"])
        if choices is None:
            return
        self.fields["team"].choices = list(choices.teams)
        self.fields["every"].choices = list(choices.every)
        staff = [(s.staff_id, staff_label(s.name, s.role)) for s in choices.staff]
        # The chair runs the meeting: a member of its team (the gate also refuses others).
        chairs = [
            (s.staff_id, staff_label(s.name, s.role))
            for s in choices.staff
            if s.in_team and s.may_chair
        ]
        self.fields["chair"].choices = [("", "Choose the chair"), *chairs]
        self.fields["invited"].choices = staff

    def guest_rows(self) -> list[tuple]:
        """Bound fields in pairs, for the template's rows of guests."""
        return [
            (n, self[f"guest_name_{n}"], self[f"guest_organisation_{n}"])
            for n in range(1, GUEST_ROWS + 1)
        ]

    def clean(self):
        data = super().clean()
        moment = date_and_time(
            self,
            data,
            what="the date of the meeting",
            time_what="the time the meeting starts",
            time_example="10:00",
            first_year=2000,
        )
        if moment:
            data["starts_at"] = moment
        guests = []
        for n in range(1, GUEST_ROWS + 1):
            name = data.get(f"guest_name_{n}", "")
            organisation = data.get(f"guest_organisation_{n}", "")
            if organisation and not name:
                self.add_error(f"guest_name_{n}", f"Enter the name of guest {n}")
            elif name:
                guests.append((name, organisation))
        data["guests"] = guests
        data["virtual"] = data.get("place") == "virtual"
        return data


class NominateForm(_PlainWordsForm):
    """Someone to discuss, and why, in the nominator's words."""

    person_id = forms.IntegerField(
        min_value=1,
        max_value=2**62,
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose the person to nominate",
            "invalid": "Choose the person to nominate",
            "min_value": "Choose the person to nominate",
            "max_value": "Choose the person to nominate",
        },
    )
    reason = forms.CharField(
        label="Why should the team discuss them?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOMINATION_REASON_MAX,
        strip=True,
        help_text="For example: carer struggling since the fall; two A&E visits this month.",
        error_messages={
            "required": "Enter why the team should discuss them",
            "max_length": f"Keep the reason under {NOMINATION_REASON_MAX:,} characters",
        },
    )
    agreed_to_discussion = forms.BooleanField(
        label="They agreed to be discussed at this meeting",
        required=False,
        help_text=(
            "Only needed for someone who objected to sharing between organisations: ask them first."
        ),
    )


class PersonNominateForm(NominateForm):
    """From the person page: which of the team's upcoming meetings."""

    meeting = forms.TypedChoiceField(
        label="Meeting",
        coerce=int,
        error_messages={
            "required": "Choose the meeting",
            "invalid_choice": "Choose one of your team's upcoming meetings",
        },
    )

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = list(meetings)


class DiscussionForm(_PlainWordsForm):
    """What was said and what was decided, for the minutes."""

    discussion = forms.CharField(
        label="Notes of the discussion",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MEETING_TEXT_MAX,
        required=False,
        strip=True,
        error_messages={"max_length": f"Keep the notes under {MEETING_TEXT_MAX:,} characters"},
    )
    decisions = forms.CharField(
        label="Decisions",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MEETING_TEXT_MAX,
        required=False,
        strip=True,
        help_text="These go in the minutes and on the person's record.",
        error_messages={"max_length": f"Keep the decisions under {MEETING_TEXT_MAX:,} characters"},
    )


class MeetingActionForm(_PlainWordsForm):
    """An action agreed: it goes in the person's plan and on the lead's caseload."""

    what = forms.CharField(
        label="What will be done",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_TEXT,
        strip=True,
        error_messages={
            "required": "Enter what will be done",
            "max_length": f"Keep this under {MAX_TEXT:,} characters",
        },
    )
    lead = forms.TypedChoiceField(
        label="Who leads it",
        coerce=int,
        error_messages={
            "required": "Choose who leads the action",
            "invalid_choice": "Choose who leads the action from the list",
        },
    )
    due_on = forms.DateField(
        label="By when (optional)",
        required=False,
        input_formats=PLAN_DATE_FORMATS,
        help_text="For example, 10 March 2026",
        error_messages=PLAN_DATE_ERRORS,
    )
    goal = forms.TypedChoiceField(
        label="Which goal in their plan it helps with (optional)",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose a goal from the person's plan, or none"},
    )

    def __init__(self, *args, leads=(), goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = [
            ("", "Choose who leads it"),
            *((s.staff_id, staff_label(s.name, s.role, s.organisation)) for s in leads),
        ]
        self.fields["goal"].choices = [("", "None in particular"), *goals]


class AttendanceForm(_PlainWordsForm):
    present = forms.TypedMultipleChoiceField(
        label="Who is here",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Tick people from the list of those invited"},
    )

    def __init__(self, *args, invitations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(i.invitation_id, i.name) for i in invitations]
