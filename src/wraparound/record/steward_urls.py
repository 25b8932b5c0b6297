"""The data steward's pages, mounted under ``/steward/`` by the project's ``urls.py``.

They live with their views in ``record`` (which reaches person data only through
``governance.access``); governance itself never imports ``record``.
"""

from django.urls import path

from wraparound.record import steward_views, views

app_name = "steward"

urlpatterns = [
    path("", steward_views.home, name="home"),
    path("break-glass/", steward_views.break_glass_reviews, name="break_glass_reviews"),
    path(
        "break-glass/<int:grant_id>/close/",
        steward_views.close_break_glass_review,
        name="close_break_glass",
    ),
    path("audit/", steward_views.audit_search, name="audit"),
    path("access-report/", steward_views.access_report, name="access_report"),
    path("unusual-searching/", views.unusual_searching, name="unusual_searching"),
    path("linkage-review/", steward_views.review_queue, name="review_queue"),
    path(
        "linkage-review/<int:pair_id>/decide/",
        steward_views.decide_review_pair,
        name="decide_review_pair",
    ),
]
