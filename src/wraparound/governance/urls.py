"""Log in and out. (The data steward's pages are ``wraparound.record.steward_urls``.)

Login is Django's ``LoginView`` (throttled by django-axes, see settings ``AXES_*``); logout is
POST only, so a link or an image on another page cannot log a practitioner out.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
