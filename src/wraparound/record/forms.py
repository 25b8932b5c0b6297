"""Forms for the person page and the steward pages: they check shape only (required, length).

What a viewer may do is decided by the gate (``governance.access``), never by a form.
Error messages are written the NHS.UK way: say what to do, not what went wrong.
"""

from django import forms

MAX_QUERY = 200
MAX_TEXT = 4000


class FindPersonForm(forms.Form):
    q = forms.CharField(
        label="Name, NHS Number, date of birth or postcode",
        max_length=MAX_QUERY,
        strip=True,
        help_text=(
            "For example: 943 476 5919, Margaret Smith, Peggy Smith 1942, 3 March 1942, "
            "WV10 6QP. Spelling mistakes and nicknames are fine."
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
