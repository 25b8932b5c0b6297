"""Session safety for signed-in staff: no caching, an idle timeout, a start page per role.

Nothing a signed-in member of staff sees is kept by a browser or a proxy.

Person pages, search results and steward screens name people. A shared clinic computer's
back button, its disk cache, or a caching proxy must not show them to the next person, so
every response to a signed-in user carries ``Cache-Control: no-store`` (issue 9, finding 10).
Static files (served by WhiteNoise before this runs) keep their long cache.
"""

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control

from wraparound.governance import access
from wraparound.governance.models import Staff
from wraparound.governance.roles import Permission, has_permission


class NoStoreForStaff:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
            patch_cache_control(response, no_store=True, private=True)
        return response


# --- idle timeout (issue 9, finding 10) ----------------------------------------------------

LAST_ACTIVITY = "wraparound_last_activity"
# The last-activity time is written at most this often, not on every request: one session
# write per page would double the writes of an audited page. The warning script allows for it.
SLIDE_EVERY_SECONDS = 15


class IdleTimeout:
    """A signed-in session ends after ``WRAPAROUND_IDLE_TIMEOUT`` without a request (sliding).

    A clinic computer left signed in must not stay open to whoever sits down next. This is
    enforced here, on the server, whatever the page's script does: the first request after
    the idle period logs out and goes to the login page, which says why. The script
    (``static/js/idle-timeout.js``) only warns two minutes before and offers "Stay signed in".
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now, idle = time.time(), settings.WRAPAROUND_IDLE_TIMEOUT.total_seconds()
            last = request.session.get(LAST_ACTIVITY)
            if not isinstance(last, (int, float)) or last > now:
                request.session[LAST_ACTIVITY] = now
            elif now - last >= idle:
                logout(request)
                return self._signed_out(request)
            elif now - last >= min(SLIDE_EVERY_SECONDS, idle / 10):
                request.session[LAST_ACTIVITY] = now
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and LAST_ACTIVITY not in request.session:
            request.session[LAST_ACTIVITY] = time.time()  # just logged in
        return response

    def _signed_out(self, request: HttpRequest) -> HttpResponse:
        login = resolve_url(settings.LOGIN_URL)
        if request.path == login:
            return self.get_response(request)
        if request.path == reverse("accounts:keep_alive"):
            return HttpResponse(status=401)
        target = f"{login}?{urlencode({'signed_out': 'idle', 'next': request.path})}"
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)


# --- where each role starts, and no 500 for a refusal ---------------------------------------


class StartPageForRole:
    """The administrator starts on the accounts screen; a role without search gets a plain page.

    "Find a person" is the home page (``/``) for practitioners. The administrator runs accounts
    and may see no person data, so ``/`` sends them to the accounts screen; any other login
    whose role may not search (or that has no staff profile) gets the plain "you cannot see
    this page" answer, never an error. And whatever page meets a refusal from the gate that it
    did not expect, the answer is that same plain 403 page, not a 500.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if match is None or match.view_name != "record:search":
            return None
        if user is None or not user.is_authenticated:
            return None
        role = Staff.objects.filter(user_id=user.pk).values_list("role", flat=True).first()
        if has_permission(role, Permission.SEARCH_PEOPLE):
            return None
        if has_permission(role, Permission.MANAGE_STAFF):
            return redirect("accounts:accounts")
        return render(request, "403.html", status=403)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, access.NoAccess):
            return render(request, "403.html", status=403)
        return None
