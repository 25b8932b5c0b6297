"""The administrator's forms: shape only (required, length, a role from the list).

Who may use them, and the rules about the last administrator, are the actions' business.
Error messages say what to do, the NHS.UK way.
"""

from django import forms

from wraparound.accounts import queries
from wraparound.governance.roles import Role


class _AccountFields(forms.Form):
    first_name = forms.CharField(
        label="First name",
        max_length=150,
        strip=True,
        error_messages={"required": "Enter their first name"},
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        strip=True,
        error_messages={"required": "Enter their last name"},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=[("", "Choose a role")] + list(Role.choices),
        help_text="The role decides what they can do and see under the sharing agreement.",
        error_messages={
            "required": "Choose a role",
            "invalid_choice": "Choose a role from the list",
        },
    )
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=queries.organisations(),
        empty_label="Choose an organisation",
        error_messages={
            "required": "Choose their organisation",
            "invalid_choice": "Choose an organisation from the list",
        },
    )
    teams = forms.ModelMultipleChoiceField(
        label="Teams",
        queryset=queries.teams(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="A team's caseload is who they can find and open. Leave empty for none.",
        error_messages={"invalid_choice": "Choose teams from the list"},
    )
    job_title = forms.CharField(label="Job title (optional)", max_length=200, required=False)
    phone = forms.CharField(label="Work phone (optional)", max_length=64, required=False)
    email = forms.EmailField(
        label="Work email (optional)",
        max_length=254,
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )


class CreateAccountForm(_AccountFields):
    username = forms.CharField(
        label="Username",
        max_length=150,
        strip=True,
        help_text="What they type to log in, for example sam.taylor. Letters, numbers and . - _",
        error_messages={"required": "Enter a username"},
    )
    password = forms.CharField(
        label="Password (optional)",
        required=False,
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=(
            "Leave empty and a one-time password is made for you to pass on. At least 12 "
            "characters, not a common password, not like their name."
        ),
    )

    field_order = ["first_name", "last_name", "username", "role", "organisation", "teams"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        allowed = set("abcdefghijklmnopqrstuvwxyz0123456789.-_")
        if not set(username.lower()) <= allowed:
            raise forms.ValidationError("Use only letters, numbers, full stops, - and _")
        return username


class ChangeAccountForm(_AccountFields):
    pass
