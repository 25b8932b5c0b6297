"""The practitioner's pages (see docs/web.md for the whole map)."""

from django.urls import path

from wraparound.record import (
    caseload_views,  # caseloads (H-D)
    demand_views,  # team learning page (H-P)
    meeting_impact_views,  # meeting impact (H-I)
    meeting_views,  # MDT meetings (H-V)
    note_views,
    plan_views,  # plan (H-B)
    request_views,  # requests for help (H-R)
    views,
)

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
    # --- plan (H-B) ---
    path("people/<int:person_id>/plan/", plan_views.plan_page, name="plan"),
    path("people/<int:person_id>/plan/print/", plan_views.plan_print, name="plan_print"),
    path("people/<int:person_id>/plan.fhir.json", plan_views.plan_fhir, name="plan_fhir"),
    path(
        "people/<int:person_id>/plan/history/<str:part>/",
        plan_views.plan_history,
        name="plan_history",
    ),
    path(
        "people/<int:person_id>/plan/what-matters/",
        plan_views.edit_what_matters,
        name="plan_what_matters",
    ),
    path(
        "people/<int:person_id>/plan/sections/<slug:section>/",
        plan_views.edit_section,
        name="plan_section",
    ),
    path("people/<int:person_id>/plan/goals/new/", plan_views.edit_goal, name="plan_goal_new"),
    path(
        "people/<int:person_id>/plan/goals/<int:goal_id>/", plan_views.edit_goal, name="plan_goal"
    ),
    path(
        "people/<int:person_id>/plan/actions/new/", plan_views.edit_action, name="plan_action_new"
    ),
    path(
        "people/<int:person_id>/plan/actions/<int:action_id>/",
        plan_views.edit_action,
        name="plan_action",
    ),
    path("people/<int:person_id>/plan/agreed/", plan_views.edit_details, name="plan_details"),
    path(
        "people/<int:person_id>/plan/people/<int:entry_id>/",
        plan_views.edit_person_who_matters,
        name="plan_person_who_matters",
    ),
    path(
        "people/<int:person_id>/plan/people/<int:entry_id>/end/",
        plan_views.end_person_who_matters,
        name="plan_person_who_matters_end",
    ),
    # --- contact notes (H-C) ---
    path("people/<int:person_id>/notes/", note_views.contact_notes, name="notes"),
    path("people/<int:person_id>/notes/new/", note_views.write_note, name="write_note"),
    # --- caseloads (H-D) ---
    path("caseload/", caseload_views.my_caseload, name="my_caseload"),
    path("caseload/team/", caseload_views.team_caseload, name="team_caseload"),
    # --- requests for help (H-R) ---
    path("requests/", request_views.request_queue, name="requests"),
    path("requests/new/", request_views.new_request, name="new_request"),
    path("requests/<int:request_id>/", request_views.help_request, name="help_request"),
    path("requests/<int:request_id>/take/", request_views.take_ownership, name="request_take"),
    path("requests/<int:request_id>/hand-off/", request_views.hand_off, name="request_handoff"),
    path(
        "requests/<int:request_id>/contact/", request_views.record_contact, name="request_contact"
    ),
    path("requests/<int:request_id>/visit/", request_views.record_visit, name="request_visit"),
    path("requests/<int:request_id>/close/", request_views.close_request, name="request_close"),
    path("requests/<int:request_id>/person/", request_views.find_person, name="request_person"),
    # --- what demand teaches us (H-P) ---
    path("team/demand/", demand_views.demand_page, name="demand"),
    # --- meeting impact (H-I) ---
    path("team/mdt/impact/", meeting_impact_views.meeting_impact, name="meeting_impact"),
    # --- meetings (H-V) ---
    path("meetings/", meeting_views.meeting_list, name="meetings"),
    path("meetings/new/", meeting_views.schedule_meeting, name="meeting_new"),
    path("meetings/<int:meeting_id>/", meeting_views.meeting_page, name="meeting"),
    path(
        "meetings/<int:meeting_id>/suggestions/<int:person_id>/accept/",
        meeting_views.accept_suggestion,
        name="meeting_accept",
    ),
    path(
        "meetings/<int:meeting_id>/items/<int:item_id>/decide/",
        meeting_views.decide_nomination,
        name="meeting_decide",
    ),
    path(
        "meetings/<int:meeting_id>/items/<int:item_id>/move/",
        meeting_views.move_item,
        name="meeting_move",
    ),
    path("meetings/<int:meeting_id>/nominate/", meeting_views.nominate, name="meeting_nominate"),
    path(
        "meetings/<int:meeting_id>/attendance/",
        meeting_views.record_attendance,
        name="meeting_attendance",
    ),
    path("meetings/<int:meeting_id>/start/", meeting_views.start_meeting, name="meeting_start"),
    path("meetings/<int:meeting_id>/finish/", meeting_views.finish_meeting, name="meeting_finish"),
    path("meetings/<int:meeting_id>/cancel/", meeting_views.cancel_meeting, name="meeting_cancel"),
    path(
        "meetings/<int:meeting_id>/people/<int:item_id>/",
        meeting_views.meeting_person,
        name="meeting_person",
    ),
    path(
        "meetings/<int:meeting_id>/people/<int:item_id>/start/",
        meeting_views.start_discussion,
        name="meeting_person_start",
    ),
    path(
        "meetings/<int:meeting_id>/people/<int:item_id>/discussion/",
        meeting_views.record_discussion,
        name="meeting_discussion",
    ),
    path(
        "meetings/<int:meeting_id>/people/<int:item_id>/actions/",
        meeting_views.add_action,
        name="meeting_action",
    ),
    path("meetings/<int:meeting_id>/minutes/", meeting_views.minutes, name="meeting_minutes"),
    path(
        "people/<int:person_id>/nominate/",
        meeting_views.nominate_from_record,
        name="person_nominate",
    ),
]
