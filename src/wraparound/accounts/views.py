"""The administrator's accounts screen, and the keep-alive every signed-in page may ping.

Thin views: check the form, call an action (``accounts.actions``), render. Only a member of
staff whose role may manage staff gets past ``administrator_only``; anybody else gets the plain
403 page and an audit row ("refused"). Nothing here reads person data.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wraparound.accounts import actions, queries
from wraparound.accounts.forms import ChangeAccountForm, CreateAccountForm


def _ip(request: HttpRequest) -> str | None:
    """The address the audit row records: the direct peer (no proxy headers are trusted)."""
    return request.META.get("REMOTE_ADDR") or None


def administrator_only(view: Callable) -> Callable:
    @wraps(view)
    @login_required
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not actions.may_manage_staff(request.user):
            actions.record_refusal(by=request.user, ip=_ip(request), what=request.path[:200])
            return render(request, "403.html", status=403)
        return view(request, *args, **kwargs)

    return guarded


def _context(**extra) -> dict:
    return {"nav": "accounts", **extra}


@require_GET
@administrator_only
def accounts(request: HttpRequest) -> HttpResponse:
    """Everyone with a login: name, role, organisation, teams, and whether they can log in."""
    return render(request, "accounts/accounts.html", _context(accounts=queries.list_accounts()))


@require_http_methods(["GET", "POST"])
@administrator_only
def create_account(request: HttpRequest) -> HttpResponse:
    form = CreateAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = data.pop("password")
        try:
            staff, password = actions.create_account(
                by=request.user, ip=_ip(request), password=chosen, **data
            )
        except actions.AccountError as exc:
            form.add_error(None, str(exc))
        else:
            if chosen:
                messages.success(request, f"Account made for {staff.display_name}.")
                return redirect("accounts:accounts")
            return _show_password(request, staff, password, made=True)
    status = 400 if form.is_bound else 200
    return render(request, "accounts/create.html", _context(form=form), status=status)


def _show_password(request: HttpRequest, staff, password: str, *, made: bool) -> HttpResponse:
    """The one time the password is shown: this response only (never stored, never cached)."""
    context = _context(account=queries.get_account(staff.pk), password=password, made=made)
    return render(request, "accounts/password.html", context)


def _initial(staff) -> dict:
    return {
        "first_name": staff.user.first_name,
        "last_name": staff.user.last_name,
        "role": staff.role,
        "organisation": staff.organisation_id,
        "teams": [t.pk for t in staff.teams.all()],
        "job_title": staff.job_title,
        "phone": staff.phone,
        "email": staff.email,
    }


@require_http_methods(["GET", "POST"])
@administrator_only
def change_account(request: HttpRequest, staff_id: int) -> HttpResponse:
    staff = queries.get_staff(staff_id)
    if staff is None:
        raise Http404("There is no such account.")
    if request.method == "POST":
        form = ChangeAccountForm(request.POST)
        if form.is_valid():
            try:
                actions.change_account(
                    by=request.user, ip=_ip(request), staff_id=staff_id, **form.cleaned_data
                )
            except actions.AccountError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"{staff.display_name}'s account is changed.")
                return redirect("accounts:accounts")
    else:
        form = ChangeAccountForm(initial=_initial(staff))
    context = _context(form=form, account=queries.get_account(staff_id))
    return render(request, "accounts/change.html", context, status=400 if form.errors else 200)


def _post_action(request: HttpRequest, staff_id: int, action, done: str) -> HttpResponse:
    if queries.get_account(staff_id) is None:
        raise Http404("There is no such account.")
    try:
        staff = action(by=request.user, ip=_ip(request), staff_id=staff_id)
    except actions.AccountError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:change", staff_id=staff_id)
    messages.success(request, done.format(name=staff.display_name))
    return redirect("accounts:accounts")


@require_POST
@administrator_only
def deactivate_account(request: HttpRequest, staff_id: int) -> HttpResponse:
    return _post_action(
        request,
        staff_id,
        actions.deactivate_account,
        "{name}'s account is switched off: they cannot log in.",
    )


@require_POST
@administrator_only
def reactivate_account(request: HttpRequest, staff_id: int) -> HttpResponse:
    return _post_action(
        request,
        staff_id,
        actions.reactivate_account,
        "{name}'s account is switched on: they can log in again.",
    )


@require_POST
@administrator_only
def reset_password(request: HttpRequest, staff_id: int) -> HttpResponse:
    if queries.get_account(staff_id) is None:
        raise Http404("There is no such account.")
    try:
        staff, password = actions.reset_password(
            by=request.user, ip=_ip(request), staff_id=staff_id
        )
    except actions.AccountError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:accounts")
    return _show_password(request, staff, password, made=False)


@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in": the request itself is the activity (see ``IdleTimeout``). No data back.

    401 when the session has already ended, so the page's script can go to the login.
    """
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    return HttpResponse(status=204)
