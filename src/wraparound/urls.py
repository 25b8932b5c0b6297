"""Top-level URLs: each capability mounts its own."""

from django.urls import include, path

urlpatterns = [
    path("", include("wraparound.record.urls")),
    path("", include("wraparound.governance.urls")),
    path("steward/", include("wraparound.record.steward_urls")),
    path("accounts/", include("wraparound.accounts.urls")),
]
