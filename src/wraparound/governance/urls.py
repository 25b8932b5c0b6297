"""Log in and out, and the data steward's pages (views in ``wraparound.record.steward_views``).

Login is Django's ``LoginView`` (throttled by django-axes, see settings ``AXES_*``); logout is
POST only, so a link or an image on another page cannot log a practitioner out.
"""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from wraparound.record import steward_views

steward_patterns = (
    [
        path("", steward_views.home, name="home"),
        path("break-glass/", steward_views.break_glass_reviews, name="break_glass_reviews"),
        path(
            "break-glass/<int:grant_id>/close/",
            steward_views.close_break_glass_review,
            name="close_break_glass",
        ),
        path("audit/", steward_views.audit_search, name="audit"),
        path("access-report/", steward_views.access_report, name="access_report"),
        path("linkage-review/", steward_views.review_queue, name="review_queue"),
        path(
            "linkage-review/<int:pair_id>/decide/",
            steward_views.decide_review_pair,
            name="decide_review_pair",
        ),
    ],
    "steward",
)

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("steward/", include(steward_patterns)),
]
