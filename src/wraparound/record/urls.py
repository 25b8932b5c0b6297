"""The practitioner's pages (see docs/web.md for the whole map)."""

from django.urls import path

from wraparound.record import views

app_name = "record"

urlpatterns = [
    path("", views.find_person, name="search"),
    path("people/<int:person_id>/", views.person_page, name="person"),
    path(
        "people/<int:person_id>/what-matters/",
        views.record_what_matters,
        name="what_matters",
    ),
    path(
        "people/<int:person_id>/people-who-matter/",
        views.add_person_who_matters,
        name="people_who_matter",
    ),
    path("people/<int:person_id>/break-glass/", views.break_glass, name="break_glass"),
    path("people/<int:person_id>/split/", views.split_link, name="split"),
    path("people/<int:person_id>/merge/", views.merge_people, name="merge"),
]
