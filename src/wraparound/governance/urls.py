"""Log in and out. (The data steward's pages are ``wraparound.record.steward_urls``.)

Login is Django's ``LoginView`` (throttled by django-axes, see settings ``AXES_*`` and
``accounts.login_throttle``); logout is POST only, so a link or an image on another page
cannot log a practitioner out. A session that ended for want of activity
(``governance.middleware.IdleTimeout``) comes back to the login with ``?signed_out=idle``,
and the page says why.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True,
            extra_context={"failure_limit": settings.AXES_FAILURE_LIMIT},
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
