"""Forms for the MDT meeting screens: they check shape only (a real date, words within bounds).

Who may schedule, nominate, chair or record is the gate's decision
(``governance.access.meetings``); the choices offered here (teams, staff, leads, goals) are the
gate's own lists, passed in by the view, so a stale or forged choice is refused by the form and
again by the gate. Error messages say what to do, the NHS.UK way.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from wraparound.record.forms import MAX_TEXT, PLAN_DATE_ERRORS, PLAN_DATE_FORMATS, _time_of_day

GUEST_ROWS = 4  # a few rows for guests by name; more can be added after a first save
MEETING_TEXT_MAX = 10_000
PLACES = [("in_person", "In person"), ("virtual", "Virtual (video or phone)")]


class ScheduleMeetingForm(forms.Form):
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
        error_messages={"required": "Enter a name for the meeting, for example North MDT"},
    )
    day = forms.CharField(label="Day", max_length=2, required=False, strip=True)
    month = forms.CharField(label="Month", max_length=2, required=False, strip=True)
    year = forms.CharField(label="Year", max_length=4, required=False, strip=True)
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
        if choices is None:
            return
        self.fields["team"].choices = list(choices.teams)
        self.fields["every"].choices = list(choices.every)
        staff = [(s.staff_id, f"{s.name}, {s.role}") for s in choices.staff]
        self.fields["chair"].choices = [("", "Choose the chair"), *staff]
        self.fields["invited"].choices = staff

    def guest_rows(self) -> list[tuple]:
        """Bound fields in pairs, for the template's rows of guests."""
        return [
            (n, self[f"guest_name_{n}"], self[f"guest_organisation_{n}"])
            for n in range(1, GUEST_ROWS + 1)
        ]

    def clean(self):
        data = super().clean()
        day, month, year = (data.get(k, "") for k in ("day", "month", "year"))
        when = None
        if not (day and month and year):
            self.add_error("day", "Enter the date of the meeting, for example 3 3 2026")
        else:
            try:
                when = dt.date(int(year), int(month), int(day))
            except ValueError:
                self.add_error("day", "The date of the meeting must be a real date")
            else:
                if when.year < 2000:
                    self.add_error("day", "Enter the year with four numbers, for example 2026")
                    when = None
        time = _time_of_day(data.get("time", "")) if data.get("time") else None
        if data.get("time") and time is None:
            self.add_error("time", "Enter the time the meeting starts, for example 10:00")
        if when and time:
            data["starts_at"] = timezone.make_aware(dt.datetime.combine(when, time))
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


class NominateForm(forms.Form):
    """Someone to discuss, and why, in the nominator's words."""

    person_id = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose the person to nominate",
            "invalid": "Choose the person to nominate",
        },
    )
    reason = forms.CharField(
        label="Why should the team discuss them?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_TEXT,
        strip=True,
        help_text="For example: carer struggling since the fall; two A&E visits this month.",
        error_messages={
            "required": "Enter why the team should discuss them",
            "max_length": f"Keep the reason under {MAX_TEXT:,} characters",
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


class DiscussionForm(forms.Form):
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


class MeetingActionForm(forms.Form):
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
            *((s.staff_id, f"{s.name}, {s.role}, {s.organisation}") for s in leads),
        ]
        self.fields["goal"].choices = [("", "None in particular"), *goals]


class AttendanceForm(forms.Form):
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
